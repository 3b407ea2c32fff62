/**
 * Every strategy's happy path, through the real state machines and handlers: the release
 * succeeds, every service runs its new image with stable traffic at 100 % and no canary left.
 */
import { describe, expect, it } from 'vitest';
import type { RehearsalResult } from '../../../rehearsal/rehearse';
import { expectCompleted, type FixturePlanName, fixturePlan, rehearseFixture } from '../fixtures/rehearsal';

type AuditEntry = RehearsalResult['audit'][number];

const weightsShifted = (audit: readonly AuditEntry[], service: string) =>
  audit
    .filter((entry) => entry.service === service && entry.action === 'traffic.shifted')
    .map((entry) => (entry.detail as { canary: number }).canary);

const stepKinds = (audit: readonly AuditEntry[], service: string) =>
  audit
    .filter((entry) => entry.service === service && entry.action === 'step.completed')
    .map((entry) => (entry.detail as { kind: string }).kind);

/** Succeeded, every service on its new image with stable traffic 100 %, and nothing rolled back. */
function expectSucceeded(result: RehearsalResult, fixture: FixturePlanName): void {
  expectCompleted(result, fixturePlan(fixture).plan);
  const actions = result.audit.map((entry) => entry.action);
  expect(actions).toContain('release.succeeded');
  expect(actions).not.toContain('rollback.started');
  expect(result.executions.every((execution) => execution.status === 'SUCCEEDED')).toBe(true);
  // Nothing lost from the audit, and no lock leaked: taken once at submission, let go at the end.
  expect(result.auditSequence).toEqual({
    first: 1,
    last: result.audit.length,
    count: result.audit.length,
    gaps: [],
  });
  expect(result.audit.map((entry) => entry.seq).sort((a, b) => a - b)).toEqual(
    result.audit.map((_, index) => index + 1),
  );
  expect(result.lock).toMatchObject({ atEnd: 'free' });
  expect(result.lock.history.map(({ action, releaseId, kind }) => [action, releaseId, kind])).toEqual([
    ['acquired', result.releaseId, 'release'],
    ['released', result.releaseId, 'release'],
  ]);
}

describe('happy paths', () => {
  it('canary: shifts traffic step by step, judged by analysis, and promotes last', async () => {
    const result = await rehearseFixture('canary');
    expectSucceeded(result, 'canary');
    expect(weightsShifted(result.audit, 'auth')).toEqual([20, 50, 100, 0]);
    expect(stepKinds(result.audit, 'auth')).toEqual([
      'setWeight',
      'analysis',
      'setWeight',
      'analysis',
      'setWeight',
      'promote',
    ]);
    const verdicts = result.audit.filter(
      (entry) => entry.service === 'auth' && entry.action.startsWith('analysis.'),
    );
    expect(verdicts.map((entry) => entry.action)).toEqual(['analysis.pass', 'analysis.pass']);
    // web depends on auth: it starts only once auth has completed.
    const authDone = result.audit.find(
      (entry) => entry.service === 'auth' && entry.action === 'service.completed',
    )!;
    const webStart = result.audit.find(
      (entry) => entry.service === 'web' && entry.action === 'service.started',
    )!;
    expect(webStart.atSeconds).toBeGreaterThanOrEqual(authDone.atSeconds);
  });

  it('blue-green: analyses green at 0 %, switches all traffic at once, keeps blue for the scale-down delay', async () => {
    const result = await rehearseFixture('blue-green');
    expectSucceeded(result, 'blue-green');
    expect(weightsShifted(result.audit, 'api')).toEqual([0, 100, 0]);
    expect(stepKinds(result.audit, 'api')).toEqual([
      'setWeight',
      'analysis',
      'pause',
      'setWeight',
      'pause',
      'promote',
    ]);
    const switched = result.audit.find(
      (entry) => entry.action === 'traffic.shifted' && (entry.detail as { canary: number }).canary === 100,
    )!;
    const promoted = result.audit.find((entry) => entry.action === 'service.completed')!;
    expect(promoted.atSeconds - switched.atSeconds).toBeGreaterThanOrEqual(120);
  });

  it('rolling: moves replicas batch by batch, analysing per batch only where asked', async () => {
    const result = await rehearseFixture('rolling');
    expectSucceeded(result, 'rolling');
    // 50 % batches of 4 replicas; the analysis after each batch is grafana's.
    expect(weightsShifted(result.audit, 'grafana')).toEqual([50, 100, 0]);
    expect(stepKinds(result.audit, 'grafana')).toEqual([
      'setWeight',
      'analysis',
      'setWeight',
      'analysis',
      'promote',
    ]);
    // Batches of one replica out of three (traffic follows the replica ratio), no analysis between.
    expect(weightsShifted(result.audit, 'jaeger')).toEqual([33, 67, 100, 0]);
    expect(stepKinds(result.audit, 'jaeger')).toEqual(['setWeight', 'setWeight', 'setWeight', 'promote']);
    expect(
      result.audit.some((entry) => entry.service === 'jaeger' && entry.action.startsWith('analysis.')),
    ).toBe(false);
  });

  it('recreate: stops the old version before starting the new one', async () => {
    const result = await rehearseFixture('recreate');
    expectSucceeded(result, 'recreate');
    const db = result.audit.filter((entry) => entry.service === 'db').map((entry) => entry.action);
    expect(db.indexOf('workload.stopped')).toBeGreaterThan(-1);
    expect(db.indexOf('workload.stopped')).toBeLessThan(db.indexOf('workload.started'));
    expect(result.audit.some((entry) => entry.action === 'traffic.shifted')).toBe(false);
  });

  it('two waves: regions in order with the bake between them, services as a DAG, child executions by name', async () => {
    const result = await rehearseFixture('two-regions');
    expectSucceeded(result, 'two-regions');

    const first = (action: string, region: string, service?: string) =>
      result.audit.find(
        (entry) =>
          entry.action === action && entry.region === region && (!service || entry.service === service),
      )!.atSeconds;
    const wave1Done = result.audit.find((entry) => entry.action === 'wave.completed')!.atSeconds;
    const usw2Start = Math.min(
      ...result.audit.filter((entry) => entry.region === 'us-west-2').map((entry) => entry.atSeconds),
    );
    expect(usw2Start - wave1Done).toBeGreaterThanOrEqual(120);
    expect(
      Math.max(...result.audit.filter((e) => e.region === 'us-east-1').map((e) => e.atSeconds)),
    ).toBeLessThanOrEqual(usw2Start);
    for (const region of ['us-east-1', 'us-west-2']) {
      // worker depends on nothing: it starts at once, beside store; auth waits for store only.
      expect(first('service.started', region, 'worker')).toBe(first('service.started', region, 'store'));
      expect(first('service.started', region, 'auth')).toBeGreaterThanOrEqual(
        first('service.completed', region, 'store'),
      );
      expect(first('service.started', region, 'web')).toBeGreaterThanOrEqual(
        first('service.completed', region, 'auth'),
      );
      expect(first('service.started', region, 'worker')).toBeLessThan(
        first('service.completed', region, 'store'),
      );
    }

    const names = result.executions
      .filter((execution) => execution.machine === 'serviceRollout')
      .map((e) => e.name);
    expect(names.sort()).toEqual(
      ['us-east-1', 'us-west-2'].flatMap((region) =>
        ['auth', 'store', 'web', 'worker'].map((service) => `fixture-two-regions-${region}-${service}`),
      ),
    );
    expect(result.dns).toEqual({ use1: 100, usw2: 50 });
    expect(result.counters.makespanSeconds).toBeGreaterThan(0);
    expect(result.counters.timeToRollbackSeconds).toBeUndefined();
  });
});
