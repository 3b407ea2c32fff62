import {
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ModifyRuleCommand,
  type TargetGroupTuple,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from '../../../lambdas/core/errors';
import { noFaults } from '../../../rehearsal/faults/schema';
import { SimulatedLoadBalancing } from '../../../rehearsal/fleet/aws/elbv2';
import { SimulatedRoute53 } from '../../../rehearsal/fleet/aws/route53';
import { SimulatedClusters } from '../../../rehearsal/fleet/cluster';
import { FleetContext } from '../../../rehearsal/fleet/context';
import { fleetFor, TestClock, testPlan, trafficTarget, workload } from './fixtures';

const NEW_AUTH = 'registry.example.com/platform/auth:2.8.0';

/** The simulated AWS APIs alone, to check the rules the real APIs enforce. */
function simulatedApis() {
  const context = new FleetContext(testPlan(), noFaults(), new TestClock(), 7);
  const balancers = new SimulatedLoadBalancing(context, new SimulatedClusters(context));
  return { balancers, route53: new SimulatedRoute53(context) };
}

describe('simulated load balancers', () => {
  it('resolve ALB services to their listener, rule and target groups', async () => {
    const { fleet, plan } = fleetFor();
    const auth = await fleet.traffic.resolve(trafficTarget(plan, 'auth'));
    expect(auth.loadBalancerArn).toMatch(
      /^arn:aws:elasticloadbalancing:us-east-1:\d{12}:loadbalancer\/app\/internal\/[0-9a-f]{16}$/,
    );
    expect(auth.ruleArn).toMatch(/:listener-rule\/app\/internal\//);
    expect(auth.stableTargetGroupArn).toMatch(/:targetgroup\/auth-stable\/[0-9a-f]{16}$/);
    // Without a rule, the weights live on the listener's default action.
    const api = await fleet.traffic.resolve(trafficTarget(plan, 'api'));
    expect(api.ruleArn).toBeUndefined();
    expect(api.canaryTargetGroupArn).toMatch(/:targetgroup\/api-green\//);
  });

  it('refuse services without a load balancer', async () => {
    const { fleet, plan } = fleetFor();
    const worker = { ...trafficTarget(plan, 'auth'), service: 'worker' };
    await expect(fleet.traffic.resolve(worker)).rejects.toThrow(
      new InvalidInputError('worker has replicaRatio traffic: it has no load balancer in us-east-1'),
    );
  });

  it('set weights and return what they read back', async () => {
    const { fleet, plan } = fleetFor();
    const auth = trafficTarget(plan, 'auth');
    expect(await fleet.traffic.getWeights(auth)).toEqual({ stable: 100, canary: 0 });
    expect(await fleet.traffic.setWeights(auth, { stable: 95, canary: 5 })).toEqual({
      stable: 95,
      canary: 5,
    });
    expect(await fleet.traffic.getWeights(auth)).toEqual({ stable: 95, canary: 5 });
    expect(await fleet.traffic.getWeights(trafficTarget(plan, 'auth', 'us-west-2'))).toEqual({
      stable: 100,
      canary: 0,
    });
    expect(fleet.describe().regions['us-east-1']?.services.auth?.weights).toEqual({ stable: 95, canary: 5 });
    await expect(fleet.traffic.setWeights(auth, { stable: 60, canary: 60 })).rejects.toThrow(
      InvalidInputError,
    );
  });

  it('enforce the API rules on a forward action: whole weights 0–999, at most 5 target groups', async () => {
    const { balancers } = simulatedApis();
    const rule = await authRule(balancers);
    // As a rule made for one group reads: the stable group alone, until the canary is attached.
    expect(rule.groups).toHaveLength(1);
    const [stable] = rule.groups as [TargetGroupTuple];
    const canary = { TargetGroupArn: await targetGroupArn(balancers, 'auth-canary'), Weight: 0 };
    const modify = (groups: TargetGroupTuple[]) =>
      balancers.send(
        'us-east-1',
        new ModifyRuleCommand({
          RuleArn: rule.arn,
          Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: groups } }],
        }),
      );

    await expect(
      modify([
        { ...stable, Weight: 999 },
        { ...canary, Weight: 1 },
      ]),
    ).resolves.toBeDefined();
    await expect(
      modify([
        { ...stable, Weight: 1000 },
        { ...canary, Weight: 0 },
      ]),
    ).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(modify([{ ...stable, Weight: 12.5 }, canary])).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(modify([{ ...stable, Weight: -1 }, canary])).rejects.toMatchObject({
      name: 'ValidationError',
    });
    const six = Array.from({ length: 6 }, () => ({ TargetGroupArn: stable.TargetGroupArn, Weight: 1 }));
    await expect(modify(six)).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('less than or equal to 5'),
    });
    await expect(modify([{ TargetGroupArn: `${stable.TargetGroupArn}x`, Weight: 1 }])).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException',
    });
    // Nothing refused was applied.
    expect((await authRule(balancers)).groups.map((group) => group.Weight)).toEqual([999, 1]);
  });

  it('report targets unused while no rule forwards to their group, initial for one health check, then healthy', async () => {
    const { fleet, clock, plan } = fleetFor();
    const auth = trafficTarget(plan, 'auth');
    const states = async (track: 'stable' | 'canary') =>
      (await fleet.traffic.targetHealth(auth))[track].targets.map((target) => [target.state, target.reason]);
    expect(await states('stable')).toEqual(Array(4).fill(['healthy', undefined]));
    await fleet.cluster.ensureCanary(workload(plan, 'auth'), {
      container: 'auth',
      image: NEW_AUTH,
      replicas: 2,
    });
    // A pod becomes a target once ready: 10 s, and 15 s for the second (one every 5 s).
    clock.advance(12);
    expect(await states('canary')).toEqual([['unused', 'Target.NotInUse']]);
    clock.advance(3);
    expect(await states('canary')).toEqual(Array(2).fill(['unused', 'Target.NotInUse']));
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
    await fleet.traffic.attachCanary(auth);
    expect(await fleet.traffic.getWeights(auth)).toEqual({ stable: 100, canary: 0 });
    expect(await states('canary')).toEqual(Array(2).fill(['initial', 'Elb.InitialHealthChecking']));
    clock.advance(29);
    expect(await states('canary')).toEqual(Array(2).fill(['initial', 'Elb.InitialHealthChecking']));
    clock.advance(1);
    expect(await states('canary')).toEqual(Array(2).fill(['healthy', undefined]));
    // The canary's pods are the canary group's targets, by IP, and never the stable group's.
    const canaryIps = await fleet.cluster.podAddresses(workload(plan, 'auth'), 'canary');
    const health = await fleet.traffic.targetHealth(auth);
    expect(health.canary.targets.map((target) => target.id).sort()).toEqual([...canaryIps].sort());
    expect(health.stable.targets.map((target) => target.id)).not.toContain(canaryIps[0]);
  });

  it('register only ready pods: a version that never becomes ready has no targets', async () => {
    const { fleet, clock, plan } = fleetFor({
      faults: 'faults: [{ type: rolloutNeverReady, service: auth }]',
    });
    await fleet.traffic.attachCanary(trafficTarget(plan, 'auth'));
    await fleet.cluster.ensureCanary(workload(plan, 'auth'), {
      container: 'auth',
      image: NEW_AUTH,
      replicas: 2,
    });
    clock.advance(300);
    expect((await fleet.traffic.targetHealth(trafficTarget(plan, 'auth'))).canary.targets).toEqual([]);
  });

  it('register canary pods in the stable group too when its Service selects on the app label alone', async () => {
    const { fleet, clock, plan } = fleetFor({ faults: 'faults: [{ type: sharedSelector, service: auth }]' });
    await fleet.cluster.ensureCanary(workload(plan, 'auth'), {
      container: 'auth',
      image: NEW_AUTH,
      replicas: 2,
    });
    clock.advance(60);
    const canaryIps = await fleet.cluster.podAddresses(workload(plan, 'auth'), 'canary');
    const stable = (await fleet.traffic.targetHealth(trafficTarget(plan, 'auth'))).stable.targets;
    expect(stable).toHaveLength(6);
    expect(stable.map((target) => target.id)).toEqual(expect.arrayContaining(canaryIps));
  });
});

describe('simulated Route 53', () => {
  const record = { hostedZoneId: 'ZTESTZONE', recordName: 'api.example.com' };

  it('hold one weighted record per region, with the plan weights', async () => {
    const { fleet } = fleetFor();
    expect(await fleet.dns.getWeights(record)).toEqual({ use1: 100, usw2: 50 });
    expect(await fleet.dns.getWeights({ ...record, recordName: 'API.Example.com.' })).toEqual({
      use1: 100,
      usw2: 50,
    });
    await expect(fleet.dns.getWeights({ ...record, hostedZoneId: 'ZOTHER' })).rejects.toThrow(NotFoundError);
  });

  it('take weights 0–255 and refuse to set every record to 0', async () => {
    const { fleet } = fleetFor();
    await expect(fleet.dns.setWeights(record, { use1: 256 })).rejects.toThrow(InvalidInputError);
    await expect(fleet.dns.setWeights(record, { use1: 0, usw2: 0 })).rejects.toThrow(/even split/);
    await expect(fleet.dns.setWeights(record, { nowhere: 10 })).rejects.toThrow(InvalidInputError);
    await fleet.dns.setWeights(record, { use1: 0, usw2: 255 });
    expect(await fleet.dns.getWeights(record)).toEqual({ use1: 0, usw2: 255 });
    expect(fleet.describe().dns).toEqual({ use1: 0, usw2: 255 });
    // Draining the last region is refused too: the rule looks at the weights after the change.
    await expect(fleet.dns.setWeights(record, { usw2: 0 })).rejects.toThrow(/even split/);
  });

  it('refuse out-of-range weights at the API as Route 53 does', async () => {
    const { route53 } = simulatedApis();
    const change = (weight: number) =>
      route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: 'ZTESTZONE',
          ChangeBatch: {
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: {
                  Name: 'api.example.com.',
                  Type: 'A',
                  SetIdentifier: 'use1',
                  Weight: weight,
                },
              },
            ],
          },
        }),
      );
    await expect(change(256)).rejects.toMatchObject({ name: 'InvalidInput' });
    await expect(change(255)).resolves.toMatchObject({ ChangeInfo: { Status: 'PENDING' } });
  });

  it('report a change INSYNC once its propagation delay has passed', async () => {
    const { fleet, clock } = fleetFor();
    const { changeId } = await fleet.dns.setWeights(record, { usw2: 0 });
    expect(changeId).toMatch(/^\/change\/C[A-Z0-9]{13}$/);
    expect(await fleet.dns.isInSync(changeId)).toBe(false);
    clock.advance(29);
    expect(await fleet.dns.isInSync(changeId)).toBe(false);
    clock.advance(1);
    expect(await fleet.dns.isInSync(changeId)).toBe(true);
    await expect(fleet.dns.isInSync('/change/CNOSUCHCHANGE1')).rejects.toThrow(NotFoundError);
  });
});

async function authRule(
  balancers: SimulatedLoadBalancing,
): Promise<{ arn: string; groups: TargetGroupTuple[] }> {
  const context = balancers as unknown as {
    regions: Map<string, { services: Map<string, { holder: { arn: string } }> }>;
  };
  const arn = context.regions.get('us-east-1')!.services.get('auth')!.holder.arn;
  const { Rules } = (await balancers.send('us-east-1', new DescribeRulesCommand({ RuleArns: [arn] }))) as {
    Rules: Array<{ Actions: Array<{ ForwardConfig: { TargetGroups: TargetGroupTuple[] } }> }>;
  };
  return { arn, groups: Rules[0]!.Actions[0]!.ForwardConfig.TargetGroups };
}

async function targetGroupArn(balancers: SimulatedLoadBalancing, name: string): Promise<string> {
  const { TargetGroups } = (await balancers.send(
    'us-east-1',
    new DescribeTargetGroupsCommand({ Names: [name] }),
  )) as { TargetGroups: Array<{ TargetGroupArn: string }> };
  return TargetGroups[0]!.TargetGroupArn;
}
