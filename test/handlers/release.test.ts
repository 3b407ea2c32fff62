import { describe, expect, it } from 'vitest';
import { DependencyFailedError, LockHeldError, ReleaseAbortedError } from '../../lambdas/core/errors';
import { RELEASE_LOCK_SCOPE } from '../../lambdas/core/naming';
import {
  auditActions,
  EAST,
  run,
  runningWorld,
  setRolloutStatus,
  submittedWorld,
  WEST,
  type World,
} from './world';

type Claim =
  | { outcome: 'claimed'; service: string; executionName: string; lane: number }
  | { outcome: 'wait' | 'done'; lane: number }
  | { outcome: 'blocked'; reason: string; lane: number };

const claim = async (world: World, lane: number, region = EAST) =>
  (await run(world, 'claimNextService', { releaseId: world.releaseId, region, lane })) as Claim;

async function completed(world: World, ...services: string[]): Promise<void> {
  for (const service of services) await setRolloutStatus(world, EAST, service, 'COMPLETED');
}

describe('validateRelease', () => {
  it('starts the release and writes one PENDING rollout per service and region', async () => {
    const world = await submittedWorld();
    const answer = (await run(world, 'validateRelease', { releaseId: world.releaseId })) as {
      waves: Array<{
        wave: number;
        regions: Array<{ region: string; executionName: string }>;
        bakeSeconds: number;
      }>;
    };
    expect((await world.ports.store.getRelease(world.releaseId))?.status).toBe('RUNNING');
    const rollouts = await world.ports.store.listServiceRollouts(world.releaseId);
    expect(rollouts).toHaveLength(8);
    expect(new Set(rollouts.map((record) => record.status))).toEqual(new Set(['PENDING']));
    expect(rollouts.find((record) => record.service === 'auth')?.stepCount).toBe(5);
    // The rollback's name is no longer the release's to give: app/start-rollback builds it.
    expect(answer).not.toHaveProperty('rollbackExecutionName');
    expect(
      answer.waves.map(({ wave, regions }) => [wave, regions.map((entry) => entry.executionName)]),
    ).toEqual([
      [1, [`${world.releaseId}-${EAST}`]],
      [2, [`${world.releaseId}-${WEST}`]],
    ]);
    expect(world.ports.events.published.map((event) => event.detailType)).toEqual(['Release Started']);
  });
});

describe('acquireReleaseLock', () => {
  it('refuses while another release holds the lock, naming it', async () => {
    const world = await submittedWorld();
    await world.ports.store.acquireLock(
      RELEASE_LOCK_SCOPE,
      { releaseId: 'other-release', kind: 'release' },
      600,
    );
    const attempt = run(world, 'acquireReleaseLock', { releaseId: world.releaseId });
    await expect(attempt).rejects.toThrow(LockHeldError);
    await expect(attempt).rejects.toThrow(/locked by release other-release/);
    expect(await auditActions(world)).toEqual([]);
  });

  it('takes an expired lease', async () => {
    const world = await submittedWorld();
    await world.ports.store.acquireLock(
      RELEASE_LOCK_SCOPE,
      { releaseId: 'other-release', kind: 'release' },
      600,
    );
    world.ports.clock.advance(601);
    await run(world, 'acquireReleaseLock', { releaseId: world.releaseId });
    expect((await world.ports.store.getLock(RELEASE_LOCK_SCOPE))?.releaseId).toBe(world.releaseId);
  });
});

describe('the release lease', () => {
  it('lasts at least six hours, and each region start renews it', async () => {
    const world = await runningWorld();
    const expiry = async () => Date.parse((await world.ports.store.getLock(RELEASE_LOCK_SCOPE))!.expiresAt);
    const acquired = Date.parse(world.ports.clock.now().toISOString());
    expect(await expiry()).toBeGreaterThanOrEqual(acquired + 6 * 3600 * 1000);

    world.ports.clock.advance(5 * 3600);
    await run(world, 'prepareRegion', { releaseId: world.releaseId, region: EAST });
    expect(await expiry()).toBeGreaterThanOrEqual(acquired + 11 * 3600 * 1000);
  });
});

describe('claimNextService', () => {
  it('picks the ready service with the most work after it', async () => {
    const world = await runningWorld();
    // db and cache are both ready; db has auth and web after it, cache nothing.
    expect(await claim(world, 0)).toEqual({
      releaseId: world.releaseId,
      region: EAST,
      lane: 0,
      outcome: 'claimed',
      service: 'db',
      executionName: `${world.releaseId}-${EAST}-db`,
    });
    const record = await world.ports.store.getServiceRollout(world.releaseId, EAST, 'db');
    expect(record).toMatchObject({ status: 'IN_PROGRESS', claimedBy: 'lane-0' });
    expect(await auditActions(world)).toContain('service.claimed');
  });

  it('never hands out a service whose dependency has not COMPLETED', async () => {
    const world = await runningWorld();
    await setRolloutStatus(world, EAST, 'cache', 'COMPLETED');
    await setRolloutStatus(world, EAST, 'db', 'VALIDATING', 'lane-0');
    expect((await claim(world, 1)).outcome).toBe('wait');
    await setRolloutStatus(world, EAST, 'db', 'COMPLETED');
    expect(await claim(world, 1)).toMatchObject({ outcome: 'claimed', service: 'auth' });
    // web depends on auth, which is running now
    expect((await claim(world, 0)).outcome).toBe('wait');
  });

  it('answers wait when nothing is ready but something runs', async () => {
    const world = await runningWorld();
    await completed(world, 'cache');
    await setRolloutStatus(world, EAST, 'db', 'IN_PROGRESS', 'lane-1');
    expect((await claim(world, 0)).outcome).toBe('wait');
  });

  it('answers done once nothing is left to claim, while the last service still runs and after', async () => {
    const world = await runningWorld();
    await completed(world, 'db', 'cache', 'auth');
    await setRolloutStatus(world, EAST, 'web', 'IN_PROGRESS', 'lane-1');
    expect((await claim(world, 0)).outcome).toBe('done');
    await completed(world, 'web');
    expect((await claim(world, 0)).outcome).toBe('done');
    expect((await claim(world, 1)).outcome).toBe('done');
  });

  it.each(['FAILED', 'ROLLED_BACK'] as const)('is blocked once a service is %s', async (status) => {
    const world = await runningWorld();
    await setRolloutStatus(world, EAST, 'db', status);
    expect(await claim(world, 0)).toMatchObject({ outcome: 'blocked', reason: `db ${status}` });
    expect((await world.ports.store.getServiceRollout(world.releaseId, EAST, 'cache'))?.status).toBe(
      'PENDING',
    );
  });

  it('gives a retried claim the lane’s own service back', async () => {
    const world = await runningWorld();
    const first = await claim(world, 0);
    const retried = await claim(world, 0);
    expect(retried).toEqual(first);
    const inProgress = (await world.ports.store.listServiceRollouts(world.releaseId, EAST)).filter(
      (record) => record.status === 'IN_PROGRESS',
    );
    expect(inProgress).toHaveLength(1);
  });

  it('never gives two lanes the same service, even claiming at the same moment', async () => {
    const world = await runningWorld((plan) => ((plan.defaults as Record<string, unknown>).concurrency = 4));
    const claims = await Promise.all([0, 1, 2, 3].map((lane) => claim(world, lane)));
    const services = claims.flatMap((entry) => (entry.outcome === 'claimed' ? [entry.service] : []));
    expect(services.sort()).toEqual(['cache', 'db']);
    expect(claims.filter((entry) => entry.outcome === 'wait')).toHaveLength(2);
    for (const service of services) {
      const record = await world.ports.store.getServiceRollout(world.releaseId, EAST, service);
      const claimant = claims.find((entry) => entry.outcome === 'claimed' && entry.service === service)!;
      expect(record?.claimedBy).toBe(`lane-${claimant.lane}`);
    }
  });

  it('stops handing out work once the release is no longer running', async () => {
    const world = await runningWorld();
    await world.ports.store.setReleaseStatus(world.releaseId, 'ROLLING_BACK');
    await expect(claim(world, 0)).rejects.toThrow(ReleaseAbortedError);
  });
});

describe('prepareRegion', () => {
  it('opens as many lanes as the concurrency allows, never more than services', async () => {
    const world = await runningWorld();
    const answer = (await run(world, 'prepareRegion', { releaseId: world.releaseId, region: EAST })) as {
      lanes: Array<{ lane: number; executionName: string }>;
    };
    expect(answer.lanes.map((entry) => entry.executionName)).toEqual([
      `${world.releaseId}-${EAST}-lane0`,
      `${world.releaseId}-${EAST}-lane1`,
    ]);
  });

  it('refuses a region of a later wave while an earlier wave is not all green', async () => {
    const world = await runningWorld();
    await completed(world, 'db', 'cache', 'auth');
    await expect(run(world, 'prepareRegion', { releaseId: world.releaseId, region: WEST })).rejects.toThrow(
      DependencyFailedError,
    );
    await completed(world, 'web');
    await expect(
      run(world, 'prepareRegion', { releaseId: world.releaseId, region: WEST }),
    ).resolves.toBeDefined();
  });
});

describe('checkWaveHealth', () => {
  it('names every service of the wave that has not completed', async () => {
    const world = await runningWorld();
    await completed(world, 'db', 'cache');
    const input = {
      releaseId: world.releaseId,
      wave: 1,
      regions: [{ releaseId: world.releaseId, region: EAST }],
    };
    await expect(run(world, 'checkWaveHealth', input)).rejects.toThrow(
      `wave 1 is not all green: ${EAST}/auth is PENDING, ${EAST}/web is PENDING`,
    );
  });
});

describe('parking and waking lanes', () => {
  it('parks a lane while nothing is claimable, and wakes it once another lane finishes', async () => {
    const world = await runningWorld();
    await setRolloutStatus(world, EAST, 'db', 'IN_PROGRESS', 'lane-0');
    await completed(world, 'cache');
    const lane = { releaseId: world.releaseId, region: EAST, lane: 1 };
    await run(world, 'waitForDependency', { ...lane, taskToken: 'token-1' });
    expect(world.ports.workflow.taskSuccesses).toEqual([]);
    expect(await world.ports.store.listTaskTokens(world.releaseId, 'dependency')).toHaveLength(1);

    await completed(world, 'db');
    expect(await run(world, 'wakeLanes', { releaseId: world.releaseId, region: EAST })).toMatchObject({
      woken: 1,
    });
    expect(world.ports.workflow.taskSuccesses.map((entry) => entry.token)).toEqual(['token-1']);
    expect(await world.ports.store.listTaskTokens(world.releaseId, 'dependency')).toEqual([]);
  });

  it('does not park a lane when something became claimable meanwhile: no wake-up is lost', async () => {
    const world = await runningWorld();
    await setRolloutStatus(world, EAST, 'db', 'IN_PROGRESS', 'lane-0');
    await run(world, 'waitForDependency', {
      releaseId: world.releaseId,
      region: EAST,
      lane: 1,
      taskToken: 'token-1',
    });
    expect(world.ports.workflow.taskSuccesses.map((entry) => entry.token)).toEqual(['token-1']);
    expect(await world.ports.store.listTaskTokens(world.releaseId, 'dependency')).toEqual([]);
  });

  it('treats a token whose wait already ended as nothing to wake', async () => {
    const world = await runningWorld();
    await world.ports.store.putTaskToken(
      { releaseId: world.releaseId, kind: 'dependency', name: `${EAST}/lane-1` },
      'token-gone',
    );
    world.ports.workflow.staleTokens.add('token-gone');
    await expect(
      run(world, 'wakeLanes', { releaseId: world.releaseId, region: EAST }),
    ).resolves.toMatchObject({
      woken: 1,
    });
  });
});

describe('finalizeRelease', () => {
  it('marks the release SUCCEEDED, stops watching alarms and frees the lock', async () => {
    const world = await runningWorld();
    await run(world, 'finalizeRelease', { releaseId: world.releaseId });
    expect((await world.ports.store.getRelease(world.releaseId))?.status).toBe('SUCCEEDED');
    expect(await world.ports.store.releasesWatching(`auth-${EAST}-canary-errors`)).toEqual([]);
    expect(await world.ports.store.getLock(RELEASE_LOCK_SCOPE)).toBeUndefined();
    expect(await auditActions(world)).toEqual([
      'release.validated',
      'lock.acquired',
      'release.succeeded',
      'lock.released',
    ]);
  });

  it('writes its audit entry before the final status, so a watcher that sees SUCCEEDED finds it', async () => {
    const world = await runningWorld();
    const store = world.ports.store;
    const seenWithStatus: string[][] = [];
    const setStatus = store.setReleaseStatus.bind(store);
    store.setReleaseStatus = async (releaseId, status, options) => {
      seenWithStatus.push((await store.listAudit(releaseId)).map((entry) => `${status}:${entry.action}`));
      return setStatus(releaseId, status, options);
    };
    await run(world, 'finalizeRelease', { releaseId: world.releaseId });
    expect(seenWithStatus.at(-1)).toContain('SUCCEEDED:release.succeeded');
  });

  it('logs no success for a release aborted meanwhile', async () => {
    const world = await runningWorld();
    await world.ports.store.setReleaseStatus(world.releaseId, 'ABORTED', { reason: 'stopped by a person' });
    await expect(run(world, 'finalizeRelease', { releaseId: world.releaseId })).rejects.toThrow();
    expect(await auditActions(world)).not.toContain('release.succeeded');
  });
});
