/**
 * The Store's lock contract (leases per scope), checked against a DynamoDB implementation:
 * locks.test.ts runs it on DynamoDB Local, store.moto.test.ts on moto.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidInputError, LockHeldError } from '../../../lambdas/core/errors';
import type { LockLease } from '../../../lambdas/ports';
import type { CreateTestStore, DynamoDbTestStore } from '../../support/dynamodb';

const newScope = () => `prod/${randomUUID().slice(0, 8)}`;

async function refusal(attempt: Promise<unknown>): Promise<LockHeldError> {
  const error = await attempt.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(LockHeldError);
  return error as LockHeldError;
}

export function locksContract(createTestStore: CreateTestStore): void {
  let testStore: DynamoDbTestStore;
  beforeAll(async () => {
    testStore = await createTestStore();
  });
  afterAll(async () => {
    await testStore?.dispose();
  });

  describe('leases', () => {
    test('of two releases asking at once, exactly one gets the lease; the other is told who holds it', async () => {
      const scope = newScope();

      const outcomes = await Promise.allSettled([
        testStore.store.acquireLock(scope, { releaseId: 'rel-a', kind: 'release' }, 600),
        testStore.store.acquireLock(scope, { releaseId: 'rel-b', kind: 'release' }, 600),
      ]);

      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const lease = (won[0] as PromiseFulfilledResult<LockLease>).value;
      const error = (lost[0] as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(LockHeldError);
      expect((error as LockHeldError).holder).toEqual(lease);
      expect(error.message).toContain(lease.releaseId);
      expect(await testStore.store.getLock(scope)).toEqual(lease);
    });

    test('a lease is judged by its expiry time: once lapsed another release takes it', async () => {
      const scope = newScope();
      const first = await testStore.store.acquireLock(scope, { releaseId: 'rel-a', kind: 'release' }, 60);
      expect(first.expiresAt).toBe(new Date(testStore.clock.now().getTime() + 60_000).toISOString());

      testStore.clock.advance(59);
      await refusal(testStore.store.acquireLock(scope, { releaseId: 'rel-b', kind: 'release' }, 60));

      testStore.clock.advance(1);
      expect(await testStore.store.getLock(scope)).toBeUndefined();
      const second = await testStore.store.acquireLock(scope, { releaseId: 'rel-b', kind: 'release' }, 60);
      expect(second).toMatchObject({ releaseId: 'rel-b', acquiredAt: testStore.clock.now().toISOString() });
    });

    test('the holder asking again (a retry) re-enters and extends its lease', async () => {
      const scope = newScope();
      const first = await testStore.store.acquireLock(scope, { releaseId: 'rel-a', kind: 'release' }, 60);
      testStore.clock.advance(30);

      const again = await testStore.store.acquireLock(scope, { releaseId: 'rel-a', kind: 'release' }, 60);

      expect(again).toEqual({
        ...first,
        expiresAt: new Date(testStore.clock.now().getTime() + 60_000).toISOString(),
      });
      expect(await testStore.store.getLock(scope)).toEqual(again);
    });

    test('a rollback or a failover takes over a release lease; nothing takes over theirs', async () => {
      const scope = newScope();
      await testStore.store.acquireLock(scope, { releaseId: 'rel-a', kind: 'release' }, 600);

      const rollback = await testStore.store.acquireLock(
        scope,
        { releaseId: 'rel-a', kind: 'rollback' },
        600,
      );
      expect(rollback).toMatchObject({ releaseId: 'rel-a', kind: 'rollback' });

      const byRelease = await refusal(
        testStore.store.acquireLock(scope, { releaseId: 'rel-a', kind: 'release' }, 60),
      );
      expect(byRelease.holder).toEqual(rollback);
      const byFailover = await refusal(
        testStore.store.acquireLock(scope, { releaseId: 'rel-f', kind: 'failover' }, 60),
      );
      expect(byFailover.holder).toEqual(rollback);

      const otherScope = newScope();
      await testStore.store.acquireLock(otherScope, { releaseId: 'rel-b', kind: 'release' }, 600);
      const failover = await testStore.store.acquireLock(
        otherScope,
        { releaseId: 'rel-f', kind: 'failover' },
        600,
      );
      expect(await testStore.store.getLock(otherScope)).toEqual(failover);
    });

    test('only the holder releases a lease', async () => {
      const scope = newScope();
      const lease = await testStore.store.acquireLock(scope, { releaseId: 'rel-a', kind: 'release' }, 600);

      await testStore.store.releaseLock(scope, 'rel-b');
      expect(await testStore.store.getLock(scope)).toEqual(lease);

      await testStore.store.releaseLock(scope, 'rel-a');
      expect(await testStore.store.getLock(scope)).toBeUndefined();
      await testStore.store.releaseLock(scope, 'rel-a');
      await testStore.store.acquireLock(scope, { releaseId: 'rel-b', kind: 'release' }, 600);
    });

    test('a lease must last some time', async () => {
      await expect(
        testStore.store.acquireLock(newScope(), { releaseId: 'rel-a', kind: 'release' }, 0),
      ).rejects.toBeInstanceOf(InvalidInputError);
    });
  });
}
