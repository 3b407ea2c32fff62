/**
 * A pause until approved parks a task token: an approval resumes the rollout, and no approval
 * within the step's timeout fails it and rolls the release back.
 */
import { describe, expect, it } from 'vitest';
import { expectCompleted, expectRolledBack, fixturePlan, rehearseFixture } from '../fixtures/rehearsal';

describe('a canary paused until approved', () => {
  it('carries on once approved', async () => {
    const result = await rehearseFixture('approval', { autoApproveAfterSeconds: 90 });

    expectCompleted(result, fixturePlan('approval').plan);
    const requested = result.audit.find((entry) => entry.action === 'approval.requested')!;
    const given = result.audit.find((entry) => entry.action === 'approval.given')!;
    expect(given.atSeconds - requested.atSeconds).toBe(90);
    // The notification a person acts on: published once, when the approval was asked for.
    const needed = result.events.filter((event) => event.detailType === 'Approval Needed');
    expect(needed).toEqual([
      {
        atSeconds: requested.atSeconds,
        detailType: 'Approval Needed',
        detail: {
          approval: 'us-east-1/checkout/step-1',
          region: 'us-east-1',
          service: 'checkout',
          stepIndex: 1,
          reason: 'approval',
        },
      },
    ]);
    // Traffic stayed at 50 % until the approval, then went to 100 %.
    const shifted = result.audit.filter((entry) => entry.action === 'traffic.shifted');
    expect(shifted.map((entry) => (entry.detail as { canary: number }).canary)).toEqual([50, 100, 0]);
    expect(shifted[1]!.atSeconds).toBeGreaterThanOrEqual(given.atSeconds);
  });

  it('rolls back when nobody approves within the timeout', async () => {
    const result = await rehearseFixture('approval');

    expectRolledBack(result);
    const requested = result.audit.find((entry) => entry.action === 'approval.requested')!;
    const failed = result.audit.find((entry) => entry.action === 'service.failed')!;
    expect(failed.atSeconds - requested.atSeconds).toBe(300);
    expect(result.audit.map((entry) => entry.action)).not.toContain('approval.given');
  });
});
