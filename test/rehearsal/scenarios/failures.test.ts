/**
 * A failure of each kind at each kind of step ends in one of DESIGN.md's two consistent states:
 * the release completed, or every touched service is back on its snapshot with stable traffic
 * at 100 % (transient-errors.test.ts has the first, and the FAILED state a person must finish).
 * A failed dependency means its dependents never start, and running rollouts stop acting.
 */
import { describe, expect, it } from 'vitest';
import type { RehearsalResult } from '../../../rehearsal/rehearse';
import {
  expectRolledBack,
  type FixturePlanName,
  fixturePlan,
  rehearseFixtureOnce,
  touchedServices,
} from '../fixtures/rehearsal';

const TRIGGERS: readonly string[] = ['alarm.received', 'analysis.fail', 'gate.failed', 'service.failed'];

/** A short progress deadline, so a rollout that never becomes ready is judged stuck quickly. */
const QUICK_DEADLINE = 'fleet: { rollout: { progressDeadlineSeconds: 120 } }';

interface FailureCase {
  failure: string;
  fixture: FixturePlanName;
  faults: string;
  /** The service whose step fails, and the error its rollout fails with. */
  fails: { service: string; error: string; step: string };
}

const ROLLED_BACK_CASES: FailureCase[] = [
  {
    failure: 'analysis fails on the error rate after the second traffic step of a canary',
    fixture: 'canary',
    faults: 'faults: [{ type: degradedVersion, service: auth, errorRatePercent: 20, from: { step: 2 } }]',
    fails: { service: 'auth', error: 'AnalysisFailedError', step: 'analysis' },
  },
  {
    failure: 'analysis fails on p95 latency at the first analysis of a canary',
    fixture: 'canary',
    faults: 'faults: [{ type: degradedVersion, service: auth, p95LatencyMs: 3000 }]',
    fails: { service: 'auth', error: 'AnalysisFailedError', step: 'analysis' },
  },
  {
    failure: 'analysis fails for a dependent after its dependency completed',
    fixture: 'canary',
    faults: 'faults: [{ type: degradedVersion, service: web, errorRatePercent: 20 }]',
    fails: { service: 'web', error: 'AnalysisFailedError', step: 'analysis' },
  },
  {
    failure: 'the readiness gate refuses a canary',
    fixture: 'canary',
    faults: 'faults: [{ type: insecureWorkload, service: web }]',
    fails: { service: 'web', error: 'ReadinessGateFailedError', step: 'gate' },
  },
  {
    failure: 'the readiness gate refuses a recreate before the old version is stopped',
    fixture: 'recreate',
    faults: 'faults: [{ type: insecureWorkload, service: db }]',
    fails: { service: 'db', error: 'ReadinessGateFailedError', step: 'gate' },
  },
  {
    failure: 'a canary Deployment never becomes ready',
    fixture: 'canary',
    faults: `${QUICK_DEADLINE}\nfaults: [{ type: rolloutNeverReady, service: web }]`,
    fails: { service: 'web', error: 'RolloutStuckError', step: 'setWeight' },
  },
  {
    failure: 'the new version of a recreate never becomes ready, after the old one was stopped',
    fixture: 'recreate',
    faults: `${QUICK_DEADLINE}\nfaults: [{ type: rolloutNeverReady, service: db }]`,
    fails: { service: 'db', error: 'RolloutStuckError', step: 'recreate' },
  },
  {
    failure: 'a rolling batch never becomes ready while another service rolls beside it',
    fixture: 'rolling',
    faults: `${QUICK_DEADLINE}\nfaults: [{ type: rolloutNeverReady, service: jaeger }]`,
    fails: { service: 'jaeger', error: 'RolloutStuckError', step: 'setWeight' },
  },
  {
    failure: 'the green side of a blue-green never becomes ready',
    fixture: 'blue-green',
    faults: `${QUICK_DEADLINE}\nfaults: [{ type: rolloutNeverReady, service: api }]`,
    fails: { service: 'api', error: 'RolloutStuckError', step: 'setWeight' },
  },
  {
    failure: 'setting the ALB weights is denied (not worth retrying)',
    fixture: 'canary',
    faults:
      'faults: [{ type: operationFailure, operation: traffic.setWeights, service: web, error: AccessDeniedException }]',
    fails: { service: 'web', error: 'AccessDeniedException', step: 'setWeight' },
  },
  {
    failure: 'promoting the new image to stable times out',
    fixture: 'canary',
    faults: 'faults: [{ type: operationFailure, operation: cluster.setImage, service: auth, timeout: true }]',
    fails: { service: 'auth', error: 'States.Timeout', step: 'promote' },
  },
];

const auditOf = (result: RehearsalResult, service: string) =>
  result.audit.filter((entry) => entry.service === service).map((entry) => entry.action);

describe('a failed step rolls everything touched back', () => {
  it.each(ROLLED_BACK_CASES)('$failure', async ({ fixture, faults, fails }) => {
    const result = await rehearseFixtureOnce(fixture, { faults });

    expectRolledBack(result);
    const failed = result.audit.find((entry) => entry.action === 'service.failed');
    expect(failed).toMatchObject({ service: fails.service, detail: { error: fails.error } });
    // The step that failed is the one the case aims at.
    const done = result.audit.filter(
      (entry) => entry.service === fails.service && entry.action === 'step.completed',
    );
    const { plan } = fixturePlan(fixture);
    const stepCount = result.regions['us-east-1']![fails.service]!.steps;
    expect(done.length).toBeLessThan(stepCount);
    if (fails.step === 'gate') {
      expect(auditOf(result, fails.service)).toContain('gate.failed');
      // Nothing acted on a workload that failed its gate: no traffic, no stopped old version.
      expect(auditOf(result, fails.service)).not.toContain('traffic.shifted');
      expect(auditOf(result, fails.service)).not.toContain('workload.stopped');
    }
    if (fails.step === 'analysis') expect(auditOf(result, fails.service)).toContain('analysis.fail');
    if (fails.step === 'recreate') expect(auditOf(result, fails.service)).toContain('workload.stopped');

    // The rollback restored traffic first, then the workloads in reverse dependency order.
    const actions = result.audit.map((entry) => entry.action);
    expect(actions.indexOf('rollback.traffic-restored')).toBeGreaterThan(-1);
    expect(actions.indexOf('rollback.traffic-restored')).toBeLessThan(
      actions.indexOf('rollback.workloads-restored'),
    );
    const restored = result.audit.find((entry) => entry.action === 'rollback.workloads-restored');
    const order = (restored!.detail as { order: string[] }).order;
    for (const [, service] of touchedServices(result)) expect(order).toContain(service);
    for (const [, service] of touchedServices(result)) {
      for (const dependency of plan.services.get(service)!.dependsOn) {
        if (order.includes(dependency))
          expect(order.indexOf(service)).toBeLessThan(order.indexOf(dependency));
      }
    }
    // From the failure to every touched service verified back, as the audit recorded them.
    const failedAt = result.audit.find((entry) => TRIGGERS.includes(entry.action))!.atSeconds;
    const completedAt = result.audit.find((entry) => entry.action === 'rollback.completed')!.atSeconds;
    expect(result.counters.timeToRollbackSeconds).toBeCloseTo(completedAt - failedAt, 3);
    expect(result.executions.filter((execution) => execution.machine === 'rollback')).toHaveLength(1);
  });
});

const byFailure = (failure: string) => ROLLED_BACK_CASES.find((entry) => entry.failure.startsWith(failure))!;

describe('dependencies and stopping', () => {
  it('a failed dependency means its dependents never start', async () => {
    const { fixture, faults } = byFailure('analysis fails on the error rate');
    const result = await rehearseFixtureOnce(fixture, { faults });

    expect(result.regions['us-east-1']!.web).toMatchObject({
      status: 'PENDING',
      image: 'registry.example.com/edge/web:previous',
      previousImage: null,
      weights: { stable: 100, canary: 0 },
      stepReached: 0,
    });
    expect(result.audit.filter((entry) => entry.service === 'web')).toEqual([]);
    expect(result.executions.map((execution) => execution.name)).not.toContain(
      'fixture-canary-us-east-1-web',
    );
  });

  it('a dependency that fails its gate leaves its dependent untouched too', async () => {
    const { fixture, faults } = byFailure('the readiness gate refuses a recreate');
    const result = await rehearseFixtureOnce(fixture, { faults });

    expect(result.regions['us-east-1']!.cache).toMatchObject({ status: 'PENDING', image: 'redis:previous' });
    expect(result.audit.filter((entry) => entry.service === 'cache')).toEqual([]);
  });

  it('a rollout stops acting once the release is rolling back', async () => {
    // jaeger gets stuck while grafana is mid-analysis: grafana's rollout must stop, not go on.
    const { fixture, faults } = byFailure('a rolling batch never becomes ready');
    const result = await rehearseFixtureOnce(fixture, { faults });

    const rollbackAt = result.audit.find((entry) => entry.action === 'rollback.started')!.atSeconds;
    const actedLater = result.audit.filter(
      (entry) =>
        entry.atSeconds > rollbackAt &&
        ['traffic.shifted', 'step.completed', 'service.started', 'analysis.pass'].includes(entry.action),
    );
    expect(actedLater).toEqual([]);
    expect(
      result.executions.find((execution) => execution.name === 'fixture-rolling-us-east-1-grafana'),
    ).toMatchObject({
      status: 'ABORTED',
    });
  });
});
