import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ConditionFailedError,
  InvalidInputError,
  NotFoundError,
  ReleaseConflictError,
} from '../../lambdas/core/errors';
import type { ReleaseRecord, ReleaseStatus } from '../../lambdas/ports';
import type { CreateStoreUnderTest, StoreUnderTest } from './store-contract';
import { auditEntry, releaseRecord, rolloutRecord, uniqueId } from './store-records';

export function releaseCases(createTestStore: CreateStoreUnderTest): void {
  let testStore: StoreUnderTest;
  beforeAll(async () => {
    testStore = await createTestStore();
  });
  afterAll(async () => {
    await testStore?.dispose();
  });

  describe('releases', () => {
    test('a created release and its plan read back as written', async () => {
      const release = releaseRecord();
      const plan = { apiVersion: 'switchyard.dev/v1', services: [{ name: 'auth' }] };

      const result = await testStore.store.createRelease(release, plan);

      expect(result).toEqual({ created: true, release });
      expect(await testStore.store.getRelease(release.releaseId)).toEqual(release);
      expect(await testStore.store.getPlanDocument(release.releaseId)).toEqual(plan);
    });

    test('creating the same release again returns the original; another plan is a conflict', async () => {
      const original = releaseRecord({ planHash: 'sha256:first' });
      await testStore.store.createRelease(original, { version: 1 });

      const retry = await testStore.store.createRelease(
        { ...original, submittedBy: 'bob', createdAt: '2030-05-01T10:00:05.000Z' },
        { version: 1 },
      );
      expect(retry).toEqual({ created: false, release: original });

      await expect(
        testStore.store.createRelease({ ...original, planHash: 'sha256:second' }, { version: 2 }),
      ).rejects.toBeInstanceOf(ReleaseConflictError);
      expect(await testStore.store.getPlanDocument(original.releaseId)).toEqual({ version: 1 });
    });

    test('the same release submitted twice at once is created once', async () => {
      const release = releaseRecord();

      const results = await Promise.all([
        testStore.store.createRelease(release, { version: 1 }),
        testStore.store.createRelease(release, { version: 1 }),
      ]);

      expect(results.map((result) => result.created).sort()).toEqual([false, true]);
      expect(results.map((result) => result.release)).toEqual([release, release]);
    });

    test('the status moves, only from the statuses named in `from`', async () => {
      const release = releaseRecord();
      await testStore.store.createRelease(release, {});
      testStore.clock.advance(60);
      const movedAt = testStore.clock.now().toISOString();

      const running = await testStore.store.setReleaseStatus(release.releaseId, 'RUNNING', {
        from: ['PENDING'],
        executionArn: 'arn:aws:states:us-east-1:123456789012:execution:release:x',
      });
      expect(running).toEqual({
        ...release,
        status: 'RUNNING',
        updatedAt: movedAt,
        executionArn: 'arn:aws:states:us-east-1:123456789012:execution:release:x',
      });

      await expect(
        testStore.store.setReleaseStatus(release.releaseId, 'ABORTED', { from: ['PENDING'] }),
      ).rejects.toBeInstanceOf(ConditionFailedError);
      expect(await testStore.store.getRelease(release.releaseId)).toEqual(running);

      const failed = await testStore.store.setReleaseStatus(release.releaseId, 'FAILED', { reason: 'boom' });
      expect(failed).toMatchObject({ status: 'FAILED', reason: 'boom' });
      await expect(testStore.store.setReleaseStatus(uniqueId('missing'), 'RUNNING')).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });
  });

  describe('lifecycle', () => {
    test('a release moves only as the lifecycle allows, whatever `from` names', async () => {
      const release = releaseRecord();
      await testStore.store.createRelease(release, {});

      // PENDING never goes straight to SUCCEEDED, even when the caller allows PENDING.
      await expect(testStore.store.setReleaseStatus(release.releaseId, 'SUCCEEDED')).rejects.toBeInstanceOf(
        ConditionFailedError,
      );
      await expect(
        testStore.store.setReleaseStatus(release.releaseId, 'SUCCEEDED', { from: ['PENDING'] }),
      ).rejects.toBeInstanceOf(ConditionFailedError);
      await expect(testStore.store.setReleaseStatus(release.releaseId, 'ROLLED_BACK')).rejects.toBeInstanceOf(
        ConditionFailedError,
      );
      expect((await testStore.store.getRelease(release.releaseId))?.status).toBe('PENDING');

      await testStore.store.setReleaseStatus(release.releaseId, 'RUNNING');
      await testStore.store.setReleaseStatus(release.releaseId, 'ROLLING_BACK');
      const rolledBack = await testStore.store.setReleaseStatus(release.releaseId, 'ROLLED_BACK');
      expect(rolledBack.status).toBe('ROLLED_BACK');
      // Rolled back is final: it does not run again, nor roll back again.
      for (const status of ['RUNNING', 'ROLLING_BACK', 'FAILED'] as const) {
        await expect(testStore.store.setReleaseStatus(release.releaseId, status)).rejects.toBeInstanceOf(
          ConditionFailedError,
        );
      }
      expect(await testStore.store.getRelease(release.releaseId)).toEqual(rolledBack);
    });

    test('no status moves to PENDING, and a missing release is NotFound even so', async () => {
      const release = releaseRecord();
      await testStore.store.createRelease(release, {});
      await expect(testStore.store.setReleaseStatus(release.releaseId, 'PENDING')).rejects.toBeInstanceOf(
        ConditionFailedError,
      );
      await expect(testStore.store.setReleaseStatus(uniqueId('missing'), 'PENDING')).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(
        testStore.store.setReleaseStatus(release.releaseId, 'RUNNING', { from: [] }),
      ).rejects.toBeInstanceOf(InvalidInputError);
    });

    test('a service rollout moves only as the lifecycle allows, writing nothing when refused', async () => {
      const releaseId = uniqueId('rel');
      await testStore.store.putServiceRollouts([rolloutRecord(releaseId, 'us-east-1', 'auth')]);
      const key = { releaseId, region: 'us-east-1', service: 'auth' };

      // PENDING never goes straight to COMPLETED or ROLLED_BACK, even with `expect` naming it.
      await expect(
        testStore.store.updateServiceRollout(key, { status: 'COMPLETED' }, auditEntry(releaseId), [
          'PENDING',
        ]),
      ).rejects.toBeInstanceOf(ConditionFailedError);
      await expect(
        testStore.store.updateServiceRollout(key, { status: 'ROLLED_BACK' }, auditEntry(releaseId)),
      ).rejects.toBeInstanceOf(ConditionFailedError);
      expect((await testStore.store.getServiceRollout(releaseId, 'us-east-1', 'auth'))?.status).toBe(
        'PENDING',
      );
      expect(await testStore.store.listAudit(releaseId)).toEqual([]);

      for (const status of ['IN_PROGRESS', 'VALIDATING', 'COMPLETED', 'ROLLED_BACK'] as const) {
        await testStore.store.updateServiceRollout(key, { status }, auditEntry(releaseId));
      }
      // Rolled back is final; a patch without a status is judged by `expect` alone.
      await expect(
        testStore.store.updateServiceRollout(key, { status: 'IN_PROGRESS' }, auditEntry(releaseId)),
      ).rejects.toBeInstanceOf(ConditionFailedError);
      await testStore.store.updateServiceRollout(key, { reason: 'noted' }, auditEntry(releaseId));
      const noted = await testStore.store.getServiceRollout(releaseId, 'us-east-1', 'auth');
      expect(noted).toMatchObject({ status: 'ROLLED_BACK', reason: 'noted' });
      expect(await testStore.store.listAudit(releaseId)).toHaveLength(5);
    });

    test('fields a patch may not change are ignored', async () => {
      const releaseId = uniqueId('rel');
      await testStore.store.putServiceRollouts([rolloutRecord(releaseId, 'us-east-1', 'auth')]);
      const patch = { stepIndex: 1, stepCount: 99, service: 'cart' } as unknown as { stepIndex: number };

      await testStore.store.updateServiceRollout(
        { releaseId, region: 'us-east-1', service: 'auth' },
        patch,
        auditEntry(releaseId),
      );

      const updated = await testStore.store.getServiceRollout(releaseId, 'us-east-1', 'auth');
      expect(updated).toMatchObject({ service: 'auth', stepIndex: 1, stepCount: 5 });
    });
  });

  describe('listing releases', () => {
    // A table of its own: the other tests' releases would be in the listings.
    let listing: StoreUnderTest;
    const created: ReleaseRecord[] = [];
    beforeAll(async () => {
      listing = await createTestStore();
      const statuses: ReleaseStatus[] = [
        'RUNNING',
        'SUCCEEDED',
        'RUNNING',
        'FAILED',
        'RUNNING',
        'SUCCEEDED',
        'RUNNING',
      ];
      for (const [day, status] of statuses.entries()) {
        const at = `2030-06-0${day + 1}T12:00:00.000Z`;
        // Created RUNNING (as a failover record is), then moved on as the lifecycle allows.
        const release = releaseRecord({
          releaseId: `rel-day-${day + 1}`,
          status: 'RUNNING',
          createdAt: at,
          updatedAt: at,
        });
        await listing.store.createRelease(release, {});
        created.push(
          status === 'RUNNING' ? release : await listing.store.setReleaseStatus(release.releaseId, status),
        );
      }
    });
    afterAll(async () => {
      await listing?.dispose();
    });

    const idsOf = (releases: readonly ReleaseRecord[]) => releases.map((release) => release.releaseId);

    test('by status, newest first', async () => {
      const page = await listing.store.listReleases({ status: 'RUNNING' });
      expect(idsOf(page.items)).toEqual(['rel-day-7', 'rel-day-5', 'rel-day-3', 'rel-day-1']);
      expect(page.cursor).toBeUndefined();
      expect(page.items[0]).toEqual(created.find((release) => release.releaseId === 'rel-day-7'));
    });

    test('since a time, with or without a status', async () => {
      const all = await listing.store.listReleases({ since: '2030-06-05' });
      expect(idsOf(all.items)).toEqual(['rel-day-7', 'rel-day-6', 'rel-day-5']);
      const succeeded = await listing.store.listReleases({
        status: 'SUCCEEDED',
        since: '2030-06-03T00:00:00Z',
      });
      expect(idsOf(succeeded.items)).toEqual(['rel-day-6']);
    });

    test('pages follow each other through the cursor, and the last page has none', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await listing.store.listReleases({ limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...idsOf(page.items));
        cursor = page.cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([
        'rel-day-7',
        'rel-day-6',
        'rel-day-5',
        'rel-day-4',
        'rel-day-3',
        'rel-day-2',
        'rel-day-1',
      ]);

      const byStatus = await listing.store.listReleases({ status: 'RUNNING', limit: 2 });
      expect(byStatus.cursor).toBeDefined();
      const rest = await listing.store.listReleases({ status: 'RUNNING', limit: 2, cursor: byStatus.cursor });
      expect(idsOf(rest.items)).toEqual(['rel-day-3', 'rel-day-1']);
      expect(rest.cursor).toBeUndefined();
    });

    test('a cursor is only good for the query it came from', async () => {
      const running = await listing.store.listReleases({ status: 'RUNNING', limit: 1 });
      await expect(
        listing.store.listReleases({ status: 'FAILED', cursor: running.cursor }),
      ).rejects.toBeInstanceOf(InvalidInputError);
      await expect(listing.store.listReleases({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
        InvalidInputError,
      );
    });
  });
}
