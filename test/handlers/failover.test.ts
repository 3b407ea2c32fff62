import { describe, expect, it } from 'vitest';
import { InvalidInputError, LockHeldError, RolloutNotReadyError } from '../../lambdas/core/errors';
import type { FailoverRecord } from '../../lambdas/core/failover';
import { FAILOVER_LOCK_SCOPE } from '../../lambdas/core/naming';
import { EAST, type Json, run, runningWorld, WEST, type World, workload } from './world';

const RECORD = { hostedZoneId: 'Z0TEST', recordName: 'api.example.com' };

const input = (world: World, extra: Json = {}): Json => ({
  failoverId: `failover-${world.releaseId}`,
  region: WEST,
  direction: 'failover',
  planReleaseId: world.releaseId,
  ...extra,
});

async function failOver(world: World, extra: Json = {}): Promise<void> {
  for (const handler of [
    'beginFailover',
    'scaleRegions',
    'verifyRegions',
    'shiftDnsWeights',
    'finishFailover',
  ] as const) {
    await run(world, handler, input(world, extra));
  }
}

describe('failover', () => {
  it('a failover that cannot finish is recorded FAILED with why, and its lock is free again', async () => {
    const world = await runningWorld();
    await run(world, 'beginFailover', input(world));
    const error = { Error: 'RolloutStuckError', Cause: 'auth in us-east-1 never became ready' };
    await run(world, 'failFailover', { ...input(world), error });

    const record = await world.ports.store.getRelease(`failover-${world.releaseId}`);
    expect(record).toMatchObject({
      status: 'FAILED',
      reason: 'RolloutStuckError: auth in us-east-1 never became ready',
    });
    expect(await world.ports.store.getLock(FAILOVER_LOCK_SCOPE)).toBeUndefined();
    await run(world, 'beginFailover', input(world, { failoverId: 'failover-retry-1' }));
  });

  it('scales the survivor up before moving the failing region’s weight to it', async () => {
    const world = await runningWorld();
    await run(world, 'beginFailover', input(world));
    await run(world, 'scaleRegions', input(world));
    // us-east-1 carried half the traffic and will carry all of it: twice the replicas
    expect(world.ports.cluster.deployment(workload(EAST, 'auth'))?.replicas).toBe(8);
    // db is a single writer (recreate): a second replica would corrupt it, so it keeps one.
    expect(world.ports.cluster.deployment(workload(EAST, 'db'))?.replicas).toBe(1);
    expect(world.ports.cluster.deployment(workload(WEST, 'auth'))?.replicas).toBe(4);
    expect(await world.ports.dns.getWeights(RECORD)).toEqual({ use1: 100, usw2: 100 });

    world.ports.cluster.scriptRolloutStatus(workload(EAST, 'auth'), 'stable', ['progressing', 'complete']);
    await expect(run(world, 'verifyRegions', input(world))).rejects.toThrow(RolloutNotReadyError);
    await run(world, 'verifyRegions', input(world));
    await run(world, 'shiftDnsWeights', input(world));
    await run(world, 'finishFailover', input(world));
    expect(await world.ports.dns.getWeights(RECORD)).toEqual({ use1: 200, usw2: 0 });
    expect(world.ports.dns.changes).toHaveLength(1);
    expect(await world.ports.store.getLock(FAILOVER_LOCK_SCOPE)).toBeUndefined();
    expect((await world.ports.store.getRelease(`failover-${world.releaseId}`))?.status).toBe('SUCCEEDED');
  });

  it('keeps the replicas of a service marked failover: { scale: false }, and records no change for it', async () => {
    const world = await runningWorld((plan) => {
      const services = plan.services as Array<Record<string, unknown>>;
      services.find((service) => service.name === 'auth')!.failover = { scale: false };
    });
    await run(world, 'beginFailover', input(world));
    await run(world, 'scaleRegions', input(world));
    expect(world.ports.cluster.deployment(workload(EAST, 'auth'))?.replicas).toBe(4);
    const record = (await world.ports.store.getPlanDocument(`failover-${world.releaseId}`)) as FailoverRecord;
    expect(record.replicas.map((entry) => entry.service)).not.toContain('auth');
    expect(record.replicas.map((entry) => entry.service)).not.toContain('db');
    // What it left alone is recorded with why, so the CLI can say so.
    expect(record.unscaled).toEqual(
      expect.arrayContaining([
        { region: EAST, service: 'auth', reason: 'failover.scale false' },
        { region: EAST, service: 'db', reason: 'strategy recreate' },
        { region: EAST, service: 'cache', reason: 'strategy recreate' },
      ]),
    );
    expect(record.unscaled).toHaveLength(3);
  });

  it('records its kind and names the caller who asked for it, in the record and the audit', async () => {
    const world = await runningWorld();
    await run(world, 'beginFailover', input(world, { requestedBy: 'arn:aws:iam::111122223333:user/alice' }));
    const record = await world.ports.store.getRelease(`failover-${world.releaseId}`);
    expect(record).toMatchObject({ kind: 'failover', submittedBy: 'arn:aws:iam::111122223333:user/alice' });
    const [locked, planned] = await world.ports.store.listAudit(`failover-${world.releaseId}`);
    expect(locked).toMatchObject({
      action: 'lock.acquired',
      actor: 'arn:aws:iam::111122223333:user/alice',
      detail: { scope: 'failover', holder: `failover-${world.releaseId}`, kind: 'failover' },
    });
    expect(planned).toMatchObject({
      action: 'failover.planned',
      actor: 'arn:aws:iam::111122223333:user/alice',
    });
  });

  it('fails back to exactly the weights and replicas the failover recorded', async () => {
    const world = await runningWorld();
    await failOver(world);
    const failback = {
      failoverId: `failback-${world.releaseId}`,
      direction: 'failback',
      reverses: `failover-${world.releaseId}`,
    };
    await failOver(world, failback);
    expect(await world.ports.dns.getWeights(RECORD)).toEqual({ use1: 100, usw2: 100 });
    expect(world.ports.cluster.deployment(workload(EAST, 'auth'))?.replicas).toBe(4);
    expect(world.ports.cluster.deployment(workload(EAST, 'db'))?.replicas).toBe(1);
    const record = (await world.ports.store.getPlanDocument(failback.failoverId)) as FailoverRecord;
    expect(record.unscaled).toEqual([
      { region: EAST, service: 'db', reason: 'strategy recreate' },
      { region: EAST, service: 'cache', reason: 'strategy recreate' },
    ]);
    expect((await world.ports.store.listAudit(failback.failoverId)).map((entry) => entry.action)).toContain(
      'replicas.scaled',
    );
  });

  it('refuses a region that is not in the plan, and a second failover at the same time', async () => {
    const world = await runningWorld();
    await expect(run(world, 'beginFailover', input(world, { region: 'eu-west-1' }))).rejects.toThrow(
      InvalidInputError,
    );
    await run(world, 'beginFailover', input(world));
    await expect(
      run(world, 'beginFailover', input(world, { failoverId: 'another-failover', region: EAST })),
    ).rejects.toThrow(LockHeldError);
  });
});
