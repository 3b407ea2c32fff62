/**
 * Releases against a fleet whose load balancers and DNS behave as AWS documents them, where the
 * first version of Switchyard assumed otherwise. Each scenario names the behaviour it models;
 * each fails on the code before the change it guards.
 */
import { describe, expect, it } from 'vitest';
import { submitRelease } from '../../../lambdas/app/submit-release';
import {
  expectCompleted,
  expectRolledBack,
  fixturePlan,
  fixturePlatform,
  rehearseFixtureOnce,
} from '../fixtures/rehearsal';

/** Audit entries of one service in one region, in order. */
function actionsOf(
  result: Awaited<ReturnType<typeof rehearseFixtureOnce>>,
  service: string,
  region = 'us-east-1',
) {
  return result.audit.filter((entry) => entry.service === service && entry.region === region);
}

describe('a target group nothing forwards to is not health-checked', () => {
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/check-target-health.html:
  // targets of a group that no rule or default action forwards to read `unused`
  // (Target.NotInUse); the simulated rules forward to the stable group only, as a rule made for
  // one group does. Before the change, the canary group joined the forward only at the first
  // shift, so its targets never became healthy and every canary was rolled back.
  it('attaches the canary group at weight 0, waits out its initial health checks, then shifts', async () => {
    const result = await rehearseFixtureOnce('canary');
    expectCompleted(result, fixturePlan('canary').plan);
    const shifts = actionsOf(result, 'auth').filter((entry) => entry.action === 'traffic.shifted');
    expect(shifts.map((entry) => entry.detail?.canary)).toEqual([20, 50, 100, 0]);
  });
});

describe('stable and canary pods never share a target group', () => {
  // A TargetGroupBinding registers the pods its Service selects, and a selector can require a
  // label but never exclude one: a stable Service selecting only `app` also selects the canary's
  // pods, which carry every stable label. Before the change, Switchyard shifted traffic anyway.
  it('refuses before the first shift when the stable Service selects on the app label alone, naming the fix', async () => {
    const result = await rehearseFixtureOnce('canary', {
      faults: 'faults: [{ type: sharedSelector, service: auth }]',
    });
    expectRolledBack(result);
    expect(result.reason).toMatch(/SharedTargetGroupError/);
    expect(result.reason).toMatch(/auth-stable has canary pods registered/);
    expect(result.reason).toMatch(/switchyard\.dev\/track: stable/);
    const shifted = actionsOf(result, 'auth').filter((entry) => entry.action === 'traffic.shifted');
    expect(shifted.filter((entry) => Number(entry.detail?.canary) > 0)).toEqual([]);
  });
});

describe("weight writes never undo someone else's change", () => {
  // An ALB rule has no conditional write: Switchyard reads just before writing and compares with
  // the weights it last set. Before the change, it overwrote a person's 100/0 with its next step.
  it('stops the rollout, and rolls back, when someone set the weights by hand mid-canary', async () => {
    const result = await rehearseFixtureOnce('canary', {
      faults: 'faults: [{ type: trafficEdited, service: auth, at: 3m, weights: { stable: 100, canary: 0 } }]',
    });
    expectRolledBack(result);
    expect(result.reason).toMatch(/TrafficEditedError: .*is at 100\/0 .*not the 80\/20 Switchyard last set/);
    const shifts = actionsOf(result, 'auth').filter((entry) => entry.action === 'traffic.shifted');
    expect(shifts.map((entry) => entry.detail?.canary)).toEqual([20]);
  });

  // Route 53 applies a change batch all or nothing and refuses a DELETE whose values differ from
  // the record's (API_ChangeResourceRecordSets). Before the change, an UPSERT of the record as
  // read put back the TTL someone had just changed.
  it("keeps a TTL someone changed just before a failover's DNS change", async () => {
    const platform = await fixturePlatform('two-regions', {
      faults: 'faults: [{ type: dnsRecordEdited, setIdentifier: use1, at: 0s, ttl: 15 }]',
    });
    await platform.scheduler.track(submitRelease(platform.ports, platform.document, 'test'));
    expect(await platform.runUntilIdle()).toBe('finished');
    const failover = {
      failoverId: 'failover-usw2-ttl',
      region: 'us-west-2',
      direction: 'failover',
      planReleaseId: 'fixture-two-regions',
    };
    await platform.workflow.startExecution('failover', failover.failoverId, failover);
    expect(await platform.runUntilIdle()).toBe('finished');
    expect(platform.fleet.describe().dns).toEqual({ use1: 150, usw2: 0 });
    expect(platform.fleet.dnsRecords().find((record) => record.SetIdentifier === 'use1')?.TTL).toBe(15);
  });
});
