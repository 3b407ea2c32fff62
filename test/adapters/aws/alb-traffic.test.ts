/**
 * AlbTraffic reading an ALB through a fake ELBv2 API: which load balancers it refuses, resolving a
 * plan's listener, rule and target groups, the weights and the target health it reads back. Writes
 * are in alb-traffic-writes.test.ts; the same against moto in alb-traffic.moto.test.ts.
 */
import {
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeEach, describe, expect, it } from 'vitest';
import { ALB_TRAFFIC_READ_IAM_ACTIONS, AlbTraffic } from '../../../lambdas/adapters/aws/alb-traffic';
import {
  ControllerOwnedLoadBalancerError,
  InvalidInputError,
  NotFoundError,
} from '../../../lambdas/core/errors';
import {
  ADMIN_RULE,
  API_RULE,
  API_V2_RULE,
  CANARY_TG,
  client,
  elb,
  LB_ARN,
  LISTENER_443,
  listeners,
  OTHER_TG,
  oidc,
  plan,
  resetFakeLoadBalancer,
  rules,
  STABLE_TG,
  tags,
} from './alb-traffic-support';

beforeEach(resetFakeLoadBalancer);

describe('a load balancer the AWS Load Balancer Controller owns', () => {
  it.each<[string, Tag[], RegExp]>([
    [
      'made from an Ingress',
      [
        { Key: 'elbv2.k8s.aws/cluster', Value: 'prod-use1' },
        { Key: 'ingress.k8s.aws/stack', Value: 'shop/web' },
        { Key: 'ingress.k8s.aws/resource', Value: 'LoadBalancer' },
      ],
      /\(stack shop\/web, cluster prod-use1\)/,
    ],
    [
      'made by the v1 ALB Ingress Controller',
      [{ Key: 'ingress.k8s.aws/cluster', Value: 'legacy' }],
      /\(cluster legacy\)/,
    ],
  ])('%s is refused before any weight is read or written, naming albIngress', async (_, owned, names) => {
    tags[LB_ARN] = owned;
    const traffic = new AlbTraffic(() => client);

    const refused = traffic.setWeights(plan(), { stable: 90, canary: 10 });

    await expect(refused).rejects.toBeInstanceOf(ControllerOwnedLoadBalancerError);
    await expect(refused).rejects.toThrow(/traffic\.type albIngress/);
    await expect(refused).rejects.toThrow(names);
    expect(elb.commandCalls(DescribeTagsCommand)).toHaveLength(1);
    expect(elb.commandCalls(DescribeTagsCommand)[0]!.args[0].input).toEqual({ ResourceArns: [LB_ARN] });
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
    expect(elb.commandCalls(ModifyRuleCommand)).toHaveLength(0);
    expect(elb.commandCalls(DescribeRulesCommand)).toHaveLength(0);
  });

  it('is a named error that retrying cannot help (an InvalidInputError)', () => {
    const error = new ControllerOwnedLoadBalancerError('owned');
    expect(error.name).toBe('ControllerOwnedLoadBalancerError');
    expect(error).toBeInstanceOf(InvalidInputError);
  });

  it('tags of its own (a team tag) are no such sign: weights are written', async () => {
    const traffic = new AlbTraffic(() => client);
    await expect(traffic.setWeights(plan(), { stable: 90, canary: 10 })).resolves.toEqual({
      stable: 90,
      canary: 10,
    });
  });
});

describe('AlbTraffic.resolve', () => {
  it("resolves the listener's default action and both target groups by name, once per region and service", async () => {
    const traffic = new AlbTraffic(() => client);

    const resolved = await traffic.resolve(plan());
    await traffic.resolve(plan());

    expect(resolved).toEqual({
      loadBalancerArn: LB_ARN,
      listenerArn: LISTENER_443,
      stableTargetGroupArn: STABLE_TG,
      canaryTargetGroupArn: CANARY_TG,
    });
    expect(elb.commandCalls(DescribeLoadBalancersCommand)).toHaveLength(1);
    expect(elb.commandCalls(DescribeLoadBalancersCommand)[0]?.args[0].input).toEqual({ Names: ['shop'] });
    expect(elb.commandCalls(DescribeTargetGroupsCommand)[0]?.args[0].input).toEqual({
      Names: ['web-stable', 'web-canary'],
    });
    expect(elb.commandCalls(DescribeRulesCommand)).toHaveLength(0);
  });

  it('resolves again when the plan for the service changes', async () => {
    const traffic = new AlbTraffic(() => client);
    await traffic.resolve(plan());
    const resolved = await traffic.resolve(plan({ rule: { hostHeader: 'api.example.com', priority: 10 } }));
    expect(resolved.ruleArn).toBe(API_RULE);
    expect(elb.commandCalls(DescribeLoadBalancersCommand)).toHaveLength(2);
  });

  it('uses the client of the target region', async () => {
    const regions: string[] = [];
    const traffic = new AlbTraffic((region) => {
      regions.push(region);
      return client;
    });
    await traffic.resolve({ ...plan(), region: 'eu-west-1' });
    expect(new Set(regions)).toEqual(new Set(['eu-west-1']));
  });

  it('finds a rule by host header (case-insensitive) across pages of rules', async () => {
    const traffic = new AlbTraffic(() => client);
    // Rule 30 lists the host among several values, on the second page.
    const resolved = await traffic.resolve(plan({ rule: { hostHeader: 'OPS.example.com' } }));
    expect(resolved.ruleArn).toBe(ADMIN_RULE);
    expect(elb.commandCalls(DescribeRulesCommand).map((call) => call.args[0].input)).toEqual([
      { ListenerArn: LISTENER_443, Marker: undefined, PageSize: 400 },
      { ListenerArn: LISTENER_443, Marker: 'page-2', PageSize: 400 },
    ]);
  });

  it('finds a rule by host header and path pattern', async () => {
    const traffic = new AlbTraffic(() => client);
    const resolved = await traffic.resolve(
      plan({ rule: { hostHeader: 'api.example.com', pathPattern: '/v2/*' } }),
    );
    expect(resolved.ruleArn).toBe(API_V2_RULE);
  });

  it('refuses an ambiguous rule selection and asks for the priority', async () => {
    const traffic = new AlbTraffic(() => client);
    const error = await traffic.resolve(plan({ rule: { hostHeader: 'api.example.com' } })).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('priorities 10, 20');
    expect(error.message).toContain('rule.priority');

    const resolved = await traffic.resolve(plan({ rule: { hostHeader: 'api.example.com', priority: 10 } }));
    expect(resolved.ruleArn).toBe(API_RULE);
  });

  it.each([
    ['the load balancer', plan({ loadBalancerName: 'gone' }), 'load balancer "gone" not found in us-east-1'],
    [
      'the port',
      plan({ port: 8443 }),
      'load balancer "shop" in us-east-1 has no listener on port 8443 (listeners: 80, 443)',
    ],
    [
      'the rule',
      plan({ rule: { pathPattern: '/nothing/*' } }),
      'no rule with path pattern "/nothing/*" on listener port 443 of load balancer "shop" in us-east-1',
    ],
    [
      'the target group',
      plan({ canaryTargetGroup: 'web-green' }),
      'target group "web-green" not found in us-east-1',
    ],
  ])('names %s when it is not found', async (_, target, message) => {
    const error = await new AlbTraffic(() => client).resolve(target).catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe(message);
  });
});

describe('AlbTraffic.getWeights', () => {
  it('reads a plain forward to the stable group as 100 % stable', async () => {
    listeners[1]!.DefaultActions = [{ Type: 'forward', TargetGroupArn: STABLE_TG }];
    expect(await new AlbTraffic(() => client).getWeights(plan())).toEqual({ stable: 100, canary: 0 });
  });

  it('turns ALB weights (0–999) into percent', async () => {
    listeners[1]!.DefaultActions = [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: STABLE_TG, Weight: 900 },
            { TargetGroupArn: CANARY_TG, Weight: 100 },
          ],
        },
      },
    ];
    expect(await new AlbTraffic(() => client).getWeights(plan())).toEqual({ stable: 90, canary: 10 });
  });

  it('reads the weights of the selected rule', async () => {
    rules[0]!.Actions = [
      oidc,
      {
        Type: 'forward',
        Order: 2,
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: STABLE_TG, Weight: 75 },
            { TargetGroupArn: CANARY_TG, Weight: 25 },
          ],
        },
      },
    ];
    const target = plan({ rule: { hostHeader: 'api.example.com', priority: 10 } });
    expect(await new AlbTraffic(() => client).getWeights(target)).toEqual({ stable: 75, canary: 25 });
  });

  it('refuses a forward that sends traffic to a group other than stable and canary', async () => {
    listeners[1]!.DefaultActions = [{ Type: 'forward', TargetGroupArn: OTHER_TG }];
    const error = await new AlbTraffic(() => client).getWeights(plan()).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain(OTHER_TG);
  });

  it('refuses a rule whose action does not forward', async () => {
    const target = plan({ rule: { hostHeader: 'admin.example.com' } });
    const error = await new AlbTraffic(() => client).getWeights(target).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('does not forward to target groups (its actions: fixed-response)');
  });

  it('resolves again once when a cached rule has been recreated', async () => {
    const traffic = new AlbTraffic(() => client);
    const target = plan({ rule: { hostHeader: 'api.example.com', priority: 10 } });
    await traffic.resolve(target);
    const recreated = `${API_RULE.slice(0, -4)}beef`;
    rules[0]!.RuleArn = recreated;

    expect(await traffic.getWeights(target)).toEqual({ stable: 100, canary: 0 });
    expect((await traffic.resolve(target)).ruleArn).toBe(recreated);
  });
});

describe('AlbTraffic.targetHealth', () => {
  it('reports every target of both groups with its state, reason and description', async () => {
    elb.on(DescribeTargetHealthCommand, { TargetGroupArn: STABLE_TG }).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.1.10', Port: 8080 }, TargetHealth: { State: 'healthy' } },
        {
          Target: { Id: '10.0.1.11', Port: 8080 },
          TargetHealth: {
            State: 'draining',
            Reason: 'Target.DeregistrationInProgress',
            Description: 'Target deregistration is in progress',
          },
        },
      ],
    });
    elb.on(DescribeTargetHealthCommand, { TargetGroupArn: CANARY_TG }).resolves({
      TargetHealthDescriptions: [
        {
          Target: { Id: '10.0.2.10', Port: 8080 },
          TargetHealth: { State: 'unused', Reason: 'Target.NotInUse' },
        },
        // A state this SDK version does not know proves nothing healthy.
        { Target: { Id: '10.0.2.11' }, TargetHealth: { State: 'warming' as never } },
      ],
    });
    expect(await new AlbTraffic(() => client).targetHealth(plan())).toEqual({
      stable: {
        name: 'web-stable',
        targets: [
          { id: '10.0.1.10', port: 8080, state: 'healthy' },
          {
            id: '10.0.1.11',
            port: 8080,
            state: 'draining',
            reason: 'Target.DeregistrationInProgress',
            description: 'Target deregistration is in progress',
          },
        ],
      },
      canary: {
        name: 'web-canary',
        targets: [
          { id: '10.0.2.10', port: 8080, state: 'unused', reason: 'Target.NotInUse' },
          { id: '10.0.2.11', state: 'unavailable' },
        ],
      },
    });
  });
});

it('reads without any action beyond the read grant: the traffic reader port never modifies', async () => {
  const traffic = new AlbTraffic(() => client);
  elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
  for (const target of [plan(), plan({ rule: { hostHeader: 'api.example.com', priority: 10 } })]) {
    await traffic.resolve(target);
    await traffic.getWeights(target);
    await traffic.targetHealth(target);
  }

  const called = new Set(
    elb
      .calls()
      .map((call) => `elasticloadbalancing:${call.args[0].constructor.name.replace(/Command$/, '')}`),
  );
  expect([...called].sort()).toEqual([...ALB_TRAFFIC_READ_IAM_ACTIONS].sort());
});
