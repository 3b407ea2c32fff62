/**
 * `switchyard rehearse` as a user runs it (`node bin/switchyard.js`, from the repository root):
 * its exit codes and its --json document. Each rehearsal starts its own DynamoDB Local, so the
 * runs start together once and each test reads its own result; the reference platform runs once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RehearsalResult } from '../../rehearsal/rehearse';
import { type Run, runAll } from '../support/cli';

const FIXTURES = 'test/rehearsal/fixtures';

const runs = {
  canaryBreach: [
    'rehearse',
    'examples/platform.yaml',
    '--faults',
    'examples/faults/canary-breach.yaml',
    '--json',
  ],
  recreate: ['rehearse', `${FIXTURES}/recreate.yaml`, '--seed', '3'],
  needsPerson: [
    'rehearse',
    `${FIXTURES}/canary.yaml`,
    '--faults',
    `${FIXTURES}/faults/throttled-forever.yaml`,
    '--json',
  ],
  invalidPlan: ['rehearse', 'examples/invalid/cycle.yaml'],
  invalidFaults: [
    'rehearse',
    `${FIXTURES}/canary.yaml`,
    '--faults',
    `${FIXTURES}/faults/unknown-service.yaml`,
  ],
  badSeed: ['rehearse', `${FIXTURES}/canary.yaml`, '--seed', 'soon'],
} as const;

const results = {} as Record<keyof typeof runs, Run>;

beforeAll(async () => {
  Object.assign(results, await runAll(runs, 150_000));
}, 180_000);

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe('switchyard rehearse', () => {
  it('rolls the reference platform back from a canary breach: exit 3, every touched service on its old image', () => {
    const { code, stdout, stderr } = results.canaryBreach;
    expect(code, stderr).toBe(3);
    const result = JSON.parse(stdout) as RehearsalResult;
    expect(result.status).toBe('ROLLED_BACK');
    expect(result.releaseId).toBe('platform-2026-11-22');

    const services = Object.entries(result.regions).flatMap(([region, byName]) =>
      Object.entries(byName).map(([service, state]) => ({ region, service, ...state })),
    );
    const touched = services.filter((state) => state.status !== 'PENDING');
    expect(touched.map((state) => `${state.region}/${state.service}`)).toContain('us-east-1/auth');
    for (const state of touched) {
      expect(state.status, `${state.service} in ${state.region}`).toBe('ROLLED_BACK');
      expect(state.previousImage, `${state.service} in ${state.region}`).not.toBeNull();
      expect(state.image, `${state.service} in ${state.region}`).toBe(state.previousImage);
      expect(state.canaryReplicas).toBe(0);
    }
    // Every ALB listener sends all traffic to stable, touched or not.
    for (const state of services) {
      if (state.weights)
        expect(state.weights, `${state.service} in ${state.region}`).toEqual({ stable: 100, canary: 0 });
    }
    // The breach was auth's, after its second traffic step; nothing started in later waves.
    expect(
      result.audit.find((entry) => entry.action === 'service.failed' || entry.action === 'alarm.received'),
    ).toMatchObject({
      region: 'us-east-1',
    });
    expect(
      services.filter((state) => state.region !== 'us-east-1').every((state) => state.status === 'PENDING'),
    ).toBe(true);
  });

  it('charts the analysis the alarm cut short from what CloudWatch had up to the stop: the canary past its abort limit', () => {
    const result = JSON.parse(results.canaryBreach.stdout) as RehearsalResult;
    const [cut, ...more] = result.interruptedAnalyses ?? [];
    expect(more).toEqual([]);
    expect(cut).toMatchObject({ region: 'us-east-1', service: 'auth', stepIndex: 3 });
    expect(cut!.interruptedBy).toContain('switchyard-abort-platform-2026-11-22-us-east-1-auth');
    const canaryErrors = cut!.comparison.canary.errorRatePercent.filter(
      (value): value is number => value !== null,
    );
    expect(canaryErrors.length).toBeGreaterThan(0);
    expect(Math.max(...canaryErrors)).toBeGreaterThan(cut!.comparison.limits.abortErrorRatePercent!);
  });

  it('reports the counters the issue asks for in --json', () => {
    const result = JSON.parse(results.canaryBreach.stdout) as RehearsalResult;
    expect(result.counters).toMatchObject({
      stateTransitions: expect.any(Number),
      maxHistoryEvents: expect.any(Number),
      executions: expect.any(Number),
      makespanSeconds: expect.any(Number),
      criticalPathSeconds: expect.any(Number),
      timeToRollbackSeconds: expect.any(Number),
    });
    expect(result.counters.maxHistoryEvents).toBeLessThan(25_000);
    expect(result.counters.executions).toBe(result.executions.length);
    expect(
      result.audit.every((entry, index, all) => index === 0 || entry.atSeconds >= all[index - 1]!.atSeconds),
    ).toBe(true);
  });

  it('exits 0 when the release succeeds, with a plain summary when output is not a terminal', () => {
    const { code, stdout, stderr } = results.recreate;
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('Release fixture-recreate: SUCCEEDED');
    expect(stdout).toMatch(/us-east-1\s+db\s+COMPLETED\s+postgres:16\.4/);
    expect(stdout).not.toContain('\u001b[');
  });

  it('exits 4 when the rollback cannot finish, naming what is left', () => {
    const { code, stdout, stderr } = results.needsPerson;
    expect(code, stderr).toBe(4);
    const result = JSON.parse(stdout) as RehearsalResult;
    expect(result.status).toBe('FAILED');
    expect(result.reason).toContain('needs a person');
    expect(result.reason).toContain('us-east-1: auth');
  });

  it('exits 2 on an invalid plan, naming the problem without a stack trace', () => {
    const { code, stderr } = results.invalidPlan;
    expect(code).toBe(2);
    expect(stderr).toContain('dependency cycle');
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it('exits 2 on a fault file that names what the plan does not have', () => {
    const { code, stderr } = results.invalidFaults;
    expect(code).toBe(2);
    expect(stderr).toContain('unknown-service.yaml');
    expect(stderr).toContain('payments');
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it('exits 2 on a seed that is not a whole number', () => {
    expect(results.badSeed.code).toBe(2);
    expect(results.badSeed.stderr).toContain('--seed');
  });
});
