import { describe, expect, it } from 'vitest';
import type { LockHolder } from '../../lambdas/core/errors';
import { RELEASE_STATUSES } from '../../lambdas/core/lifecycle';
import {
  decideDispatch,
  decidePreemption,
  dispatchStep,
  inQueueOrder,
  type QueueEntry,
  queueEntryFor,
  queuePosition,
  queueSortKey,
} from '../../lambdas/core/release-queue';

const entry = (releaseId: string, minute: number, emergency?: string): QueueEntry => ({
  releaseId,
  queuedAt: `2026-11-22T10:${String(minute).padStart(2, '0')}:00.000Z`,
  ...(emergency && { emergency: { reason: emergency } }),
});
const lock = (releaseId: string, kind: LockHolder['kind'] = 'release'): LockHolder => ({
  scope: 'fleet',
  releaseId,
  kind,
  acquiredAt: '2026-11-22T09:00:00.000Z',
  expiresAt: '2026-11-22T15:00:00.000Z',
});

describe('the queue order', () => {
  it('puts emergencies first, each kind by submission time, then by id', () => {
    const queue = [
      entry('late', 9),
      entry('b-early', 1),
      entry('urgent-late', 8, 'second fix'),
      entry('a-early', 1),
      entry('urgent', 5, 'payments down'),
    ];
    expect(inQueueOrder(queue).map((queued) => queued.releaseId)).toEqual([
      'urgent',
      'urgent-late',
      'a-early',
      'b-early',
      'late',
    ]);
    // A copy: what it was given keeps its order.
    expect(queue[0]!.releaseId).toBe('late');
  });

  it('is the order of the sort key the store keeps entries under', () => {
    expect(queueSortKey(entry('r1', 3, 'why'))).toBe('0#2026-11-22T10:03:00.000Z#r1');
    expect(queueSortKey(entry('r1', 3))).toBe('1#2026-11-22T10:03:00.000Z#r1');
  });

  it("makes an entry from a release record: its id, creation time and submitter, and an emergency's reason", () => {
    const release = { releaseId: 'r1', createdAt: '2026-11-22T10:00:00.000Z', submittedBy: 'ana' };
    expect(queueEntryFor(release, { reason: 'hotfix' })).toEqual({
      releaseId: 'r1',
      queuedAt: release.createdAt,
      submittedBy: 'ana',
      emergency: { reason: 'hotfix' },
    });
    expect(queueEntryFor({ releaseId: 'r2', createdAt: release.createdAt })).toEqual({
      releaseId: 'r2',
      queuedAt: release.createdAt,
    });
  });

  it('numbers positions from 1', () => {
    const queue = [entry('a', 1), entry('b', 2)];
    expect(queuePosition(queue, 'a')).toBe(1);
    expect(queuePosition(queue, 'b')).toBe(2);
    expect(queuePosition(queue, 'c')).toBeUndefined();
  });
});

describe('what the dispatcher does', () => {
  const queue = [entry('head', 1), entry('next', 2)];

  it('does nothing for an empty queue, whoever holds the lock', () => {
    expect(decideDispatch([], undefined)).toEqual({ action: 'idle' });
    expect(decideDispatch([], lock('someone'))).toEqual({ action: 'idle' });
  });

  it('starts the head when the lock is free', () => {
    expect(decideDispatch(queue, undefined)).toEqual({
      action: 'dispatch',
      releaseId: 'head',
      holdsLock: false,
    });
  });

  it('finishes a queued release that already holds the lock, wherever it stands, before the head', () => {
    expect(decideDispatch(queue, lock('next'))).toEqual({
      action: 'dispatch',
      releaseId: 'next',
      holdsLock: true,
    });
    // An emergency queued since does not take the lock back from it.
    const withEmergency = inQueueOrder([...queue, entry('urgent', 3, 'now')]);
    expect(decideDispatch(withEmergency, lock('head'))).toMatchObject({ releaseId: 'head', holdsLock: true });
  });

  it('waits behind a release, a rollback or a failover holding the lock', () => {
    for (const [holder, status] of [
      [lock('running'), 'RUNNING'],
      [lock('monitoring'), 'MONITORING'],
      [lock('rolling', 'rollback'), 'ROLLING_BACK'],
    ] as const) {
      expect(decideDispatch(queue, holder, status)).toEqual({ action: 'wait', head: 'head', holder });
    }
  });

  it('lets go of a lock held by a release cancelled before its turn (a dispatcher stopped half-way)', () => {
    expect(decideDispatch(queue, lock('gone'), 'CANCELLED')).toEqual({
      action: 'free-lock',
      holder: lock('gone'),
    });
  });

  it('starts a release that is QUEUED, or PENDING and never started; drops every other entry', () => {
    for (const status of RELEASE_STATUSES) {
      expect(dispatchStep(status), status).toBe(
        status === 'QUEUED' || status === 'PENDING' ? 'start' : 'drop',
      );
    }
    expect(dispatchStep(undefined)).toBe('drop');
  });
});

describe('whom an emergency release preempts', () => {
  it('a release holding the lock that still runs: PENDING, RUNNING or MONITORING', () => {
    for (const status of ['PENDING', 'RUNNING', 'MONITORING'] as const) {
      expect(decidePreemption(lock('first'), status)).toEqual({ action: 'preempt', releaseId: 'first' });
    }
  });

  it('never a rollback: rollback outranks every release, and the emergency waits at the head', () => {
    for (const [holder, status] of [
      [lock('first', 'rollback'), 'ROLLING_BACK'],
      [lock('first'), 'ROLLING_BACK'],
    ] as const) {
      expect(decidePreemption(holder, status)).toMatchObject({
        action: 'none',
        why: expect.stringContaining('rollback is never preempted'),
      });
    }
  });

  it('nothing when the lock is free or its holder runs no more', () => {
    expect(decidePreemption(undefined, undefined)).toEqual({
      action: 'none',
      why: 'the release lock is free',
    });
    expect(decidePreemption(lock('done'), 'SUCCEEDED')).toMatchObject({ action: 'none' });
    expect(decidePreemption(lock('waiting'), 'QUEUED')).toMatchObject({ action: 'none' });
  });
});
