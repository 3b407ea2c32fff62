import { describe, expect, it } from 'vitest';
import { approve } from '../../lambdas/app/approve';
import { NotFoundError } from '../../lambdas/core/errors';
import { fakePorts } from '../support/fakes';

const RELEASE_ID = 'rel-1';
const APPROVAL = 'us-east-1/auth/step-1';

async function waitingOnApproval() {
  const ports = fakePorts();
  await ports.store.putTaskToken({ releaseId: RELEASE_ID, kind: 'approval', name: APPROVAL }, 'token-1');
  return ports;
}

describe('approve', () => {
  it('approved twice, resumes the step once', async () => {
    const ports = await waitingOnApproval();
    const [first, second] = await Promise.all([
      approve(ports, RELEASE_ID, APPROVAL, 'alice'),
      approve(ports, RELEASE_ID, APPROVAL, 'bob'),
    ]);
    expect([...first.approved, ...second.approved]).toEqual([APPROVAL]);
    expect(ports.workflow.taskSuccesses).toHaveLength(1);
    const given = (await ports.store.listAudit(RELEASE_ID)).filter(
      (entry) => entry.action === 'approval.given',
    );
    expect(given).toHaveLength(1);
    expect(given[0]).toMatchObject({ region: 'us-east-1', service: 'auth', detail: { approval: APPROVAL } });
  });

  it('records an approval whose task has ended as expired, resuming nothing', async () => {
    const ports = await waitingOnApproval();
    ports.workflow.staleTokens.add('token-1');
    expect(await approve(ports, RELEASE_ID, undefined, 'alice')).toEqual({
      releaseId: RELEASE_ID,
      approved: [],
      expired: [APPROVAL],
    });
    expect((await ports.store.listAudit(RELEASE_ID)).map((entry) => entry.action)).toEqual([
      'approval.given',
      'approval.expired',
    ]);
  });

  it('names what waits when the named approval does not', async () => {
    const ports = await waitingOnApproval();
    await expect(approve(ports, RELEASE_ID, 'us-west-2/auth/step-1', 'alice')).rejects.toThrow(NotFoundError);
    await expect(approve(ports, RELEASE_ID, 'us-west-2/auth/step-1', 'alice')).rejects.toThrow(
      `(waiting: ${APPROVAL})`,
    );
  });
});
