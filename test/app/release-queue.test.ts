/**
 * The release queue's use cases on the in-memory ports: queued and emergency submissions, the
 * dispatch when the lock frees (once, whoever races, whatever step a dispatcher stopped at),
 * cancel and preemption. The same dispatch on DynamoDB Local is in
 * test/adapters/dynamodb/release-queue.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { RefusedError } from '../../lambdas/app/refusal';
import {
  cancelQueuedRelease,
  dispatchAfterLockRelease,
  dispatchQueue,
  readQueue,
  releaseLockAndDispatch,
} from '../../lambdas/app/release-queue';
import { submitRelease } from '../../lambdas/app/submit-release';
import { InvalidInputError, LockHeldError, QueueFullError } from '../../lambdas/core/errors';
import { ROLLBACK_LEASE_SECONDS } from '../../lambdas/core/leases';
import { RELEASE_LOCK_SCOPE } from '../../lambdas/core/naming';
import { MAX_QUEUED_RELEASES } from '../../lambdas/core/release-queue';
import type { Ports } from '../../lambdas/ports';
import { planDocument } from '../handlers/world';
import { type FakePorts, fakePorts } from '../support/fakes';

type Json = Record<string, unknown>;

const plan = (releaseId: string, emergency?: string): Json =>
  planDocument(releaseId, (document) => {
    if (emergency) (document.metadata as Json).emergency = { reason: emergency };
  });

/** `first` submitted by alice, holding the lock, RUNNING. */
async function firstRunning(): Promise<FakePorts> {
  const ports = fakePorts();
  await submitRelease(ports, plan('first'), 'alice');
  await ports.store.setReleaseStatus('first', 'RUNNING');
  ports.clock.advance(60);
  return ports;
}

const queueIds = async (ports: FakePorts) => (await ports.store.listQueue()).map((entry) => entry.releaseId);
const startedReleases = (ports: FakePorts) =>
  ports.workflow.started
    .filter((execution) => execution.machine === 'release')
    .map((execution) => execution.name);
const auditOf = async (ports: FakePorts, releaseId: string, action: string) =>
  (await ports.store.listAudit(releaseId)).filter((entry) => entry.action === action);

describe('a queued submission', () => {
  it('is refused without `queue` while the lock is held, storing nothing', async () => {
    const ports = await firstRunning();
    await expect(submitRelease(ports, plan('second'), 'bob')).rejects.toBeInstanceOf(LockHeldError);
    expect(await ports.store.getRelease('second')).toBeUndefined();
    expect(await ports.store.listQueue()).toEqual([]);
  });

  it('waits QUEUED behind the holder, audited with its caller and place, announced, started by nothing', async () => {
    const ports = await firstRunning();
    const answer = await submitRelease(ports, plan('second'), 'bob', { queue: true });

    expect(answer).toMatchObject({
      created: true,
      position: 1,
      release: { status: 'QUEUED', submittedBy: 'bob' },
    });
    expect(await ports.store.listQueue()).toEqual([
      { releaseId: 'second', queuedAt: answer.release.createdAt, submittedBy: 'bob' },
    ]);
    expect(await auditOf(ports, 'second', 'release.queued')).toEqual([
      expect.objectContaining({ actor: 'bob', detail: { position: 1, behind: 'first' } }),
    ]);
    expect(ports.events.published).toContainEqual({
      detailType: 'Release Queued',
      releaseId: 'second',
      detail: { position: 1, behind: 'first' },
    });
    expect(startedReleases(ports)).toEqual(['first']);
    expect((await ports.store.getLock(RELEASE_LOCK_SCOPE))?.releaseId).toBe('first');
  });

  it('takes the lock at once, as without `queue`, when the lock is free and nobody waits', async () => {
    const ports = fakePorts();
    const answer = await submitRelease(ports, plan('alone'), 'ana', { queue: true });
    expect(answer.release.status).toBe('PENDING');
    expect(answer.position).toBeUndefined();
    expect(await auditOf(ports, 'alone', 'release.queued')).toEqual([]);
    expect(startedReleases(ports)).toEqual(['alone']);
  });

  it('joins the end behind others already waiting, even when the lock is free a moment', async () => {
    const ports = await firstRunning();
    await submitRelease(ports, plan('second'), 'bob', { queue: true });
    // The lock is let go without a dispatch (the sweep would start the head within a minute).
    await ports.store.releaseLock(RELEASE_LOCK_SCOPE, 'first');
    ports.clock.advance(1);

    const third = await submitRelease(ports, plan('third'), 'cy', { queue: true });
    // Its own dispatch started the head, not itself.
    expect(third).toMatchObject({ position: 2, release: { status: 'QUEUED' } });
    expect(startedReleases(ports)).toEqual(['first', 'second']);
    expect(await queueIds(ports)).toEqual(['third']);
  });

  it('is the same release when submitted again, with its place, starting nothing', async () => {
    const ports = await firstRunning();
    const first = await submitRelease(ports, plan('second'), 'bob', { queue: true });
    ports.clock.advance(5);
    for (const options of [{ queue: true }, {}]) {
      const again = await submitRelease(ports, plan('second'), 'bob', options);
      expect(again).toMatchObject({ created: false, position: 1, release: first.release });
    }
    expect(await queueIds(ports)).toEqual(['second']);
    expect(await auditOf(ports, 'second', 'release.queued')).toHaveLength(1);
    expect(startedReleases(ports)).toEqual(['first']);
  });

  it(`is refused once ${MAX_QUEUED_RELEASES} wait, with nothing stored`, async () => {
    const ports = await firstRunning();
    for (let index = 0; index < MAX_QUEUED_RELEASES; index++) {
      await submitRelease(ports, plan(`waiting-${index}`), 'bob', { queue: true });
    }
    await expect(submitRelease(ports, plan('one-too-many'), 'bob', { queue: true })).rejects.toBeInstanceOf(
      QueueFullError,
    );
    expect(await ports.store.getRelease('one-too-many')).toBeUndefined();
  });
});

describe('emergency releases', () => {
  it('go to the head of the queue, each audited with its reason, and always through the queue', async () => {
    const ports = await firstRunning();
    await submitRelease(ports, plan('second'), 'bob', { queue: true });
    ports.clock.advance(1);
    // An emergency is queued without being asked to.
    const urgent = await submitRelease(ports, plan('urgent', 'checkout is down'), 'carol');
    expect(urgent).toMatchObject({ position: 1, release: { status: 'QUEUED' } });
    expect(await queueIds(ports)).toEqual(['urgent', 'second']);
    expect((await auditOf(ports, 'urgent', 'release.queued'))[0]).toMatchObject({
      actor: 'carol',
      detail: { position: 1, emergency: 'checkout is down', behind: 'first' },
    });

    await releaseLockAndDispatch(ports, 'first');
    expect(startedReleases(ports)).toEqual(['first', 'urgent']);
  });

  it('with preempt, roll the running holder back first; its rollback ending starts them', async () => {
    const ports = await firstRunning();
    await submitRelease(ports, plan('second'), 'bob', { queue: true });
    const urgent = await submitRelease(ports, plan('urgent', 'payments double-charge'), 'carol', {
      preempt: true,
    });

    expect(urgent).toMatchObject({ position: 1, release: { status: 'QUEUED' } });
    const preempted = await ports.store.getRelease('first');
    expect(preempted).toMatchObject({
      status: 'ROLLING_BACK',
      reason: 'preempted by emergency release urgent: payments double-charge',
    });
    expect(ports.workflow.stopped).toEqual([
      expect.objectContaining({
        executionArn: preempted?.executionArn,
        error: 'PreemptedByEmergencyRelease',
      }),
    ]);
    expect(ports.workflow.started.map((execution) => execution.name)).toEqual(['first', 'first-rollback']);
    expect(await auditOf(ports, 'first', 'release.preempted')).toEqual([
      expect.objectContaining({
        actor: 'carol',
        detail: { by: 'urgent', reason: 'payments double-charge', from: 'RUNNING' },
      }),
    ]);
    expect((await auditOf(ports, 'urgent', 'release.queued'))[0]?.detail).toEqual({
      position: 1,
      emergency: 'payments double-charge',
      behind: 'first',
      preempts: 'first',
    });
    expect(ports.events.published.map((event) => [event.detailType, event.releaseId])).toEqual([
      ['Release Queued', 'second'],
      ['Release Queued', 'urgent'],
      ['Release Preempted', 'first'],
    ]);

    // The rollback takes the lock over, and lets it go when it ends (finishRollback).
    await ports.store.acquireLock(
      RELEASE_LOCK_SCOPE,
      { releaseId: 'first', kind: 'rollback' },
      ROLLBACK_LEASE_SECONDS,
    );
    expect(await dispatchQueue(ports)).toEqual({
      outcome: 'waiting',
      head: 'urgent',
      behind: { releaseId: 'first', kind: 'rollback' },
    });
    await ports.store.setReleaseStatus('first', 'ROLLED_BACK');
    await releaseLockAndDispatch(ports, 'first');
    expect(startedReleases(ports)).toEqual(['first', 'urgent']);
    expect((await ports.store.getRelease('urgent'))?.status).toBe('PENDING');
    expect(await queueIds(ports)).toEqual(['second']);
  });

  it('never preempt a rollback: the emergency waits at the head', async () => {
    const ports = await firstRunning();
    await ports.store.setReleaseStatus('first', 'ROLLING_BACK');
    await ports.store.acquireLock(
      RELEASE_LOCK_SCOPE,
      { releaseId: 'first', kind: 'rollback' },
      ROLLBACK_LEASE_SECONDS,
    );
    const urgent = await submitRelease(ports, plan('urgent', 'hotfix'), 'carol', { preempt: true });
    expect(urgent.release.status).toBe('QUEUED');
    expect(ports.workflow.stopped).toEqual([]);
    expect(await auditOf(ports, 'first', 'release.preempted')).toEqual([]);
    expect((await auditOf(ports, 'urgent', 'release.queued'))[0]?.detail).not.toHaveProperty('preempts');
  });

  it('preempt without metadata.emergency is invalid input, and changes nothing', async () => {
    const ports = await firstRunning();
    await expect(submitRelease(ports, plan('second'), 'bob', { preempt: true })).rejects.toThrow(
      new InvalidInputError(
        'preempt is for emergency releases only: release second has no metadata.emergency.reason',
      ),
    );
    expect(await ports.store.getRelease('second')).toBeUndefined();
    expect((await ports.store.getRelease('first'))?.status).toBe('RUNNING');
  });

  it('submitted again with preempt, preempt again only what still runs (idempotent)', async () => {
    const ports = await firstRunning();
    await submitRelease(ports, plan('urgent', 'hotfix'), 'carol', { preempt: true });
    const again = await submitRelease(ports, plan('urgent', 'hotfix'), 'carol', { preempt: true });
    expect(again).toMatchObject({ created: false, position: 1 });
    expect(ports.workflow.started.map((execution) => execution.name)).toEqual(['first', 'first-rollback']);
    expect(await auditOf(ports, 'first', 'release.preempted')).toHaveLength(1);
  });
});

describe('the dispatch', () => {
  it('starts the head once the lock is let go: lock, PENDING, audit, execution, entry off', async () => {
    const ports = await firstRunning();
    await submitRelease(ports, plan('second'), 'bob', { queue: true });
    await submitRelease(ports, plan('third'), 'cy', { queue: true });
    ports.clock.advance(600);

    await releaseLockAndDispatch(ports, 'first');

    expect(await ports.store.getRelease('second')).toMatchObject({ status: 'PENDING' });
    expect(await ports.store.getLock(RELEASE_LOCK_SCOPE)).toMatchObject({
      releaseId: 'second',
      kind: 'release',
    });
    expect((await ports.store.listAudit('second')).map((entry) => entry.action)).toEqual([
      'release.queued',
      'lock.acquired',
      'release.dequeued',
    ]);
    expect((await auditOf(ports, 'second', 'release.dequeued'))[0]?.detail).toEqual({ waitedSeconds: 600 });
    expect(startedReleases(ports)).toEqual(['first', 'second']);
    expect(await queueIds(ports)).toEqual(['third']);
    expect(await readQueue(ports)).toMatchObject({
      entries: [{ releaseId: 'third', position: 1 }],
      holder: { releaseId: 'second', kind: 'release' },
    });
  });

  it('of dispatchers racing, starts the head once', async () => {
    const ports = await firstRunning();
    await submitRelease(ports, plan('second'), 'bob', { queue: true });
    await submitRelease(ports, plan('third'), 'cy', { queue: true });
    await ports.store.releaseLock(RELEASE_LOCK_SCOPE, 'first');

    const outcomes = await Promise.all([dispatchQueue(ports), dispatchQueue(ports), dispatchQueue(ports)]);
    expect(outcomes.filter((outcome) => outcome.outcome === 'started')).not.toHaveLength(0);
    expect(startedReleases(ports)).toEqual(['first', 'second']);
    expect(await queueIds(ports)).toEqual(['third']);
    expect(await auditOf(ports, 'second', 'release.dequeued')).toHaveLength(1);
  });

  /** Ports whose `method` of `port` fails once, as a dispatcher stopped there (a crash, a timeout). */
  function failingOnce(ports: FakePorts, port: 'store' | 'workflow', method: string): Ports {
    let failed = false;
    const target = ports[port] as unknown as Record<string, (...args: unknown[]) => unknown>;
    const proxy = new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (property !== method || typeof value !== 'function')
          return typeof value === 'function' ? value.bind(object) : value;
        return (...args: unknown[]) => {
          if (failed) return value.apply(object, args);
          failed = true;
          return Promise.reject(new Error(`stopped at ${port}.${method}`));
        };
      },
    });
    return { ...ports, [port]: proxy };
  }

  it.each([
    ['store', 'acquireLock'],
    ['store', 'setReleaseStatus'],
    ['store', 'appendAudit'],
    ['workflow', 'startExecution'],
    ['store', 'removeFromQueue'],
  ] as const)(
    'stopped at %s.%s, is finished by the next dispatch, which starts the head once',
    async (port, method) => {
      const ports = await firstRunning();
      await submitRelease(ports, plan('second'), 'bob', { queue: true });
      await ports.store.releaseLock(RELEASE_LOCK_SCOPE, 'first');

      await expect(dispatchQueue(failingOnce(ports, port, method))).rejects.toThrow(
        `stopped at ${port}.${method}`,
      );
      // Whatever it got to, the release is still found: waiting, or holding the lock for its start.
      expect(await queueIds(ports)).toEqual(['second']);

      const next = await dispatchQueue(ports);
      expect(next).toMatchObject({ outcome: 'started', releaseId: 'second' });
      expect(startedReleases(ports)).toEqual(['first', 'second']);
      expect(await queueIds(ports)).toEqual([]);
      expect(await ports.store.getRelease('second')).toMatchObject({ status: 'PENDING' });
      expect(await ports.store.getLock(RELEASE_LOCK_SCOPE)).toMatchObject({ releaseId: 'second' });
      expect(await auditOf(ports, 'second', 'release.dequeued')).toHaveLength(1);
      expect(await dispatchQueue(ports)).toEqual({ outcome: 'idle' });
    },
  );

  it('drops the entry of a release that ran already, and goes on to the next', async () => {
    const ports = await firstRunning();
    await submitRelease(ports, plan('second'), 'bob', { queue: true });
    await submitRelease(ports, plan('third'), 'cy', { queue: true });
    // `second` was started and ended, by a dispatcher that stopped before taking its entry off.
    await ports.store.setReleaseStatus('second', 'PENDING');
    await ports.store.setReleaseStatus('second', 'RUNNING');
    await ports.store.setReleaseStatus('second', 'SUCCEEDED');
    await ports.store.releaseLock(RELEASE_LOCK_SCOPE, 'first');

    expect(await dispatchQueue(ports)).toMatchObject({ outcome: 'started', releaseId: 'third' });
    expect(await queueIds(ports)).toEqual([]);
  });

  it('after a release lets the lock go, never fails its ending: a failed dispatch is the sweep’s to retry', async () => {
    const ports = await firstRunning();
    await submitRelease(ports, plan('second'), 'bob', { queue: true });
    await ports.store.releaseLock(RELEASE_LOCK_SCOPE, 'first');
    const outcome = await dispatchAfterLockRelease(failingOnce(ports, 'store', 'listQueue'));
    expect(outcome).toEqual({ outcome: 'failed', error: 'Error', message: 'stopped at store.listQueue' });
    expect(await dispatchQueue(ports)).toMatchObject({ outcome: 'started', releaseId: 'second' });
  });
});

describe('cancel', () => {
  it('takes a queued release off, audited with the caller; the next cancel finds it cancelled', async () => {
    const ports = await firstRunning();
    await submitRelease(ports, plan('second'), 'bob', { queue: true });
    await submitRelease(ports, plan('third'), 'cy', { queue: true });

    expect(await cancelQueuedRelease(ports, 'second', 'dana')).toEqual({
      releaseId: 'second',
      status: 'CANCELLED',
      cancelled: true,
    });
    expect(await ports.store.getRelease('second')).toMatchObject({
      status: 'CANCELLED',
      reason: 'cancelled by dana',
    });
    expect(await queueIds(ports)).toEqual(['third']);
    expect(await auditOf(ports, 'second', 'release.cancelled')).toEqual([
      expect.objectContaining({ actor: 'dana' }),
    ]);
    expect(ports.events.published).toContainEqual({
      detailType: 'Release Cancelled',
      releaseId: 'second',
      detail: { actor: 'dana' },
    });
    expect(await cancelQueuedRelease(ports, 'second', 'dana')).toMatchObject({ cancelled: false });
    expect(await auditOf(ports, 'second', 'release.cancelled')).toHaveLength(1);
    // Nothing of it ever starts.
    await releaseLockAndDispatch(ports, 'first');
    expect(startedReleases(ports)).toEqual(['first', 'third']);
  });

  it('refuses anything not queued, naming its status', async () => {
    const ports = await firstRunning();
    await expect(cancelQueuedRelease(ports, 'first', 'dana')).rejects.toThrow(
      new RefusedError(
        'release first is RUNNING, not QUEUED: only a queued release can be cancelled (switchyard abort first stops it and rolls it back)',
        { status: 'RUNNING' },
      ),
    );
    expect((await ports.store.getRelease('first'))?.status).toBe('RUNNING');
  });

  it('lets go of the lock a dispatcher took for it, and starts the next', async () => {
    const ports = await firstRunning();
    await submitRelease(ports, plan('second'), 'bob', { queue: true });
    await submitRelease(ports, plan('third'), 'cy', { queue: true });
    await ports.store.releaseLock(RELEASE_LOCK_SCOPE, 'first');
    // A dispatcher took the lock for `second` and stopped.
    await ports.store.acquireLock(RELEASE_LOCK_SCOPE, { releaseId: 'second', kind: 'release' }, 3600);

    await cancelQueuedRelease(ports, 'second', 'dana');
    expect(startedReleases(ports)).toEqual(['first', 'third']);
    expect(await ports.store.getLock(RELEASE_LOCK_SCOPE)).toMatchObject({ releaseId: 'third' });
  });
});
