/**
 * The Store contract's cases for what releases own and share: service rollouts, snapshots, the
 * audit, task tokens, alarm watches, seen events and leases (see store-contract.ts).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ConditionFailedError,
  InvalidInputError,
  LockHeldError,
  NotFoundError,
} from '../../lambdas/core/errors';
import type { LockLease } from '../../lambdas/ports';
import type { CreateStoreUnderTest, StoreUnderTest } from './store-contract';
import { auditEntry, deploymentSnapshot, releaseRecord, rolloutRecord, uniqueId } from './store-records';

const newScope = () => `prod/${randomUUID().slice(0, 8)}`;

async function refusal(attempt: Promise<unknown>): Promise<LockHeldError> {
  const error = await attempt.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(LockHeldError);
  return error as LockHeldError;
}

export function recordCases(createTestStore: CreateStoreUnderTest): void {
  let testStore: StoreUnderTest;
  beforeAll(async () => {
    testStore = await createTestStore();
  });
  afterAll(async () => {
    await testStore?.dispose();
  });

  describe('service rollouts', () => {
    test('putting the records again (a retry) changes nothing', async () => {
      const releaseId = uniqueId('rel');
      const records = [
        rolloutRecord(releaseId, 'us-east-1', 'auth'),
        rolloutRecord(releaseId, 'us-east-1', 'cart'),
        rolloutRecord(releaseId, 'eu-west-1', 'auth'),
      ];
      await testStore.store.putServiceRollouts(records);
      await testStore.store.updateServiceRollout(
        { releaseId, region: 'us-east-1', service: 'auth' },
        { status: 'IN_PROGRESS', stepIndex: 1 },
        auditEntry(releaseId),
      );

      await testStore.store.putServiceRollouts(records.map((record) => ({ ...record, stepCount: 99 })));

      const usEast = await testStore.store.listServiceRollouts(releaseId, 'us-east-1');
      expect(
        usEast.map((record) => [record.service, record.status, record.stepIndex, record.stepCount]),
      ).toEqual([
        ['auth', 'IN_PROGRESS', 1, 5],
        ['cart', 'PENDING', 0, 5],
      ]);
      expect(await testStore.store.listServiceRollouts(releaseId)).toHaveLength(3);
    });

    test('an update applies the patch and appends its audit entry together', async () => {
      const releaseId = uniqueId('rel');
      await testStore.store.putServiceRollouts([rolloutRecord(releaseId, 'us-east-1', 'auth')]);
      const key = { releaseId, region: 'us-east-1', service: 'auth' };
      testStore.clock.advance(5);

      await testStore.store.updateServiceRollout(
        key,
        {
          status: 'IN_PROGRESS',
          stepIndex: 2,
          weights: { stable: 90, canary: 10 },
          claimedBy: 'lane-1',
          verdict: undefined,
        },
        auditEntry(releaseId, {
          key: 'auth-step-2',
          action: 'traffic.shifted',
          detail: { weight: 10 },
        }),
        ['PENDING'],
      );

      expect(await testStore.store.getServiceRollout(releaseId, 'us-east-1', 'auth')).toEqual({
        ...rolloutRecord(releaseId, 'us-east-1', 'auth'),
        status: 'IN_PROGRESS',
        stepIndex: 2,
        weights: { stable: 90, canary: 10 },
        claimedBy: 'lane-1',
        updatedAt: testStore.clock.now().toISOString(),
      });
      expect(await testStore.store.listAudit(releaseId)).toEqual([
        expect.objectContaining({
          seq: 1,
          key: 'auth-step-2',
          action: 'traffic.shifted',
          detail: { weight: 10 },
        }),
      ]);
    });

    test('an update whose `expect` fails writes neither the record nor the audit entry', async () => {
      const releaseId = uniqueId('rel');
      await testStore.store.putServiceRollouts([rolloutRecord(releaseId, 'us-east-1', 'auth')]);
      const key = { releaseId, region: 'us-east-1', service: 'auth' };
      const before = await testStore.store.getServiceRollout(releaseId, 'us-east-1', 'auth');

      await expect(
        testStore.store.updateServiceRollout(key, { status: 'COMPLETED' }, auditEntry(releaseId), [
          'IN_PROGRESS',
          'VALIDATING',
        ]),
      ).rejects.toBeInstanceOf(ConditionFailedError);

      expect(await testStore.store.getServiceRollout(releaseId, 'us-east-1', 'auth')).toEqual(before);
      expect(await testStore.store.listAudit(releaseId)).toEqual([]);
    });

    test('an update made only while the release runs is refused, writing nothing, once it does not', async () => {
      const release = releaseRecord({ releaseId: uniqueId('rel'), status: 'RUNNING' });
      const { releaseId } = release;
      await testStore.store.createRelease(release, { plan: 1 });
      await testStore.store.putServiceRollouts([rolloutRecord(releaseId, 'us-east-1', 'auth')]);
      const key = { releaseId, region: 'us-east-1', service: 'auth' };

      await testStore.store.updateServiceRollout(
        key,
        { stepIndex: 1 },
        auditEntry(releaseId, { key: 'step-0' }),
        undefined,
        'RUNNING',
      );
      await testStore.store.setReleaseStatus(releaseId, 'ROLLING_BACK');
      await expect(
        testStore.store.updateServiceRollout(
          key,
          { stepIndex: 2 },
          auditEntry(releaseId, { key: 'step-1' }),
          undefined,
          'RUNNING',
        ),
      ).rejects.toBeInstanceOf(ConditionFailedError);

      expect((await testStore.store.getServiceRollout(releaseId, 'us-east-1', 'auth'))?.stepIndex).toBe(1);
      expect((await testStore.store.listAudit(releaseId)).map((entry) => entry.key)).toEqual(['step-0']);
    });

    test('of two concurrent updates from the same status, one wins and only its audit entry is kept', async () => {
      const releaseId = uniqueId('rel');
      await testStore.store.putServiceRollouts([
        rolloutRecord(releaseId, 'us-east-1', 'auth', { status: 'VALIDATING' }),
      ]);
      const key = { releaseId, region: 'us-east-1', service: 'auth' };

      const outcomes = await Promise.allSettled([
        testStore.store.updateServiceRollout(
          key,
          { status: 'COMPLETED' },
          auditEntry(releaseId, { key: 'complete' }),
          ['VALIDATING'],
        ),
        testStore.store.updateServiceRollout(
          key,
          { status: 'FAILED' },
          auditEntry(releaseId, { key: 'fail' }),
          ['VALIDATING'],
        ),
      ]);

      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConditionFailedError);
      const winner = await testStore.store.getServiceRollout(releaseId, 'us-east-1', 'auth');
      expect(['COMPLETED', 'FAILED']).toContain(winner?.status);
      const audit = await testStore.store.listAudit(releaseId);
      expect(audit.map((entry) => entry.key)).toEqual([winner?.status === 'COMPLETED' ? 'complete' : 'fail']);
    });

    test('an update retried with the same audit key is applied once', async () => {
      const releaseId = uniqueId('rel');
      await testStore.store.putServiceRollouts([rolloutRecord(releaseId, 'us-east-1', 'auth')]);
      const key = { releaseId, region: 'us-east-1', service: 'auth' };
      const start = auditEntry(releaseId, { key: 'start' });
      await testStore.store.updateServiceRollout(key, { status: 'IN_PROGRESS' }, start);
      await testStore.store.updateServiceRollout(
        key,
        { status: 'VALIDATING' },
        auditEntry(releaseId, { key: 'validate' }),
      );

      await testStore.store.updateServiceRollout(key, { status: 'IN_PROGRESS' }, start, ['PENDING']);

      expect((await testStore.store.getServiceRollout(releaseId, 'us-east-1', 'auth'))?.status).toBe(
        'VALIDATING',
      );
      expect((await testStore.store.listAudit(releaseId)).map((entry) => entry.key)).toEqual([
        'start',
        'validate',
      ]);
    });

    test('updating a rollout that does not exist is NotFound', async () => {
      const releaseId = uniqueId('rel');
      await expect(
        testStore.store.updateServiceRollout(
          { releaseId, region: 'us-east-1', service: 'ghost' },
          { status: 'IN_PROGRESS' },
          auditEntry(releaseId),
        ),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect(await testStore.store.listAudit(releaseId)).toEqual([]);
    });
  });

  describe('listing order', () => {
    test('rollouts, snapshots and task tokens list in key order, whatever order they were written in', async () => {
      const releaseId = uniqueId('rel');
      await testStore.store.putServiceRollouts([
        rolloutRecord(releaseId, 'us-east-1', 'web'),
        rolloutRecord(releaseId, 'eu-west-1', 'web'),
        rolloutRecord(releaseId, 'us-east-1', 'auth'),
      ]);
      for (const [region, service] of [
        ['us-east-1', 'web'],
        ['eu-west-1', 'web'],
        ['us-east-1', 'auth'],
      ] as const) {
        await testStore.store.putSnapshot(
          releaseId,
          service,
          deploymentSnapshot(region, service, `${service}:1`),
        );
      }
      await testStore.store.putTaskToken({ releaseId, kind: 'region', name: 'us-east-1' }, 't1');
      await testStore.store.putTaskToken({ releaseId, kind: 'approval', name: 'us-east-1/web/step-2' }, 't2');

      const rollouts = await testStore.store.listServiceRollouts(releaseId);
      expect(rollouts.map((record) => `${record.region}/${record.service}`)).toEqual([
        'eu-west-1/web',
        'us-east-1/auth',
        'us-east-1/web',
      ]);
      const snapshots = await testStore.store.getSnapshots(releaseId);
      expect(snapshots.map((entry) => `${entry.snapshot.target.region}/${entry.service}`)).toEqual([
        'eu-west-1/web',
        'us-east-1/auth',
        'us-east-1/web',
      ]);
      expect((await testStore.store.listTaskTokens(releaseId)).map((token) => token.kind)).toEqual([
        'approval',
        'region',
      ]);
    });
  });

  describe('snapshots', () => {
    test('the first snapshot wins; a retried one never overwrites it', async () => {
      const releaseId = uniqueId('rel');
      const original = {
        ...deploymentSnapshot('us-east-1', 'auth', 'auth:1.0'),
        weights: { stable: 100, canary: 0 },
      };
      await testStore.store.putSnapshot(releaseId, 'auth', original);
      await testStore.store.putSnapshot(
        releaseId,
        'auth',
        deploymentSnapshot('us-east-1', 'auth', 'auth:2.0'),
      );
      await testStore.store.putSnapshot(releaseId, 'cart', deploymentSnapshot('us-east-1', 'cart', 'cart:7'));
      await testStore.store.putSnapshot(
        releaseId,
        'auth',
        deploymentSnapshot('eu-west-1', 'auth', 'auth:1.0'),
      );

      const usEast = await testStore.store.getSnapshots(releaseId, 'us-east-1');
      expect(usEast).toEqual([
        { service: 'auth', snapshot: original },
        { service: 'cart', snapshot: deploymentSnapshot('us-east-1', 'cart', 'cart:7') },
      ]);
      expect(await testStore.store.getSnapshots(releaseId)).toHaveLength(3);
    });
  });

  describe('audit', () => {
    test('concurrent appends get gap-free sequence numbers 1..N, listed in order', async () => {
      const releaseId = uniqueId('rel');
      const entries = Array.from({ length: 12 }, (_, index) =>
        auditEntry(releaseId, { key: `step-${index}` }),
      );

      const appended = await Promise.all(entries.map((entry) => testStore.store.appendAudit(entry)));

      expect(appended.map((entry) => entry.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 12 }, (_, index) => index + 1),
      );
      const listed = await testStore.store.listAudit(releaseId);
      expect(listed.map((entry) => entry.seq)).toEqual(
        appended.map((entry) => entry.seq).sort((a, b) => a - b),
      );
      // Each entry is stored under the seq its append returned.
      for (const entry of appended) expect(listed[entry.seq - 1]).toEqual(entry);
    });

    test('the same key appended twice (even at once) is stored once, and both get the original', async () => {
      const releaseId = uniqueId('rel');
      await testStore.store.appendAudit(auditEntry(releaseId, { key: 'first' }));
      const entry = auditEntry(releaseId, { key: 'alarm-event-1', action: 'rollback.requested' });

      const [one, two] = await Promise.all([
        testStore.store.appendAudit(entry),
        testStore.store.appendAudit({ ...entry, at: '2030-05-01T10:00:09.000Z' }),
      ]);
      const again = await testStore.store.appendAudit({ ...entry, action: 'alarm.received' });

      expect(one).toEqual(two);
      expect(again).toEqual(one);
      expect(one).toMatchObject({ seq: 2, key: 'alarm-event-1' });
      expect((await testStore.store.listAudit(releaseId)).map((stored) => stored.key)).toEqual([
        'first',
        'alarm-event-1',
      ]);
    });

    test('listing after a seq, a limited number', async () => {
      const releaseId = uniqueId('rel');
      for (let index = 0; index < 5; index++) await testStore.store.appendAudit(auditEntry(releaseId));

      const page = await testStore.store.listAudit(releaseId, { afterSeq: 2, limit: 2 });

      expect(page.map((entry) => entry.seq)).toEqual([3, 4]);
      expect(await testStore.store.listAudit(releaseId, { afterSeq: 5 })).toEqual([]);
    });
  });

  describe('task tokens, alarm watches, events', () => {
    test('a task token is taken once, even by two callers at the same time', async () => {
      const releaseId = uniqueId('rel');
      const approval = { releaseId, kind: 'approval' as const, name: 'us-east-1/auth/step-3' };
      await testStore.store.putTaskToken(approval, 'token-approval');
      await testStore.store.putTaskToken(
        { releaseId, kind: 'dependency', name: 'us-east-1/cart' },
        'token-dep',
      );
      expect(await testStore.store.listTaskTokens(releaseId, 'approval')).toEqual([
        { ...approval, token: 'token-approval' },
      ]);

      const taken = await Promise.all([
        testStore.store.takeTaskToken(approval),
        testStore.store.takeTaskToken(approval),
      ]);

      expect(taken.sort()).toEqual(['token-approval', undefined]);
      expect(await testStore.store.listTaskTokens(releaseId)).toEqual([
        { releaseId, kind: 'dependency', name: 'us-east-1/cart', token: 'token-dep' },
      ]);
    });

    test('alarm watches map an alarm to the releases watching it until they unwatch', async () => {
      const [first, second] = [uniqueId('rel'), uniqueId('rel')];
      const alarm = uniqueId('auth-5xx');
      await testStore.store.watchAlarms(first, [alarm, 'cart-latency', alarm]);
      await testStore.store.watchAlarms(second, [alarm]);
      expect((await testStore.store.releasesWatching(alarm)).sort()).toEqual([first, second].sort());

      await testStore.store.unwatchAlarms(first);

      expect(await testStore.store.releasesWatching(alarm)).toEqual([second]);
      expect(await testStore.store.releasesWatching('cart-latency')).not.toContain(first);
    });

    test('an event id is new once, until its window has passed', async () => {
      const eventId = randomUUID();
      expect(await testStore.store.markEventSeen(eventId, 3600)).toBe(true);
      expect(await testStore.store.markEventSeen(eventId, 3600)).toBe(false);
      testStore.clock.advance(3601);
      expect(await testStore.store.markEventSeen(eventId, 3600)).toBe(true);
    });
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
