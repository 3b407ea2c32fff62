/**
 * Failover moves Route 53 weight away from a region after scaling the survivors up; failback
 * reverses exactly what the failover changed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { submitRelease } from '../../../lambdas/app/submit-release';
import type { LocalPlatform } from '../../../rehearsal/rehearse';
import { type FixturePlan, fixturePlatform } from '../fixtures/rehearsal';

const RELEASE = 'fixture-two-regions';

function replicasIn(platform: LocalPlatform, region: string): Record<string, number> {
  const services = platform.fleet.describe().regions[region]!.services;
  return Object.fromEntries(
    Object.entries(services).map(([name, service]) => [name, service.stable!.replicas]),
  );
}

describe('failover and failback of a region', () => {
  let platform: LocalPlatform & FixturePlan;

  beforeAll(async () => {
    platform = await fixturePlatform('two-regions');
    await platform.scheduler.track(submitRelease(platform.ports, platform.document, 'test'));
    expect(await platform.runUntilIdle()).toBe('finished');
    expect((await platform.store.getRelease(RELEASE))?.status).toBe('SUCCEEDED');
  });

  it('fails us-west-2 over, then back, ending on the original weights and replicas', async () => {
    const originalDns = platform.fleet.describe().dns;
    const originalReplicas = replicasIn(platform, 'us-east-1');
    expect(originalDns).toEqual({ use1: 100, usw2: 50 });

    const failover = {
      failoverId: 'failover-usw2-1',
      region: 'us-west-2',
      direction: 'failover',
      planReleaseId: RELEASE,
    };
    const started = await platform.workflow.startExecution('failover', failover.failoverId, failover);
    expect(await platform.runUntilIdle()).toBe('finished');
    expect(await platform.workflow.describeExecution(started.executionArn)).toMatchObject({
      status: 'SUCCEEDED',
    });

    // us-west-2's weight went to us-east-1, which was scaled up to carry it first.
    expect(platform.fleet.describe().dns).toEqual({ use1: 150, usw2: 0 });
    const scaled = replicasIn(platform, 'us-east-1');
    for (const [service, replicas] of Object.entries(originalReplicas)) {
      // store is a single writer (strategy recreate): failover never adds a second one.
      expect(scaled[service], service).toBe(service === 'store' ? replicas : Math.ceil(replicas * 1.5));
    }
    const failoverAudit = (await platform.store.listAudit(failover.failoverId)).map((entry) => entry.action);
    expect(failoverAudit).toEqual([
      'lock.acquired',
      'failover.planned',
      'replicas.scaled',
      'dns.weights-changed',
      'failover.completed',
      'lock.released',
    ]);

    const failback = {
      failoverId: 'failback-usw2-1',
      region: 'us-west-2',
      direction: 'failback',
      planReleaseId: RELEASE,
      reverses: failover.failoverId,
    };
    const back = await platform.workflow.startExecution('failover', failback.failoverId, failback);
    expect(await platform.runUntilIdle()).toBe('finished');
    expect(await platform.workflow.describeExecution(back.executionArn)).toMatchObject({
      status: 'SUCCEEDED',
    });

    expect(platform.fleet.describe().dns).toEqual(originalDns);
    expect(replicasIn(platform, 'us-east-1')).toEqual(originalReplicas);
    expect(platform.events.published.map((event) => event.detailType)).toEqual(
      expect.arrayContaining(['Failover Started', 'Failover Completed', 'Failback Completed']),
    );
  });

  it('refuses a failback that names no recorded failover of that region', async () => {
    const input = {
      failoverId: 'failback-bogus',
      region: 'us-east-1',
      direction: 'failback',
      planReleaseId: RELEASE,
      reverses: 'failover-usw2-1',
    };
    const dnsBefore = platform.fleet.describe().dns;
    const { executionArn } = await platform.workflow.startExecution('failover', input.failoverId, input);
    await platform.runUntilIdle();

    expect(await platform.workflow.describeExecution(executionArn)).toMatchObject({ status: 'FAILED' });
    expect(platform.fleet.describe().dns).toEqual(dnsBefore);
  });
});
