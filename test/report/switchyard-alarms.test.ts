/**
 * The report marks the alarms Switchyard made (each canary's abort alarm) wherever an alarm
 * appears, and leaves a user's alarm unmarked: from real rehearsals of both kinds.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RehearsalResult } from '../../rehearsal/rehearse';
import { buildReportModel } from '../../rehearsal/report/model';
import { renderReport } from '../../rehearsal/report/render';
import { rehearseExample, rehearseFixture } from '../rehearsal/fixtures/rehearsal';

const lane = (model: ReturnType<typeof buildReportModel>, region: string, service: string) =>
  model.lanes.find((entry) => entry.region === region && entry.service === service)!;

describe("the report of a rollback set off by Switchyard's abort alarm", () => {
  let result: RehearsalResult;
  let alarmName: string;
  beforeAll(async () => {
    result = await rehearseExample('platform.yaml', 'faults/abort-alarm.yaml');
    alarmName = `switchyard-abort-${result.releaseId}-us-east-1-mcp-github`;
  });

  it('marks the alarm as made by Switchyard in the incident and the rollback trigger', () => {
    const model = buildReportModel(result);
    expect(
      model.incidents.filter((incident) => incident.kind === 'alarm').map((incident) => incident.label),
    ).toEqual([expect.stringContaining(`alarm ${alarmName} (made by Switchyard) received`)]);
    expect(model.rollback?.trigger?.title).toBe(`CloudWatch alarm ${alarmName} (made by Switchyard)`);
  });

  it("shows the abort alarm's making, its deletion and the traffic it put back on stable on the canary's lane", () => {
    const mcp = lane(buildReportModel(result), 'us-east-1', 'mcp-github');
    const labels = mcp.markers.map((marker) => marker.label);
    expect(labels).toContain(`abort alarm ${alarmName} made by Switchyard`);
    expect(labels).toContain(`abort alarm ${alarmName} deleted by Switchyard`);
    expect(labels).toContainEqual(
      expect.stringContaining(`stable 100 % at once: abort alarm ${alarmName} (made by Switchyard) in ALARM`),
    );
    expect(mcp.newVersionShare.at(-1)?.percent).toBe(0);
    expect(renderReport(result)).toContain(`${alarmName} (made by Switchyard)`);
  });
});

describe("the report of a rollback set off by a user's alarm", () => {
  it('does not mark it', async () => {
    const result = await rehearseFixture('canary', {
      faults: 'faults: [{ type: alarm, alarmName: auth-us-east-1-canary-errors, region: us-east-1, at: 1m }]',
    });
    const model = buildReportModel(result);
    expect(model.rollback?.trigger?.title).toBe('CloudWatch alarm auth-us-east-1-canary-errors');
    expect(renderReport(result)).not.toContain('auth-us-east-1-canary-errors (made by Switchyard)');
  });
});
