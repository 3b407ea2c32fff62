/**
 * The release queue in the Store contract: entries written only with their QUEUED release, read
 * in queue order (emergencies first, then by submission), bounded, and taken off once.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConditionFailedError, QueueFullError } from '../../lambdas/core/errors';
import { MAX_QUEUED_RELEASES } from '../../lambdas/core/release-queue';
import type { ReleaseRecord } from '../../lambdas/ports';
import type { CreateStoreUnderTest, StoreUnderTest } from './store-contract';
import { releaseRecord, uniqueId } from './store-records';

export function queueCases(createTestStore: CreateStoreUnderTest): void {
  describe('the release queue', () => {
    // A table of its own for each case: the queue is one per table.
    let testStore: StoreUnderTest;
    beforeEach(async () => {
      testStore = await createTestStore();
    });
    afterEach(async () => {
      await testStore?.dispose();
    });

    const queued = (minute: number, overrides: Partial<ReleaseRecord> = {}) =>
      releaseRecord({
        status: 'QUEUED',
        createdAt: `2030-05-01T10:${String(minute).padStart(2, '0')}:00.000Z`,
        ...overrides,
      });
    const enqueue = (release: ReleaseRecord, emergency?: string) =>
      testStore.store.createRelease(
        release,
        { plan: release.releaseId },
        {
          enqueue: emergency ? { emergency: { reason: emergency } } : {},
        },
      );
    const queueIds = async () => (await testStore.store.listQueue()).map((entry) => entry.releaseId);

    test('reads emergencies first, each kind by submission, with what each entry was queued with', async () => {
      const first = queued(1, { releaseId: 'b-first' });
      const second = queued(2, { releaseId: 'a-second', submittedBy: 'bob' });
      const urgentLater = queued(4, { releaseId: 'urgent-later' });
      const urgent = queued(3, { releaseId: 'urgent' });
      for (const release of [second, urgentLater, first])
        await enqueue(release, release === urgentLater ? 'hotfix 2' : undefined);
      await enqueue(urgent, 'payments down');

      expect(await queueIds()).toEqual(['urgent', 'urgent-later', 'b-first', 'a-second']);
      expect((await testStore.store.listQueue())[0]).toEqual({
        releaseId: 'urgent',
        queuedAt: urgent.createdAt,
        submittedBy: 'alice',
        emergency: { reason: 'payments down' },
      });
      expect((await testStore.store.listQueue())[3]).toEqual({
        releaseId: 'a-second',
        queuedAt: second.createdAt,
        submittedBy: 'bob',
      });
      expect(await testStore.store.getRelease('urgent')).toEqual(urgent);
    });

    test('the same release queued again is the same release, with one entry', async () => {
      const release = queued(1);
      expect(await enqueue(release)).toEqual({ created: true, release });
      expect(await enqueue({ ...release, createdAt: '2030-05-01T11:00:00.000Z' })).toEqual({
        created: false,
        release,
      });
      expect(await queueIds()).toEqual([release.releaseId]);
      // Without `enqueue` nothing is queued.
      await testStore.store.createRelease(releaseRecord(), {});
      expect(await queueIds()).toEqual([release.releaseId]);
    });

    test(`holds at most ${MAX_QUEUED_RELEASES}: one more is refused and nothing of it is stored`, async () => {
      for (let minute = 0; minute < MAX_QUEUED_RELEASES; minute++) await enqueue(queued(minute));
      const refused = queued(59);
      await expect(enqueue(refused)).rejects.toBeInstanceOf(QueueFullError);
      await expect(enqueue(queued(58), 'urgent')).rejects.toBeInstanceOf(QueueFullError);
      expect(await testStore.store.getRelease(refused.releaseId)).toBeUndefined();
      expect(await testStore.store.listQueue()).toHaveLength(MAX_QUEUED_RELEASES);

      // A place taken off is a place free again (and only one).
      await testStore.store.removeFromQueue((await queueIds())[0]!);
      await enqueue(refused);
      await expect(enqueue(queued(57))).rejects.toBeInstanceOf(QueueFullError);
      expect(await testStore.store.listQueue()).toHaveLength(MAX_QUEUED_RELEASES);
    });

    test('of more submissions at once than places, exactly as many as there are places are queued', async () => {
      for (let minute = 0; minute < MAX_QUEUED_RELEASES - 3; minute++) await enqueue(queued(minute));
      const racing = Array.from({ length: 8 }, (_, index) => queued(30 + index));
      const outcomes = await Promise.allSettled(racing.map((release) => enqueue(release)));
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(QueueFullError);
      }
      expect(await testStore.store.listQueue()).toHaveLength(MAX_QUEUED_RELEASES);
    });

    test('an entry is taken off once: removing it again, or one never queued, changes nothing', async () => {
      const [a, b] = [queued(1), queued(2)];
      await enqueue(a);
      await enqueue(b);
      await Promise.all([
        testStore.store.removeFromQueue(a.releaseId),
        testStore.store.removeFromQueue(a.releaseId),
      ]);
      await testStore.store.removeFromQueue(a.releaseId);
      await testStore.store.removeFromQueue(uniqueId('never-queued'));
      expect(await queueIds()).toEqual([b.releaseId]);
      // The release itself stays.
      expect((await testStore.store.getRelease(a.releaseId))?.status).toBe('QUEUED');
    });

    test('a status change with leaveQueue takes the entry off in the same write; a refused one keeps it', async () => {
      const [a, b] = [queued(1), queued(2)];
      await enqueue(a);
      await enqueue(b);

      // QUEUED never goes straight to RUNNING: nothing moves, nothing leaves.
      await expect(
        testStore.store.setReleaseStatus(a.releaseId, 'RUNNING', { leaveQueue: true }),
      ).rejects.toBeInstanceOf(ConditionFailedError);
      expect(await queueIds()).toEqual([a.releaseId, b.releaseId]);

      testStore.clock.advance(60);
      const cancelled = await testStore.store.setReleaseStatus(a.releaseId, 'CANCELLED', {
        from: ['QUEUED'],
        reason: 'cancelled by bob',
        leaveQueue: true,
      });
      expect(cancelled).toEqual({
        ...a,
        status: 'CANCELLED',
        reason: 'cancelled by bob',
        updatedAt: testStore.clock.now().toISOString(),
      });
      expect(await queueIds()).toEqual([b.releaseId]);
      // A second cancel finds it cancelled (a retry), with no entry left to take.
      await testStore.store.setReleaseStatus(a.releaseId, 'CANCELLED', { leaveQueue: true });
      // A move without leaveQueue keeps the entry: the dispatcher takes it off once the release started.
      await testStore.store.setReleaseStatus(b.releaseId, 'PENDING', { from: ['QUEUED'] });
      expect(await queueIds()).toEqual([b.releaseId]);
      expect(
        (await testStore.store.listReleases({ status: 'CANCELLED' })).items.map((r) => r.releaseId),
      ).toEqual([a.releaseId]);
    });
  });
}
