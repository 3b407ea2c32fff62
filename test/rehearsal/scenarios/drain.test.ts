/**
 * examples/drain.yaml end to end on the real state machines: a drained region's Route 53 weight
 * goes to 0 (the other regions scaled up first) before any of its services moves, INSYNC and the
 * record's TTL are waited for, and the weight comes back in the plan's steps after the region is
 * verified; a canary failing in the drained region rolls back and gives the weight back too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../../../lambdas/core/plan/load';
import { resolvePlan } from '../../../lambdas/core/plan/resolve';
import { previewRelease } from '../../../lambdas/core/planner/preview';
import type { RehearsalResult } from '../../../rehearsal/rehearse';
import { buildReportModel } from '../../../rehearsal/report/model';
import { renderReport } from '../../../rehearsal/report/render';
import { readExample } from '../../core/plan/documents';
import { expectRolledBack, rehearseExample } from '../fixtures/rehearsal';

/** The plan's Route 53 weights by set identifier (as the zone holds them), and by region (as the audit says them). */
const PLAN_WEIGHTS = { use1: 100, usw2: 100, euw1: 50 };
const PLAN_REGION_WEIGHTS = { 'us-east-1': 100, 'us-west-2': 100, 'eu-west-1': 50 };
type Entry = RehearsalResult['audit'][number];

const inRegion = (result: RehearsalResult, region: string) =>
  result.audit.filter((entry) => entry.region === region);
const first = (entries: readonly Entry[], action: string) => entries.find((entry) => entry.action === action);
const all = (entries: readonly Entry[], action: string) => entries.filter((entry) => entry.action === action);

/** Takings and lettings go of the failover lock in the release's audit: one of each per drain. */
const failoverLock = (result: RehearsalResult) => {
  const count = (action: string) =>
    result.audit.filter((entry) => entry.action === action && entry.detail?.scope === 'failover').length;
  return { acquired: count('lock.acquired'), released: count('lock.released') };
};

describe('examples/drain.yaml, no faults', () => {
  let result: RehearsalResult;
  beforeAll(async () => {
    result = await rehearseExample('drain.yaml');
  }, 300_000);

  it('succeeds, with every weight back where the plan had it and the failover lock free', () => {
    expect(result.status, result.reason).toBe('SUCCEEDED');
    expect(result.dns).toEqual(PLAN_WEIGHTS);
    expect(failoverLock(result)).toEqual({ acquired: 2, released: 2 });
  });

  it("moves us-west-2's weight to 0 after scaling the others up, and before its first service moves", () => {
    const west = inRegion(result, 'us-west-2');
    const planned = first(west, 'drain.planned')!;
    expect(planned.detail).toMatchObject({
      weightsBefore: PLAN_REGION_WEIGHTS,
      weightsAfter: { 'us-east-1': 167, 'us-west-2': 0, 'eu-west-1': 83 },
    });
    const scaled = first(west, 'replicas.scaled')!;
    const removed = first(west, 'drain.weight-removed')!;
    const started = first(west, 'service.started')!;
    expect(scaled.seq).toBeLessThan(removed.seq);
    expect(removed.detail).toMatchObject({ weights: { 'us-west-2': 0 }, ttlSeconds: 60 });
    expect(removed.seq).toBeLessThan(started.seq);
    // INSYNC (the simulated Route 53 propagates in virtual time, polled every 15 s), then the TTL.
    expect(started.atSeconds - removed.atSeconds).toBeGreaterThanOrEqual(15 + 60);
  });

  it('restores us-west-2 in its steps (25, 50, 100 %), 2 minutes apart, after its last service completed', () => {
    const west = inRegion(result, 'us-west-2');
    const restored = all(west, 'drain.weight-restored');
    expect(restored.map((entry) => entry.detail?.percent)).toEqual([25, 50, 100]);
    expect(restored.map((entry) => (entry.detail!.weights as Record<string, number>)['us-west-2'])).toEqual([
      25, 50, 100,
    ]);
    const lastCompleted = all(west, 'service.completed').at(-1)!;
    expect(restored[0]!.seq).toBeGreaterThan(lastCompleted.seq);
    expect(restored[1]!.atSeconds - restored[0]!.atSeconds).toBeGreaterThanOrEqual(120);
    expect(restored[2]!.atSeconds - restored[1]!.atSeconds).toBeGreaterThanOrEqual(120);
    const done = first(west, 'drain.completed')!;
    expect(done.seq).toBeGreaterThan(restored[2]!.seq);
    expect(done.detail?.scaledBack).toBe(first(west, 'drain.planned')!.detail?.scaled);
    expect(done.detail?.scaledBack).toBeGreaterThan(0);
  });

  it('drains eu-west-1 in its own wave, restored in one step, after us-west-2 had its weight back', () => {
    const europe = inRegion(result, 'eu-west-1');
    expect(first(europe, 'drain.planned')!.detail?.weightsBefore).toEqual(PLAN_REGION_WEIGHTS);
    expect(all(europe, 'drain.weight-restored').map((entry) => entry.detail?.percent)).toEqual([100]);
    expect(first(europe, 'drain.planned')!.seq).toBeGreaterThan(
      first(inRegion(result, 'us-west-2'), 'drain.completed')!.seq,
    );
  });

  it("takes no longer than preview says for each drain's waits, and at most the INSYNC polls it did not need less", () => {
    const loaded = loadPlan(readExample('drain.yaml'));
    if (!loaded.ok) throw new Error('examples/drain.yaml should load');
    const regions = previewRelease(resolvePlan(loaded.plan)).waves.flatMap((wave) => wave.regions);
    for (const name of ['us-west-2', 'eu-west-1']) {
      const drain = regions.find((region) => region.region === name)!.drain!;
      const entries = inRegion(result, name);
      const before =
        first(entries, 'service.started')!.atSeconds - first(entries, 'drain.planned')!.atSeconds;
      const after =
        first(entries, 'drain.completed')!.atSeconds - all(entries, 'service.completed').at(-1)!.atSeconds;
      // Preview counts 4 polls of 15 s per INSYNC wait; the simulated change is INSYNC at the first.
      for (const [measured, previewed] of [
        [before, drain.beforeSeconds],
        [after, drain.afterSeconds],
      ] as const) {
        expect(measured, name).toBeLessThanOrEqual(previewed);
        expect(measured, name).toBeGreaterThanOrEqual(previewed - 45);
      }
    }
  });

  it('reports both drains: when the weight left and came back, in which steps', () => {
    const drains = buildReportModel(result).drains;
    expect(
      drains.map((drain) => [drain.region, drain.outcome, drain.restoreSteps.map((step) => step.percent)]),
    ).toEqual([
      ['us-west-2', 'restored', [25, 50, 100]],
      ['eu-west-1', 'restored', [100]],
    ]);
    expect(drains[0]).toMatchObject({ weightsAfter: { 'us-west-2': 0 }, ttlSeconds: 60 });
    expect(renderReport(result)).toContain('<h2 id="drain-title">Drains</h2>');
  });

  it('never drains us-east-1, which has no drain', () => {
    expect(inRegion(result, 'us-east-1').filter((entry) => entry.action.startsWith('drain.'))).toEqual([]);
  });
});

describe('examples/drain.yaml with examples/faults/drained-canary-breach.yaml', () => {
  let result: RehearsalResult;
  beforeAll(async () => {
    result = await rehearseExample('drain.yaml', 'faults/drained-canary-breach.yaml');
  }, 300_000);

  it('rolls back while us-west-2 is drained, and gives it its weight back after its services', () => {
    expectRolledBack(result);
    const west = inRegion(result, 'us-west-2');
    const removed = first(west, 'drain.weight-removed')!;
    const workloads = first(west, 'rollback.workloads-restored')!;
    const restored = first(west, 'rollback.drain-restored')!;
    expect(removed.seq).toBeLessThan(restored.seq);
    expect(workloads.seq).toBeLessThan(restored.seq);
    expect(restored.detail).toMatchObject({ weights: PLAN_REGION_WEIGHTS });
    expect(restored.detail?.scaledBack).toBeGreaterThan(0);
    expect(all(west, 'drain.weight-restored')).toEqual([]);
    expect(result.dns).toEqual(PLAN_WEIGHTS);
  });

  it('reports the drain as given back by the rollback, with no restore steps', () => {
    expect(buildReportModel(result).drains).toEqual([
      expect.objectContaining({
        region: 'us-west-2',
        outcome: 'given back by the rollback',
        restoreSteps: [],
      }),
    ]);
  });

  it('never reaches eu-west-1, and lets the failover lock go', () => {
    expect(inRegion(result, 'eu-west-1').filter((entry) => entry.action.startsWith('drain.'))).toEqual([]);
    expect(failoverLock(result)).toEqual({ acquired: 1, released: 1 });
  });
});
