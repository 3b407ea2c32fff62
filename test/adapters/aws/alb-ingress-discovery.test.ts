/**
 * The albIngress traffic adapter finding what the AWS Load Balancer Controller made for an Ingress
 * (the load balancer, rule and target groups, found anew when an ARN goes stale), and refusing an
 * Ingress that does not route to the action.
 */
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError, TrafficNotReadyError } from '../../../lambdas/core/errors';
import type { TargetHealthSummary } from '../../../lambdas/ports';
import {
  ACTION_RULE,
  CANARY_TG,
  elb,
  forwardTo,
  type Json,
  LB_ARN,
  LISTENER_443,
  PREFIX,
  patches,
  reconcile,
  renamed,
  STABLE_TG,
  server,
  stackTags,
  startFakeController,
  stopFakeController,
  storefrontIngress,
  tags,
  target,
  targetGroups,
  traffic,
} from './alb-ingress-traffic-support';

/** Set: the next DescribeTargetHealth answers TargetGroupNotFound, as for a group made anew. */
let staleOnce: boolean;

beforeEach(async () => {
  staleOnce = false;
  await startFakeController(() => {
    const stale = staleOnce;
    staleOnce = false;
    return stale;
  });
});
afterEach(stopFakeController);

describe('finding what the controller made', () => {
  it('resolves the rule, listener and target groups by the controller tags, once the canary has its group', async () => {
    await expect(traffic.resolve(target)).rejects.toBeInstanceOf(TrafficNotReadyError);

    await traffic.attachCanary(target);
    reconcile();

    expect(await traffic.resolve(target)).toEqual({
      loadBalancerArn: LB_ARN,
      listenerArn: LISTENER_443,
      ruleArn: ACTION_RULE,
      stableTargetGroupArn: STABLE_TG,
      canaryTargetGroupArn: CANARY_TG,
    });
    // The load balancer was found by the Ingress status's DNS name (upper case there), on page 2.
    expect(elb.commandCalls(DescribeLoadBalancersCommand).map((call) => call.args[0].input)).toEqual([
      { PageSize: 400 },
      { Marker: 'page-2', PageSize: 400 },
    ]);
  });

  it('reads target health; a canary with no target group yet has no targets', async () => {
    const states = (health: Record<'stable' | 'canary', TargetHealthSummary>, track: 'stable' | 'canary') =>
      health[track].targets.map((registered) => registered.state).sort();
    const before = await traffic.targetHealth(target);
    expect(states(before, 'stable')).toEqual(['healthy', 'healthy', 'unhealthy']);
    expect(states(before, 'canary')).toEqual([]);
    expect(elb.commandCalls(DescribeTargetHealthCommand).map((call) => call.args[0].input)).toEqual([
      { TargetGroupArn: STABLE_TG },
    ]);
    await traffic.attachCanary(target);
    reconcile();
    expect(states(await traffic.targetHealth(target), 'canary')).toEqual(['healthy', 'initial']);
  });

  it('reads the tags of many target groups 20 at a time', async () => {
    for (let index = 0; index < 25; index += 1) {
      const arn = `${PREFIX}:targetgroup/k8s-shop-svc${index}/${String(index).padStart(16, '0')}`;
      targetGroups.push({ arn, resource: `shop/storefront-svc${index}:80` });
      tags[arn] = stackTags(`shop/storefront-svc${index}:80`);
    }

    expect(await traffic.getWeights(target)).toEqual({ stable: 100, canary: 0 });
    expect(
      elb.commandCalls(DescribeTagsCommand).map((call) => call.args[0].input.ResourceArns?.length),
    ).toEqual([1, 20, 7]);
  });

  it('finds the load balancer and target groups anew when an ARN has gone stale', async () => {
    expect(await traffic.getWeights(target)).toEqual({ stable: 100, canary: 0 });
    const calls = elb.commandCalls(DescribeLoadBalancersCommand).length;
    staleOnce = true;

    const health = await traffic.targetHealth(target);
    expect(health.stable.targets.filter((registered) => registered.state === 'healthy')).toHaveLength(2);
    expect(elb.commandCalls(DescribeLoadBalancersCommand).length).toBeGreaterThan(calls);
  });

  it.each<[string, () => void, RegExp, unknown]>([
    [
      'a load balancer the controller made for another stack',
      () => {
        tags[LB_ARN] = [{ Key: 'ingress.k8s.aws/stack', Value: 'ops/grafana' }];
      },
      /is tagged ingress\.k8s\.aws\/stack=ops\/grafana, not shop\/storefront/,
      InvalidInputError,
    ],
    [
      'a load balancer the controller did not make',
      () => {
        tags[LB_ARN] = [];
      },
      /is not tagged by the AWS Load Balancer Controller: use traffic\.type alb/,
      InvalidInputError,
    ],
    [
      'no target group for the stable Service',
      () => {
        tags[STABLE_TG] = stackTags('shop/storefront-storefront:8080');
      },
      /has no target group tagged ingress\.k8s\.aws\/resource=shop\/storefront-storefront:80/,
      NotFoundError,
    ],
    [
      'a DNS name no load balancer has',
      () => {
        server.seedIngress({
          ...renamed(storefrontIngress(), 'moved'),
          status: { loadBalancer: { ingress: [{ hostname: 'gone.elb.amazonaws.com' }] } },
        });
      },
      /no load balancer in eu-west-1 has the DNS name gone\.elb\.amazonaws\.com/,
      NotFoundError,
    ],
    [
      'an Ingress the controller has not given a load balancer yet',
      () => {
        server.seedIngress({
          ...storefrontIngress(),
          metadata: { ...storefrontIngress().metadata, name: 'moved' },
          status: {},
        });
      },
      /has no load balancer: its status\.loadBalancer names no hostname/,
      NotFoundError,
    ],
  ])('refuses %s', async (_, arrange, message, type) => {
    arrange();
    const seeded = server.getIngress('shop', 'moved') !== undefined;
    const subject = seeded ? { ...target, albIngress: { ...target.albIngress, ingress: 'moved' } } : target;

    const refused = traffic.getWeights(subject);

    await expect(refused).rejects.toBeInstanceOf(type);
    await expect(refused).rejects.toThrow(message);
  });
});

describe('the Ingress must route to the action', () => {
  it.each<[string, Json | undefined, RegExp]>([
    [
      'no such Ingress',
      undefined,
      /^Ingress shop\/absent in EKS cluster "shop-euw1" \(eu-west-1\) not found$/,
    ],
    [
      'no path naming the action with port use-annotation',
      {
        ...storefrontIngress(),
        spec: {
          rules: [
            {
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'storefront', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
      /sends no path to action "storefront": a path's backend must be service "storefront" with port name "use-annotation"/,
    ],
    [
      'no action annotation',
      { ...storefrontIngress(), metadata: { ...storefrontIngress().metadata, annotations: {} } },
      /has no alb\.ingress\.kubernetes\.io\/actions\.storefront annotation: give it a forward to Service "storefront" port 80/,
    ],
    [
      'an annotation that is not JSON',
      storefrontIngress('{"type": forward'),
      /actions\.storefront is not JSON/,
    ],
    [
      'a redirect, not a forward',
      storefrontIngress({ type: 'redirect', redirectConfig: { statusCode: 'HTTP_301' } }),
      /actions\.storefront is a "redirect" action, not a forward/,
    ],
    [
      'another Service carrying weight',
      storefrontIngress(forwardTo(['storefront', 80, 80], ['legacy', 80, 20])),
      /forwards to Service storefront:80 \(weight 80\), Service legacy:80 \(weight 20\); it must send to Service "storefront" port 80 once/,
    ],
  ])('refuses %s before writing anything', async (_, ingress, message) => {
    if (ingress) server.seedIngress(renamed(ingress, 'absent'));
    const subject = { ...target, albIngress: { ...target.albIngress, ingress: 'absent' } };

    await expect(traffic.setWeights(subject, { stable: 90, canary: 10 })).rejects.toThrow(message);
    expect(patches()).toHaveLength(0);
  });
});
