/**
 * The simulated AWS Load Balancer Controller and Ingress API, alone and through the fleet. What
 * they model (kubernetes-sigs/aws-load-balancer-controller, and its documentation):
 * - the controller makes an ALB per Ingress, tagged elbv2.k8s.aws/cluster, ingress.k8s.aws/stack
 *   and ingress.k8s.aws/resource, and writes its DNS name into the Ingress status;
 * - it rebuilds the rules from the Ingress's action annotation at each reconcile: a short while
 *   after the Ingress changes, and every --sync-period (10 h) regardless;
 * - so a rule changed directly through ELBv2 (ModifyRule) is put back at the next reconcile.
 */
import {
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { AlbIngressTraffic } from '../../../lambdas/adapters/aws/alb-ingress-traffic';
import { ControllerOwnedLoadBalancerError, TransientClusterError } from '../../../lambdas/core/errors';
import type { AlbIngressTarget } from '../../../lambdas/ports';
import { loadFaults } from '../../../rehearsal/faults/load';
import { noFaults } from '../../../rehearsal/faults/schema';
import { SimulatedLoadBalancing } from '../../../rehearsal/fleet/aws/elbv2';
import {
  RECONCILE_DELAY_MS,
  SimulatedLoadBalancerController,
  SYNC_PERIOD_MS,
} from '../../../rehearsal/fleet/aws/load-balancer-controller';
import { SimulatedClusters } from '../../../rehearsal/fleet/cluster';
import { FleetContext } from '../../../rehearsal/fleet/context';
import { SimulatedIngresses } from '../../../rehearsal/fleet/ingresses';
import { fleetFor, TestClock, testPlan, trafficTarget } from './fixtures';

const PLAN = `
metadata: { releaseId: controller-test }
defaults:
  strategy: { type: canary, steps: [{ setWeight: 20 }, { setWeight: 100 }] }
regions:
  - { name: eu-west-1, cluster: shop-euw1, wave: 1 }
services:
  - name: storefront
    namespace: shop
    image: registry.example.com/shop/storefront:4.2.0
    traffic: { type: albIngress, ingress: storefront, stableService: storefront, canaryService: storefront-canary, servicePort: 80 }
  - name: checkout
    namespace: shop
    image: registry.example.com/shop/checkout:2.9.1
    traffic:
      { type: albIngress, ingress: storefront, actionName: checkout-split, stableService: checkout, canaryService: checkout-green, servicePort: http }
  - name: search
    namespace: shop
    image: registry.example.com/shop/search:7.0.3
    traffic: { type: alb, loadBalancerName: shop-search, port: 443, stableTargetGroup: search-stable, canaryTargetGroup: search-canary }
`;

const STOREFRONT_ACTION = 'alb.ingress.kubernetes.io/actions.storefront';
const INGRESS = { region: 'eu-west-1', cluster: 'shop-euw1', namespace: 'shop', name: 'storefront' };
const storefront: AlbIngressTarget = {
  service: 'storefront',
  region: 'eu-west-1',
  cluster: 'shop-euw1',
  namespace: 'shop',
  albIngress: {
    type: 'albIngress',
    ingress: 'storefront',
    stableService: 'storefront',
    canaryService: 'storefront-canary',
    servicePort: 80,
  },
};

function forwardTo(stable: number, canary: number): string {
  return JSON.stringify({
    type: 'forward',
    forwardConfig: {
      targetGroups: [
        { serviceName: 'storefront', servicePort: 80, weight: stable },
        { serviceName: 'storefront-canary', servicePort: 80, weight: canary },
      ],
    },
  });
}

/** The simulated ELBv2 and Ingress APIs with the controller between them, on a clock the test moves. */
function controlled(faults = '') {
  const clock = new TestClock();
  const plan = testPlan(PLAN);
  const loaded = loadFaults(faults, plan);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const context = new FleetContext(plan, faults === '' ? noFaults() : loaded.faults, clock, 7);
  const balancers = new SimulatedLoadBalancing(context, new SimulatedClusters(context));
  const ingresses = new SimulatedIngresses(context);
  new SimulatedLoadBalancerController(context, balancers, ingresses);
  const elbv2 = balancers.client('eu-west-1');
  const traffic = new AlbIngressTraffic({ elbv2For: () => elbv2, ingresses });
  const startMs = clock.now().getTime();
  const elapsedMs = () => clock.now().getTime() - startMs;
  return { clock, balancers, ingresses, elbv2, traffic, startMs, elapsedMs };
}

type Controlled = ReturnType<typeof controlled>;

/** The storefront action's rule, as DescribeRules answers now. */
async function storefrontRule({ elbv2, traffic }: Controlled): Promise<Rule> {
  const { listenerArn, ruleArn } = await traffic.resolve(storefront);
  const { Rules } = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  return Rules!.find((rule) => rule.RuleArn === ruleArn)!;
}

const weightsOf = (rule: Rule) => rule.Actions![0]!.ForwardConfig!.TargetGroups!.map((group) => group.Weight);

describe('the simulated AWS Load Balancer Controller makes, per Ingress', () => {
  it('an ALB with its tags, its DNS name in the Ingress status, and a target group per Service port', async () => {
    const world = controlled();
    const { LoadBalancers } = await world.elbv2.send(new DescribeLoadBalancersCommand({}));
    const made = LoadBalancers!.find((balancer) => balancer.LoadBalancerName?.startsWith('k8s-'))!;
    expect(made.LoadBalancerName).toMatch(/^k8s-shop-storefro-[0-9a-f]{10}$/);
    expect((await world.ingresses.read(INGRESS))!.hostnames).toEqual([made.DNSName]);
    expect(made.DNSName).toMatch(
      /^internal-k8s-shop-storefro-[0-9a-f]{10}-\d+\.eu-west-1\.elb\.amazonaws\.com$/,
    );

    const { TargetGroups } = await world.elbv2.send(
      new DescribeTargetGroupsCommand({ LoadBalancerArn: made.LoadBalancerArn }),
    );
    const { TagDescriptions } = await world.elbv2.send(
      new DescribeTagsCommand({
        ResourceArns: [made.LoadBalancerArn!, ...TargetGroups!.map((group) => group.TargetGroupArn!)],
      }),
    );
    const tagsOf = (index: number) =>
      Object.fromEntries(TagDescriptions![index]!.Tags!.map((tag) => [tag.Key, tag.Value]));
    expect(tagsOf(0)).toEqual({
      'elbv2.k8s.aws/cluster': 'shop-euw1',
      'ingress.k8s.aws/stack': 'shop/storefront',
      'ingress.k8s.aws/resource': 'LoadBalancer',
    });
    expect(TargetGroups!.map((_, index) => tagsOf(index + 1)['ingress.k8s.aws/resource']).sort()).toEqual([
      'shop/storefront-checkout-green:http',
      'shop/storefront-checkout:http',
      'shop/storefront-storefront-canary:80',
      'shop/storefront-storefront:80',
    ]);
    // The plain alb service's load balancer is no controller's.
    const search = LoadBalancers!.find((balancer) => balancer.LoadBalancerName === 'shop-search')!;
    const plain = await world.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: [search.LoadBalancerArn!] }),
    );
    expect(plain.TagDescriptions![0]!.Tags).toEqual([]);
  });

  it('a rule per action, forwarding as the annotation says: stable 100, canary 0', async () => {
    const world = controlled();
    expect(weightsOf(await storefrontRule(world))).toEqual([100, 0]);
    expect(await world.traffic.getWeights(storefront)).toEqual({ stable: 100, canary: 0 });
  });
});

describe('the simulated controller reconciles on virtual time', () => {
  it(`applies an Ingress change ${RECONCILE_DELAY_MS / 1000} s after it, and the history keeps when`, async () => {
    const world = controlled();
    world.clock.advance(60);
    await world.ingresses.patchAnnotations(INGRESS, { [STOREFRONT_ACTION]: forwardTo(80, 20) });

    world.clock.advance(RECONCILE_DELAY_MS / 1000 - 1);
    expect(weightsOf(await storefrontRule(world))).toEqual([100, 0]);
    world.clock.advance(10);
    expect(weightsOf(await storefrontRule(world))).toEqual([80, 20]);

    const history = world.balancers.weightHistory('storefront', 'eu-west-1');
    expect(history.map(({ atMs, by, split }) => [atMs - world.startMs, by, split.canary])).toEqual([
      [0, 'initial', 0],
      [60_000 + RECONCILE_DELAY_MS, 'controller', 0.2],
    ]);
    // The past stays answerable: metrics split traffic by it.
    expect(world.balancers.splitAt('storefront', 'eu-west-1', world.startMs + 62_000)?.canary).toBe(0);
    expect(world.balancers.splitAt('storefront', 'eu-west-1', world.startMs + 66_000)?.canary).toBe(0.2);
  });

  it('folds changes made before a reconcile into it, reading the Ingress as it is then', async () => {
    const world = controlled();
    await world.ingresses.patchAnnotations(INGRESS, { [STOREFRONT_ACTION]: forwardTo(90, 10) });
    world.clock.advance(2);
    await world.ingresses.patchAnnotations(INGRESS, { [STOREFRONT_ACTION]: forwardTo(50, 50) });
    world.clock.advance(30);

    const history = world.balancers.weightHistory('storefront', 'eu-west-1');
    expect(history.map(({ atMs, split }) => [atMs - world.startMs, split.canary])).toEqual([
      [0, 0],
      [RECONCILE_DELAY_MS, 0.5],
    ]);
  });

  it('puts back a rule edited through ELBv2 at the reconcile that follows the next Ingress change', async () => {
    const world = controlled();
    await world.ingresses.patchAnnotations(INGRESS, { [STOREFRONT_ACTION]: forwardTo(80, 20) });
    world.clock.advance(10);
    const rule = await storefrontRule(world);
    const edited = structuredClone(rule.Actions!);
    edited[0]!.ForwardConfig!.TargetGroups![0]!.Weight = 100;
    edited[0]!.ForwardConfig!.TargetGroups![1]!.Weight = 0;

    // The API takes the edit: the rule is the load balancer's, the controller only owns it.
    await world.elbv2.send(new ModifyRuleCommand({ RuleArn: rule.RuleArn, Actions: edited }));
    expect(weightsOf(await storefrontRule(world))).toEqual([100, 0]);
    world.clock.advance(3600);
    expect(weightsOf(await storefrontRule(world))).toEqual([100, 0]);

    // Any change to the Ingress (here another annotation) makes the controller reconcile.
    await world.ingresses.patchAnnotations(INGRESS, { 'example.com/owner': 'shop-team' });
    world.clock.advance(RECONCILE_DELAY_MS / 1000);
    expect(weightsOf(await storefrontRule(world))).toEqual([80, 20]);
    expect(
      world.balancers
        .weightHistory('storefront', 'eu-west-1')
        .map(({ atMs, by }) => [(atMs - world.startMs) / 1000, by]),
    ).toEqual([
      [0, 'initial'],
      [RECONCILE_DELAY_MS / 1000, 'controller'],
      [10, 'ModifyRule'],
      [3610 + RECONCILE_DELAY_MS / 1000, 'controller'],
    ]);
  });

  it('puts back a rule edited through ELBv2 at the sync period, with no Ingress change at all', async () => {
    const world = controlled();
    world.clock.advance(60);
    const rule = await storefrontRule(world);
    const edited = structuredClone(rule.Actions!);
    edited[0]!.ForwardConfig!.TargetGroups![1]!.Weight = 100;
    await world.elbv2.send(new ModifyRuleCommand({ RuleArn: rule.RuleArn, Actions: edited }));

    world.clock.advance(SYNC_PERIOD_MS / 1000 - 61);
    expect(weightsOf(await storefrontRule(world))).toEqual([100, 100]);
    world.clock.advance(2);
    expect(weightsOf(await storefrontRule(world))).toEqual([100, 0]);
    expect(world.balancers.weightHistory('storefront', 'eu-west-1').at(-1)).toMatchObject({
      atMs: world.startMs + SYNC_PERIOD_MS,
      by: 'controller',
    });
  });

  it('changes nothing for an annotation it cannot use: bad JSON, or a Service the cluster does not have', async () => {
    const world = controlled();
    const { RuleArn } = await storefrontRule(world);
    await world.ingresses.patchAnnotations(INGRESS, { [STOREFRONT_ACTION]: '{"type":"forward",' });
    world.clock.advance(30);
    await world.ingresses.patchAnnotations(INGRESS, {
      [STOREFRONT_ACTION]: JSON.stringify({
        type: 'forward',
        forwardConfig: { targetGroups: [{ serviceName: 'nobody', servicePort: 80, weight: 1 }] },
      }),
    });
    world.clock.advance(30);
    const { Rules } = await world.elbv2.send(new DescribeRulesCommand({ RuleArns: [RuleArn!] }));
    expect(weightsOf(Rules![0]!)).toEqual([100, 0]);
    expect(world.balancers.weightHistory('storefront', 'eu-west-1')).toHaveLength(1);
  });
});

describe('the simulated Ingress API', () => {
  it('refuses a patch on a stale resourceVersion, and keeps the version of a patch that changes nothing', async () => {
    const world = controlled();
    const before = (await world.ingresses.read(INGRESS))!;
    await world.ingresses.patchAnnotations(INGRESS, { 'example.com/owner': 'shop-team' });

    const stale = world.ingresses.patchAnnotations(
      INGRESS,
      { [STOREFRONT_ACTION]: forwardTo(0, 100) },
      before.resourceVersion,
    );
    await expect(stale).rejects.toBeInstanceOf(TransientClusterError);
    await expect(stale).rejects.toThrow(/answered 409/);
    const current = (await world.ingresses.read(INGRESS))!;
    const same = await world.ingresses.patchAnnotations(INGRESS, { 'example.com/owner': 'shop-team' });
    expect(same.resourceVersion).toBe(current.resourceVersion);
    expect(current.annotations[STOREFRONT_ACTION]).toBe(forwardTo(100, 0));
  });

  it('is out of reach while its region is down, and names only its own cluster', async () => {
    const world = controlled('faults: [{ type: regionOutage, region: eu-west-1, at: 1m, until: 5m }]');
    world.clock.advance(120);
    await expect(world.ingresses.read(INGRESS)).rejects.toBeInstanceOf(TransientClusterError);
    world.clock.advance(300);
    await expect(world.ingresses.read({ ...INGRESS, cluster: 'elsewhere' })).rejects.toThrow(
      'EKS cluster "elsewhere" not found in eu-west-1',
    );
    expect(await world.ingresses.read({ ...INGRESS, name: 'absent' })).toBeUndefined();
  });
});

describe('controllerManaged: a plain alb load balancer handed to the controller', () => {
  it('carries the controller tags, so the ALB adapter refuses it naming albIngress', async () => {
    const { fleet, plan } = fleetFor({
      faults: 'faults: [{ type: controllerManaged, loadBalancer: internal }]',
    });
    const refused = fleet.traffic.getWeights(trafficTarget(plan, 'auth'));
    await expect(refused).rejects.toBeInstanceOf(ControllerOwnedLoadBalancerError);
    await expect(refused).rejects.toThrow(/traffic\.type albIngress/);
    // The other load balancer is Switchyard's as before.
    await expect(fleet.traffic.getWeights(trafficTarget(plan, 'api'))).resolves.toEqual({
      stable: 100,
      canary: 0,
    });
  });

  it('has its rules put back at the sync period after a direct edit', async () => {
    const world = controlled('faults: [{ type: controllerManaged, loadBalancer: shop-search }]');
    const { LoadBalancers } = await world.elbv2.send(
      new DescribeLoadBalancersCommand({ Names: ['shop-search'] }),
    );
    const { TagDescriptions } = await world.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: [LoadBalancers![0]!.LoadBalancerArn!] }),
    );
    expect(TagDescriptions![0]!.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'elbv2.k8s.aws/cluster', Value: 'shop-euw1' },
        { Key: 'ingress.k8s.aws/stack', Value: 'shop-search' },
      ]),
    );
    world.clock.advance(60);
    expect(world.balancers.splitAt('search', 'eu-west-1', world.clock.now().getTime())).toEqual({
      stable: 1,
      canary: 0,
    });
    const listener = world.balancers.loadBalancerNamed('eu-west-1', 'shop-search')!.holders[0]!;
    const actions = world.balancers.actionsOf('eu-west-1', listener);
    const { TargetGroups } = await world.elbv2.send(
      new DescribeTargetGroupsCommand({ Names: ['search-canary'] }),
    );
    actions[0]!.ForwardConfig!.TargetGroups = [
      { ...actions[0]!.ForwardConfig!.TargetGroups![0]!, Weight: 100 },
      { TargetGroupArn: TargetGroups![0]!.TargetGroupArn!, Weight: 100 },
    ];
    delete actions[0]!.TargetGroupArn;
    await world.elbv2.send(new ModifyListenerCommand({ ListenerArn: listener, DefaultActions: actions }));
    expect(world.balancers.splitAt('search', 'eu-west-1', world.clock.now().getTime())).toEqual({
      stable: 0.5,
      canary: 0.5,
    });

    world.clock.advance(SYNC_PERIOD_MS / 1000);
    expect(world.balancers.splitAt('search', 'eu-west-1', world.clock.now().getTime())).toEqual({
      stable: 1,
      canary: 0,
    });
  });
});
