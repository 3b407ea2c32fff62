/**
 * A gentle abort, end to end on the real rollback state machine: the reference platform's auth
 * returns its traffic in the ramp its plan gives (rollback.ramp: 50 % for 30 s, then 0 %), and
 * never onto stable pods that are not healthy targets (examples/faults/rollback-ramp.yaml and
 * stable-not-ready.yaml, as `switchyard rehearse --json` runs them).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RehearsalResult } from '../../../rehearsal/rehearse';
import { parseReportInput } from '../../../rehearsal/report/input';
import { buildReportModel } from '../../../rehearsal/report/model';
import { expectNeedsAPerson, expectRolledBack, rehearseExample } from '../fixtures/rehearsal';

const EAST = 'us-east-1';

function reportOf(result: RehearsalResult) {
  const parsed = parseReportInput(JSON.parse(JSON.stringify(result)));
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return buildReportModel(parsed.input);
}

const entriesOf = (result: RehearsalResult, action: string) =>
  result.audit.filter((entry) => entry.action === action);

describe('a canary breach at 100 % with rollback.ramp [50, 0] every 30s', () => {
  let result: RehearsalResult;
  beforeAll(async () => {
    result = await rehearseExample('platform.yaml', 'faults/rollback-ramp.yaml');
  }, 120_000);

  it('rolls back: every touched service on its snapshot, stable traffic at 100 %', () => {
    expectRolledBack(result);
  });

  it('holds auth at 50 % canary for 30 s before the rest of its traffic returns', () => {
    const started = entriesOf(result, 'rollback.started')[0]!;
    const stepped = entriesOf(result, 'rollback.traffic-stepped');
    expect(stepped.map(({ region, service, detail }) => ({ region, service, detail }))).toEqual([
      { region: EAST, service: 'auth', detail: { stable: 50, canary: 50, from: 100, holdSeconds: 30 } },
    ]);
    const [restored] = entriesOf(result, 'rollback.traffic-restored');
    expect(restored!.atSeconds - stepped[0]!.atSeconds).toBe(30);
    expect(stepped[0]!.atSeconds).toBeGreaterThanOrEqual(started.atSeconds);
    // The ramp comes before any workload is restored.
    const [workloads] = entriesOf(result, 'rollback.workloads-restored');
    expect(workloads!.atSeconds).toBeGreaterThanOrEqual(restored!.atSeconds);
  });

  it('shows the ramp step on the report’s rollback timeline, between the start and the return', () => {
    const rollback = reportOf(result).rollback!;
    const kinds = rollback.steps.map((step) => step.kind);
    expect(kinds.indexOf('ramp')).toBeGreaterThan(kinds.indexOf('started'));
    expect(kinds.indexOf('ramp')).toBeLessThan(kinds.indexOf('traffic'));
    expect(rollback.steps.find((step) => step.kind === 'ramp')).toMatchObject({
      region: EAST,
      label: 'ramp: canary 100 → 50 %, held 30s',
      services: ['auth'],
    });
  });
});

describe('a canary breach while the stable pods fail their health checks', () => {
  let result: RehearsalResult;
  beforeAll(async () => {
    result = await rehearseExample('platform.yaml', 'faults/stable-not-ready.yaml');
  }, 120_000);

  it('moves no traffic onto stable: auth keeps its canary at 100 %', () => {
    expect(result.regions[EAST]?.auth?.weights).toEqual({ stable: 0, canary: 100 });
    expect(entriesOf(result, 'rollback.traffic-stepped')).toEqual([]);
    expect(entriesOf(result, 'rollback.traffic-restored')).toEqual([]);
    expect(entriesOf(result, 'rollback.workloads-restored')).toEqual([]);
  });

  it('gives up after a bounded wait and tells a person exactly what is left', () => {
    expectNeedsAPerson(result);
    expect(result.reason).toContain(
      'no traffic moved in us-east-1: stable is not ready for it: auth: auth-stable: 0 of 6 targets healthy',
    );
    expect(result.reason).toContain('Left as it was: auth keeps 100 % on its canary; not restored: ');
    const started = entriesOf(result, 'rollback.started')[0]!;
    const [incomplete] = entriesOf(result, 'rollback.incomplete');
    // About 18 minutes of retries (15 s, ×1.5, at most 60 s apart, 20 times), not for ever.
    expect(incomplete!.atSeconds - started.atSeconds).toBeGreaterThan(15 * 60);
    expect(incomplete!.atSeconds - started.atSeconds).toBeLessThan(25 * 60);
  });
});
