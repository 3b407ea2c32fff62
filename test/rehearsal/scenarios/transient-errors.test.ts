/**
 * Transient AWS and Kubernetes errors are retried with backoff until the release goes through;
 * errors that do not stop are reported for a person with exactly what is left.
 */
import { describe, expect, it } from 'vitest';
import {
  expectCompleted,
  expectNeedsAPerson,
  type FixturePlanName,
  fixturePlan,
  rehearseFixture,
} from '../fixtures/rehearsal';

describe('transient errors are retried through', () => {
  it.each<[string, FixturePlanName, string, string, { state: string; operation: string }]>([
    [
      'throttled ALB weight changes (Shift Traffic)',
      'canary',
      'traffic.setWeights',
      'ThrottlingException',
      { state: 'Shift Traffic', operation: 'shiftTraffic' },
    ],
    [
      'a busy API server creating the canary (Scale Canary)',
      'canary',
      'cluster.ensureCanary',
      'TooManyRequests',
      { state: 'Scale Canary', operation: 'prepareCanary' },
    ],
    [
      'throttled CloudWatch metrics (Run Analysis)',
      'canary',
      'signals.compareTargetGroups',
      'ThrottlingException',
      { state: 'Run Analysis', operation: 'runAnalysis' },
    ],
    [
      'API server errors promoting the image (Promote New Version To Stable)',
      'canary',
      'cluster.setImage',
      'InternalError',
      { state: 'Promote New Version To Stable', operation: 'promoteCanary' },
    ],
    [
      "an unavailable API server starting a recreate's new version (Start New Version)",
      'recreate',
      'cluster.setImage',
      'ServiceUnavailable',
      { state: 'Start New Version', operation: 'recreateWorkload' },
    ],
  ])('%s', async (_, fixture, operation, error, task) => {
    const service = fixture === 'recreate' ? 'db' : 'auth';
    const result = await rehearseFixture(fixture, {
      faults: `faults: [{ type: operationFailure, operation: ${operation}, service: ${service}, times: 2, error: ${error} }]`,
    });

    expectCompleted(result, fixturePlan(fixture).plan);
    expect(result.counters.injectedFailures).toBe(2);
    expect(result.audit.map((entry) => entry.action)).not.toContain('service.failed');
    // Each failed attempt is in the audit, by the Task that made it; the third went through.
    const transient = result.audit.filter((entry) => entry.action === 'task.transient-failure');
    expect(transient.map((entry) => [entry.service, entry.detail?.state, entry.detail?.operation])).toEqual([
      [service, task.state, task.operation],
      [service, task.state, task.operation],
    ]);
    expect(transient.map((entry) => entry.detail?.attempt)).toEqual([1, 2]);
    expect(transient.every((entry) => String(entry.detail?.error).startsWith('Transient'))).toBe(true);
    expect(result.auditSequence.gaps).toEqual([]);
  });
});

describe('when a rollback cannot finish, a person is told exactly what is left', () => {
  it('throttling that never stops fails the release naming the service and region left over', async () => {
    const result = await rehearseFixture('canary', {
      faults:
        'faults: [{ type: operationFailure, operation: traffic.setWeights, service: auth, times: 50, error: ThrottlingException }]',
    });

    expectNeedsAPerson(result);
    expect(result.reason).toContain('traffic not yet back on stable in us-east-1: auth');
    expect(result.executions.find((execution) => execution.machine === 'rollback')).toMatchObject({
      status: 'FAILED',
      error: 'RollbackIncompleteError',
    });
  });
});
