import { describe, expect, it } from 'vitest';
import { planHash, submitRelease } from '../../lambdas/app/submit-release';
import { LockHeldError, PlanInvalidError, ReleaseConflictError } from '../../lambdas/core/errors';
import { RELEASE_LOCK_SCOPE } from '../../lambdas/core/naming';
import { fakePorts } from '../support/fakes';
import { type Json, nextReleaseId, planDocument } from './world';

async function problemsOf(promise: Promise<unknown>): Promise<Array<{ path: string; message: string }>> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PlanInvalidError);
  return [...(error as PlanInvalidError).problems];
}

describe('submitRelease', () => {
  it('stores the release PENDING and starts the execution named by its id', async () => {
    const ports = fakePorts();
    const releaseId = nextReleaseId();
    const submitted = await submitRelease(ports, planDocument(releaseId), 'alice');
    expect(submitted.created).toBe(true);
    expect(submitted.release).toMatchObject({ releaseId, status: 'PENDING', submittedBy: 'alice' });
    expect(submitted.executionArn).toBe(ports.workflow.executionArnFor('release', releaseId));
    expect(ports.workflow.started.map(({ machine, name, input }) => ({ machine, name, input }))).toEqual([
      { machine: 'release', name: releaseId, input: { releaseId } },
    ]);
  });

  it('refuses an invalid plan naming every problem by its path, and stores nothing', async () => {
    const ports = fakePorts();
    const releaseId = nextReleaseId();
    const plan = planDocument(releaseId) as { services: Json[] };
    const db = plan.services.find((service) => service.name === 'db')!;
    db.dependsOn = ['web', 'ledger'];
    expect(await problemsOf(submitRelease(ports, plan))).toEqual([
      {
        path: 'services[0].dependsOn[1]',
        message: '"db" depends on "ledger", which is not a service in this plan',
      },
      { path: 'services[0].dependsOn', message: 'dependency cycle: db → web → auth → db' },
    ]);
    expect(await ports.store.getRelease(releaseId)).toBeUndefined();
    expect(ports.workflow.started).toEqual([]);
  });

  it('refuses while another release holds the lock, naming the holder, and stores nothing', async () => {
    const ports = fakePorts();
    await ports.store.acquireLock(RELEASE_LOCK_SCOPE, { releaseId: 'payments-42', kind: 'release' }, 3600);
    const releaseId = nextReleaseId();
    const submission = submitRelease(ports, planDocument(releaseId));
    await expect(submission).rejects.toThrow(LockHeldError);
    await expect(submission).rejects.toThrow(
      'scope "fleet" is locked by release payments-42 since 2026-11-22T10:00:00.000Z (lease until 2026-11-22T11:00:00.000Z)',
    );
    const error = (await submission.catch((caught: unknown) => caught)) as LockHeldError;
    expect(error.holder).toMatchObject({ scope: 'fleet', releaseId: 'payments-42', kind: 'release' });
    expect(await ports.store.getRelease(releaseId)).toBeUndefined();
    expect(ports.workflow.started).toEqual([]);
  });

  it('goes ahead once the holder’s lease has expired', async () => {
    const ports = fakePorts();
    await ports.store.acquireLock(RELEASE_LOCK_SCOPE, { releaseId: 'payments-42', kind: 'release' }, 3600);
    ports.clock.advance(3601);
    await expect(submitRelease(ports, planDocument(nextReleaseId()))).resolves.toMatchObject({
      created: true,
    });
  });

  it('creates the same id and plan once, however often it is submitted', async () => {
    const ports = fakePorts();
    const releaseId = nextReleaseId();
    const first = await submitRelease(ports, planDocument(releaseId));
    // the same plan written in another key order is the same plan
    const reordered = Object.fromEntries(Object.entries(planDocument(releaseId)).reverse());
    ports.clock.advance(30);
    const second = await submitRelease(ports, reordered);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.release).toEqual(first.release);
    expect(ports.workflow.started).toHaveLength(1);
  });

  it('a resubmission is not refused by the release’s own lock', async () => {
    const ports = fakePorts();
    const releaseId = nextReleaseId();
    await submitRelease(ports, planDocument(releaseId));
    await ports.store.acquireLock(RELEASE_LOCK_SCOPE, { releaseId, kind: 'release' }, 3600);
    await expect(submitRelease(ports, planDocument(releaseId))).resolves.toMatchObject({ created: false });
  });

  it('refuses the same id with another plan', async () => {
    const ports = fakePorts();
    const releaseId = nextReleaseId();
    await submitRelease(ports, planDocument(releaseId));
    const changed = planDocument(releaseId, (plan) => ((plan.metadata as Json).description = 'another plan'));
    await expect(submitRelease(ports, changed)).rejects.toThrow(ReleaseConflictError);
    expect(ports.workflow.started).toHaveLength(1);
  });
});

describe('submitRelease takes the lock at the door', () => {
  it('of many different releases submitted at once, starts exactly one and refuses the others naming it', async () => {
    const ports = fakePorts();
    const ids = Array.from({ length: 20 }, () => nextReleaseId());
    const outcomes = await Promise.allSettled(ids.map((id) => submitRelease(ports, planDocument(id))));
    const started = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    expect(started).toHaveLength(1);
    const winner = started[0]!.release.releaseId;
    const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(refusals).toHaveLength(19);
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(LockHeldError);
      expect((refusal as LockHeldError).holder.releaseId).toBe(winner);
    }
    expect(ports.workflow.started.map((start) => start.name)).toEqual([winner]);
    for (const id of ids.filter((id) => id !== winner))
      expect(await ports.store.getRelease(id)).toBeUndefined();
  });

  it('lets the lock go when its execution cannot be started', async () => {
    const ports = fakePorts();
    const releaseId = nextReleaseId();
    ports.workflow.startExecution = async () => {
      throw new Error('Step Functions is unavailable');
    };
    await expect(submitRelease(ports, planDocument(releaseId))).rejects.toThrow(
      'Step Functions is unavailable',
    );
    expect(await ports.store.getLock(RELEASE_LOCK_SCOPE)).toBeUndefined();
    expect((await ports.store.listAudit(releaseId)).map((entry) => [entry.seq, entry.action])).toEqual([
      [1, 'lock.acquired'],
      [2, 'lock.released'],
    ]);
  });

  it('records taking the lock in the release’s audit, naming who submitted it', async () => {
    const ports = fakePorts();
    const releaseId = nextReleaseId();
    await submitRelease(ports, planDocument(releaseId), 'alice');
    const audit = await ports.store.listAudit(releaseId);
    expect(audit).toEqual([
      expect.objectContaining({
        seq: 1,
        action: 'lock.acquired',
        actor: 'alice',
        detail: expect.objectContaining({ scope: RELEASE_LOCK_SCOPE, holder: releaseId, kind: 'release' }),
      }),
    ]);
    // Submitted again: the lock is renewed, and nothing new is recorded.
    await submitRelease(ports, planDocument(releaseId), 'alice');
    expect(await ports.store.listAudit(releaseId)).toEqual(audit);
  });

  it('keeps the lock of a running release when the same id comes with another plan', async () => {
    const ports = fakePorts();
    const releaseId = nextReleaseId();
    await submitRelease(ports, planDocument(releaseId));
    const other = planDocument(releaseId) as { services: Json[] };
    other.services[0]!.image = 'registry.example.com/db:9.9.9';
    await expect(submitRelease(ports, other)).rejects.toThrow(ReleaseConflictError);
    expect((await ports.store.getLock(RELEASE_LOCK_SCOPE))?.releaseId).toBe(releaseId);
  });
});

describe('planHash', () => {
  it('ignores key order and absent fields, and sees every value', () => {
    expect(planHash({ a: 1, b: { c: [1, 2], d: undefined } })).toBe(planHash({ b: { c: [1, 2] }, a: 1 }));
    expect(planHash({ a: 1, b: { c: [1, 2] } })).not.toBe(planHash({ a: 1, b: { c: [2, 1] } }));
  });
});
