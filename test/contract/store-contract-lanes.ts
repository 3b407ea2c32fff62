/**
 * The region's lane board (Store.laneBoard, countDownDependents and what updates do to it): the
 * ready set in rank order, one claim per service, counted-down dependents, lanes and breakage.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { NewAuditEntry, ServiceRolloutKey } from '../../lambdas/ports';
import type { CreateStoreUnderTest, StoreUnderTest } from './store-contract';
import { auditEntry, rolloutRecord, uniqueId } from './store-records';

export function laneBoardCases(createTestStore: CreateStoreUnderTest): void {
  let testStore: StoreUnderTest;
  beforeAll(async () => {
    testStore = await createTestStore();
  });
  afterAll(async () => {
    await testStore?.dispose();
  });

  /** db and cache ready (db with more work after it), api after db, web after api and cache. */
  async function region() {
    const releaseId = uniqueId('rel');
    const at = (service: string): ServiceRolloutKey => ({ releaseId, region: 'us-east-1', service });
    await testStore.store.putServiceRollouts([
      rolloutRecord(releaseId, 'us-east-1', 'db', { priority: 30 }),
      rolloutRecord(releaseId, 'us-east-1', 'cache', { priority: 25 }),
      rolloutRecord(releaseId, 'us-east-1', 'api', { priority: 20, waitingOn: ['db'] }),
      rolloutRecord(releaseId, 'us-east-1', 'web', { priority: 10, waitingOn: ['api', 'cache'] }),
      rolloutRecord(releaseId, 'eu-west-1', 'db', { priority: 30 }),
    ]);
    const board = (limit = 5) => testStore.store.laneBoard(releaseId, 'us-east-1', limit);
    const entry = (key: string): NewAuditEntry => auditEntry(releaseId, { key });
    const claim = (service: string, lane: string) =>
      testStore.store.updateServiceRollout(
        at(service),
        { status: 'IN_PROGRESS', claimedBy: lane },
        entry(`${service}/claimed-by-${lane}`),
        ['PENDING'],
      );
    const complete = async (service: string, dependents: string[]) => {
      await testStore.store.updateServiceRollout(
        at(service),
        { status: 'VALIDATING' },
        entry(`${service}/validating`),
      );
      await testStore.store.updateServiceRollout(
        at(service),
        { status: 'COMPLETED' },
        entry(`${service}/completed`),
        ['IN_PROGRESS', 'VALIDATING'],
      );
      return testStore.store.countDownDependents(at(service), dependents);
    };
    return { releaseId, at, board, claim, complete };
  }

  describe('lane board', () => {
    test('lists the ready services best first, within the limit, for its region only', async () => {
      const { board } = await region();
      expect(await board()).toEqual({ lanes: {}, unclaimed: 4, ready: ['db', 'cache'] });
      expect((await board(1)).ready).toEqual(['db']);
    });

    test('a claim takes the service off the ready set and puts it on its lane; a second claim of it fails', async () => {
      const { board, claim } = await region();
      await claim('db', 'lane-0');
      expect(await board()).toEqual({ lanes: { 'lane-0': 'db' }, unclaimed: 3, ready: ['cache'] });
      await expect(claim('db', 'lane-1')).rejects.toThrow(/not PENDING|is IN_PROGRESS/);
      expect((await board()).unclaimed).toBe(3);
    });

    test('claims chosen on a board read, as lanes make them: a lane that read before another claimed loses cleanly', async () => {
      const { board, claim } = await region();
      // Both lanes read the board first, so both choose db (the DynamoDB store then claims without reading the record).
      const seenByLane0 = await board();
      const seenByLane1 = await board();
      expect(seenByLane0.ready[0]).toBe('db');
      await claim(seenByLane0.ready[0]!, 'lane-0');
      await expect(claim(seenByLane1.ready[0]!, 'lane-1')).rejects.toThrow(/not PENDING|is IN_PROGRESS/);
      expect(await board()).toEqual({ lanes: { 'lane-0': 'db' }, unclaimed: 3, ready: ['cache'] });
      await claim((await board()).ready[0]!, 'lane-1');
      expect(await board()).toEqual({
        lanes: { 'lane-0': 'db', 'lane-1': 'cache' },
        unclaimed: 2,
        ready: [],
      });
    });

    test('completing counts dependents down: ready once nothing is left, a retry readies nothing more', async () => {
      const { at, board, claim, complete } = await region();
      await claim('db', 'lane-0');
      await claim('cache', 'lane-1');
      expect(await complete('cache', ['web'])).toEqual([]);
      expect(await complete('db', ['api'])).toEqual(['api']);
      expect(await board()).toEqual({ lanes: {}, unclaimed: 2, ready: ['api'] });
      expect(await testStore.store.countDownDependents(at('db'), ['api'])).toEqual([]);
      expect((await board()).ready).toEqual(['api']);
      // The same count-down again (a retried task) readies nothing more.
    });

    test('a retried count-down after its dependent was claimed does not put it back', async () => {
      const { at, board, claim, complete } = await region();
      await claim('db', 'lane-0');
      await complete('db', ['api']);
      await claim('api', 'lane-1');
      expect(await testStore.store.countDownDependents(at('db'), ['api'])).toEqual([]);
      expect((await board()).ready).toEqual(['cache']);
    });

    test('a failed service marks the region broken, the first one kept', async () => {
      const { at, board, claim, releaseId } = await region();
      await claim('db', 'lane-0');
      await claim('cache', 'lane-1');
      await testStore.store.updateServiceRollout(
        at('db'),
        { status: 'FAILED' },
        auditEntry(releaseId, { key: 'db/failed' }),
      );
      await testStore.store.updateServiceRollout(
        at('cache'),
        { status: 'FAILED' },
        auditEntry(releaseId, { key: 'cache/failed' }),
      );
      expect(await board()).toMatchObject({ lanes: {}, broken: 'db FAILED' });
    });
  });
}
