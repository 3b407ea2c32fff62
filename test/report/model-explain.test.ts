/** The parts of the report model that explain: analysis series, incidents, unreachable services, retries, what is left. */
import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../rehearsal/report/model';
import { loadFixture } from './fixtures';

describe('report model: what a rolled-back release was judged on', () => {
  const result = loadFixture('rolled-back');
  const model = buildReportModel(result);
  const failed = model.analyses.find((analysis) => analysis.verdict === 'fail')!;

  it("charts the failed analysis from its audit entry: canary and stable per period, and the plan's limits", () => {
    expect(failed).toMatchObject({ region: 'eu-west-1', service: 'auth', ordinal: 1 });
    expect(failed.series?.limits).toEqual({
      maxErrorRateIncreasePoints: 0.5,
      maxP95LatencyRatio: 1.1,
      minRequests: 100,
      abortErrorRatePercent: 5,
    });
    const periods = failed.series!.periods;
    expect(periods).toHaveLength(3);
    // Each period starts a minute after the last, inside the judged window, before the verdict.
    expect(periods.map((period) => period.atSeconds - periods[0]!.atSeconds)).toEqual([0, 60, 120]);
    expect(periods[0]!.atSeconds).toBe(failed.window!.fromSeconds);
    expect(periods.at(-1)!.atSeconds).toBeLessThan(failed.atSeconds);
    // Every period failed: the canary above stable plus the allowed half point.
    for (const { canary, stable } of periods)
      expect(canary.errorRatePercent!).toBeGreaterThan(stable.errorRatePercent! + 0.5);
  });

  it('takes time to rollback from the recorded trigger and completion, never 0 when they differ', () => {
    const completed = result.audit.find((entry) => entry.action === 'rollback.completed')!;
    expect(model.rollback?.fromSeconds).toBe(failed.atSeconds);
    expect(model.rollback?.endSeconds).toBe(completed.atSeconds);
    expect(model.rollback?.timeToRollbackSeconds).toBe(completed.atSeconds - failed.atSeconds);
    expect(model.rollback?.timeToRollbackSeconds).toBeGreaterThan(0);
    expect(result.counters.timeToRollbackSeconds).toBe(model.rollback?.timeToRollbackSeconds);
  });

  it("names the fault file's description and the fault, from when it started", () => {
    expect(model.faults?.description).toBe("auth's canary error rate jumps from its first step in eu-west-1");
    const shifted = result.audit.find(
      (entry) =>
        entry.action === 'traffic.shifted' && entry.region === 'eu-west-1' && entry.service === 'auth',
    )!;
    expect(model.incidents).toEqual([
      expect.objectContaining({
        kind: 'fault',
        region: 'eu-west-1',
        service: 'auth',
        atSeconds: shifted.atSeconds,
      }),
    ]);
  });

  it('leaves nothing for a person once every touched service is back', () => {
    expect(model.rollback?.outcome).toBe('completed');
    expect(model.leftForAPerson).toEqual([]);
  });
});

describe('report model: a region lost to an outage', () => {
  const result = loadFixture('region-outage');
  const model = buildReportModel(result);

  it('shows the services it had touched there as unknown / unreachable, not by their last known status', () => {
    expect(model.unreachableRegions).toEqual(['us-west-2']);
    const lost = model.lanes.filter((lane) => lane.region === 'us-west-2' && lane.startSeconds !== undefined);
    expect(lost.length).toBeGreaterThan(0);
    for (const lane of lost) expect(lane.outcome, lane.service).toBe('unreachable');
    // The region that could be read was rolled back.
    for (const lane of model.lanes.filter((lane) => lane.region === 'us-east-1'))
      expect(lane.outcome, lane.service).toBe('rolledBack');
  });

  it('marks the outage from when it began to the end, and the alarms received', () => {
    expect(model.incidents).toContainEqual(
      expect.objectContaining({ kind: 'outage', region: 'us-west-2', atSeconds: 22 * 60, open: true }),
    );
    const alarms = model.incidents.filter((incident) => incident.kind === 'alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(alarm.atSeconds).toBeGreaterThanOrEqual(22 * 60);
  });

  it("lists the rollback's retries in the lost region, which gave up", () => {
    const retries = model.retries.filter((retry) => retry.region === 'us-west-2');
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.reduce((sum, retry) => sum + retry.failures, 0)).toBe(
      result.audit.filter(
        (entry) => entry.action === 'task.transient-failure' && entry.region === 'us-west-2',
      ).length,
    );
    expect(retries.at(-1)).toMatchObject({ state: 'Return Traffic To Stable', recovered: false });
  });

  it('has no time to rollback: stable traffic never came back in us-west-2', () => {
    expect(model.rollback).toMatchObject({ outcome: 'incomplete', trafficNotRestored: ['us-west-2'] });
    expect(model.rollback?.trafficRestored.map((entry) => entry.region)).toEqual(['us-east-1']);
    expect(model.rollback?.timeToRollbackSeconds).toBeUndefined();
    expect(result.counters.timeToRollbackSeconds).toBeUndefined();
  });

  it('leaves a person the CLI commands to run, in order, and no HTTP route', () => {
    const id = result.releaseId;
    expect(model.leftForAPerson.map((item) => item.command)).toEqual([
      'switchyard failover us-west-2',
      `switchyard rollback ${id}`,
      'switchyard failback us-west-2',
      `switchyard status ${id}`,
    ]);
    for (const item of model.leftForAPerson)
      expect(`${item.what} ${item.why ?? ''}`).not.toMatch(/POST |\/releases/);
  });

  it('asks for the waiting approval by name when a release stalls on one', () => {
    const stalled = buildReportModel({
      ...loadFixture('succeeded'),
      status: 'STALLED',
      audit: loadFixture('succeeded').audit.filter((entry) => entry.action !== 'approval.given'),
    });
    const approvals = stalled.leftForAPerson.filter((item) => item.command.startsWith('switchyard approve'));
    expect(approvals.length).toBeGreaterThan(0);
    for (const item of approvals)
      expect(item.command).toMatch(/^switchyard approve report-fixture --approval \S+$/);
    expect(stalled.leftForAPerson.at(-1)?.command).toBe('switchyard status report-fixture');
  });
});
