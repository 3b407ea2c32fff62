import {
  type Action,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  type Listener,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Rule,
  RuleNotFoundException,
  type Tag,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ALB_TRAFFIC_IAM_ACTIONS,
  ALB_TRAFFIC_READ_IAM_ACTIONS,
  AlbTraffic,
} from '../../../lambdas/adapters/aws/alb-traffic';
import { PagingStalledError } from '../../../lambdas/adapters/aws/paging';
import {
  ControllerOwnedLoadBalancerError,
  InvalidInputError,
  NotFoundError,
  TrafficEditedError,
  TransientAwsError,
} from '../../../lambdas/core/errors';
import type { AlbTrafficPlan } from '../../../lambdas/core/plan/schema';
import type { AlbTarget } from '../../../lambdas/ports/index';

const PREFIX = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
const LB_ARN = `${PREFIX}:loadbalancer/app/shop/50dc6c495c0c9188`;
const LISTENER_443 = `${PREFIX}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const LISTENER_80 = `${PREFIX}:listener/app/shop/50dc6c495c0c9188/0467ef3c8400ae65`;
const STABLE_TG = `${PREFIX}:targetgroup/web-stable/6d0ecf831eec9f09`;
const CANARY_TG = `${PREFIX}:targetgroup/web-canary/0a4b7ee9a7f3c21d`;
const OTHER_TG = `${PREFIX}:targetgroup/legacy/943f017f100becff`;
const API_RULE = `${PREFIX}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const API_V2_RULE = `${PREFIX}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/1c2d3e4f5a6b7c8d`;
const ADMIN_RULE = `${PREFIX}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/aa11bb22cc33dd44`;
const DEFAULT_RULE = `${PREFIX}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/ffffffffffffffff`;

const elb = mockClient(ElasticLoadBalancingV2Client);
const client = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });

function plan(overrides: Partial<AlbTrafficPlan> = {}): AlbTarget {
  return {
    service: 'web',
    region: 'us-east-1',
    alb: {
      type: 'alb',
      loadBalancerName: 'shop',
      port: 443,
      stableTargetGroup: 'web-stable',
      canaryTargetGroup: 'web-canary',
      ...overrides,
    },
  };
}

const oidc: Action = {
  Type: 'authenticate-oidc',
  Order: 1,
  AuthenticateOidcConfig: {
    Issuer: 'https://idp.example.com',
    AuthorizationEndpoint: 'https://idp.example.com/authorize',
    TokenEndpoint: 'https://idp.example.com/token',
    UserInfoEndpoint: 'https://idp.example.com/userinfo',
    ClientId: 'switchyard',
    OnUnauthenticatedRequest: 'authenticate',
  },
};

/** A forward as DescribeRules returns a single-group forward: both TargetGroupArn and ForwardConfig. */
const forwardToStable: Action = {
  Type: 'forward',
  Order: 2,
  TargetGroupArn: STABLE_TG,
  ForwardConfig: {
    TargetGroups: [{ TargetGroupArn: STABLE_TG, Weight: 1 }],
    TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
  },
};

/**
 * A small fake of one load balancer: Describe* read `listeners` and `rules`, Modify* write them,
 * as the real API does. Tests change these to set the scene.
 */
let listeners: Listener[];
let rules: Rule[];
/** Tags per ARN, as DescribeTags answers them. */
let tags: Record<string, Tag[]>;

beforeEach(() => {
  elb.reset();
  tags = { [LB_ARN]: [{ Key: 'team', Value: 'shop' }] };
  elb.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({
    TagDescriptions: input.ResourceArns.map((arn) => ({ ResourceArn: arn, Tags: tags[arn] ?? [] })),
  }));
  listeners = [
    {
      ListenerArn: LISTENER_80,
      LoadBalancerArn: LB_ARN,
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'redirect', Order: 1, RedirectConfig: { Protocol: 'HTTPS', StatusCode: 'HTTP_301' } },
      ],
    },
    {
      ListenerArn: LISTENER_443,
      LoadBalancerArn: LB_ARN,
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }],
      DefaultActions: [structuredClone(forwardToStable)],
    },
  ];
  rules = [
    {
      RuleArn: API_RULE,
      Priority: '10',
      IsDefault: false,
      Conditions: [
        {
          Field: 'host-header',
          Values: ['api.example.com'],
          HostHeaderConfig: { Values: ['api.example.com'] },
        },
      ],
      Actions: [structuredClone(oidc), structuredClone(forwardToStable)],
    },
    {
      RuleArn: API_V2_RULE,
      Priority: '20',
      IsDefault: false,
      Conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/v2/*'] } },
      ],
      Actions: [{ Type: 'forward', TargetGroupArn: OTHER_TG }],
    },
    {
      RuleArn: ADMIN_RULE,
      Priority: '30',
      IsDefault: false,
      Conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: ['admin.example.com', 'ops.example.com'] } },
      ],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403' } }],
    },
    {
      RuleArn: DEFAULT_RULE,
      Priority: 'default',
      IsDefault: true,
      Conditions: [],
      Actions: [forwardToStable],
    },
  ];

  elb.on(DescribeLoadBalancersCommand).callsFake((input: { Names: string[] }) => {
    if (input.Names[0] !== 'shop') {
      throw new LoadBalancerNotFoundException({
        message: 'One or more load balancers not found',
        $metadata: {},
      });
    }
    return { LoadBalancers: [{ LoadBalancerArn: LB_ARN, LoadBalancerName: 'shop', Type: 'application' }] };
  });
  elb
    .on(DescribeListenersCommand)
    .callsFake((input: { LoadBalancerArn?: string; ListenerArns?: string[] }) => ({
      Listeners: structuredClone(
        input.ListenerArns
          ? listeners.filter((l) => input.ListenerArns?.includes(l.ListenerArn!))
          : listeners,
      ),
    }));
  // Two pages, so the rule search has to follow the marker.
  elb
    .on(DescribeRulesCommand)
    .callsFake((input: { ListenerArn?: string; RuleArns?: string[]; Marker?: string }) => {
      if (input.RuleArns) {
        const found = rules.filter((rule) => input.RuleArns?.includes(rule.RuleArn!));
        if (found.length === 0)
          throw new RuleNotFoundException({ message: 'One or more rules not found', $metadata: {} });
        return { Rules: structuredClone(found) };
      }
      return input.Marker === undefined
        ? { Rules: structuredClone(rules.slice(0, 2)), NextMarker: 'page-2' }
        : { Rules: structuredClone(rules.slice(2)) };
    });
  elb.on(DescribeTargetGroupsCommand).callsFake((input: { Names: string[] }) => {
    const known: Record<string, string> = { 'web-stable': STABLE_TG, 'web-canary': CANARY_TG };
    if (input.Names.some((name) => known[name] === undefined)) {
      throw new TargetGroupNotFoundException({
        message: 'One or more target groups not found',
        $metadata: {},
      });
    }
    return {
      TargetGroups: input.Names.map((name) => ({ TargetGroupName: name, TargetGroupArn: known[name] })),
    };
  });
  elb.on(ModifyRuleCommand).callsFake((input: { RuleArn: string; Actions: Action[] }) => {
    const rule = rules.find((r) => r.RuleArn === input.RuleArn)!;
    rule.Actions = structuredClone(input.Actions);
    return { Rules: [rule] };
  });
  elb.on(ModifyListenerCommand).callsFake((input: { ListenerArn: string; DefaultActions: Action[] }) => {
    const listener = listeners.find((l) => l.ListenerArn === input.ListenerArn)!;
    listener.DefaultActions = structuredClone(input.DefaultActions);
    return { Listeners: [listener] };
  });
});

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

describe('AlbTraffic.setWeights', () => {
  const apiRule = plan({ rule: { hostHeader: 'api.example.com', priority: 10 } });

  it('rewrites only the forward of the rule: other actions, order and stickiness kept, conditions not sent', async () => {
    const weights = await new AlbTraffic(() => client).setWeights(apiRule, { stable: 80, canary: 20 });

    const modify = elb.commandCalls(ModifyRuleCommand);
    expect(modify).toHaveLength(1);
    expect(modify[0]?.args[0].input).toEqual({
      RuleArn: API_RULE,
      Actions: [
        // Describe never returns the client secret: the rule must keep the one it has.
        {
          ...oidc,
          AuthenticateOidcConfig: { ...oidc.AuthenticateOidcConfig, UseExistingClientSecret: true },
        },
        {
          Type: 'forward',
          Order: 2,
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: STABLE_TG, Weight: 80 },
              { TargetGroupArn: CANARY_TG, Weight: 20 },
            ],
            TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
          },
        },
      ],
    });
    expect(modify[0]?.args[0].input).not.toHaveProperty('Conditions');
    expect(weights).toEqual({ stable: 80, canary: 20 });
    // Read back after writing.
    const reads = elb.commandCalls(DescribeRulesCommand, { RuleArns: [API_RULE] });
    expect(reads).toHaveLength(2);
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
  });

  it("rewrites the listener's default actions and sends nothing else of the listener", async () => {
    const weights = await new AlbTraffic(() => client).setWeights(plan(), { stable: 0, canary: 100 });

    const modify = elb.commandCalls(ModifyListenerCommand);
    expect(modify).toHaveLength(1);
    expect(modify[0]?.args[0].input).toEqual({
      ListenerArn: LISTENER_443,
      DefaultActions: [
        {
          Type: 'forward',
          Order: 2,
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: STABLE_TG, Weight: 0 },
              { TargetGroupArn: CANARY_TG, Weight: 100 },
            ],
            TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
          },
        },
      ],
    });
    expect(weights).toEqual({ stable: 0, canary: 100 });
  });

  it('returns the weights read back, not the ones sent', async () => {
    // An ALB that accepts the change but still shows the old split (e.g. a concurrent writer).
    elb.on(ModifyRuleCommand).resolves({});
    const weights = await new AlbTraffic(() => client).setWeights(apiRule, { stable: 50, canary: 50 });
    expect(weights).toEqual({ stable: 100, canary: 0 });
  });

  it('keeps another target group that carries no weight', async () => {
    rules[0]!.Actions = [
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: OTHER_TG, Weight: 0 },
            { TargetGroupArn: STABLE_TG, Weight: 1 },
          ],
        },
      },
    ];
    await new AlbTraffic(() => client).setWeights(apiRule, { stable: 90, canary: 10 });
    expect(elb.commandCalls(ModifyRuleCommand)[0]?.args[0].input.Actions).toEqual([
      {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: OTHER_TG, Weight: 0 },
            { TargetGroupArn: STABLE_TG, Weight: 90 },
            { TargetGroupArn: CANARY_TG, Weight: 10 },
          ],
        },
      },
    ]);
  });

  it('refuses to go past five target groups in one forward', async () => {
    const others = [1, 2, 3, 4].map((n) => ({
      TargetGroupArn: `${PREFIX}:targetgroup/old-${n}/00${n}`,
      Weight: 0,
    }));
    rules[0]!.Actions = [
      {
        Type: 'forward',
        ForwardConfig: { TargetGroups: [...others, { TargetGroupArn: STABLE_TG, Weight: 1 }] },
      },
    ];
    const error = await new AlbTraffic(() => client)
      .setWeights(apiRule, { stable: 90, canary: 10 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('at most 5');
    expect(elb.commandCalls(ModifyRuleCommand)).toHaveLength(0);
  });

  it.each([
    { stable: 50, canary: 60 },
    { stable: 10.5, canary: 89.5 },
    { stable: -10, canary: 110 },
    { stable: Number.NaN, canary: 100 },
  ])('refuses weights that are not whole percents adding up to 100: %o', async (weights) => {
    const error = await new AlbTraffic(() => client).setWeights(apiRule, weights).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(elb.commandCalls(ModifyRuleCommand)).toHaveLength(0);
    expect(elb.commandCalls(DescribeLoadBalancersCommand)).toHaveLength(0);
  });

  it('reports throttling as a transient error', async () => {
    // ELBv2 throttling is unmodeled: the SDK raises its service exception named by the error code.
    const throttled = new ElasticLoadBalancingV2ServiceException({
      name: 'Throttling',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Rate exceeded',
    });
    elb.on(ModifyRuleCommand).rejects(throttled);
    const error = await new AlbTraffic(() => client)
      .setWeights(apiRule, { stable: 90, canary: 10 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransientAwsError);
    expect(error.awsErrorName).toBe('Throttling');
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

describe('AlbTraffic.attachCanary', () => {
  const apiRule = plan({ rule: { hostHeader: 'api.example.com', priority: 10 } });

  it('adds the canary group at weight 0 beside the stable group, keeping the split and other actions', async () => {
    const traffic = new AlbTraffic(() => client);
    await traffic.attachCanary(apiRule);
    expect(elb.commandCalls(ModifyRuleCommand)[0]?.args[0].input.Actions).toEqual([
      { ...oidc, AuthenticateOidcConfig: { ...oidc.AuthenticateOidcConfig, UseExistingClientSecret: true } },
      {
        Type: 'forward',
        Order: 2,
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: STABLE_TG, Weight: 100 },
            { TargetGroupArn: CANARY_TG, Weight: 0 },
          ],
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
        },
      },
    ]);
    expect(await traffic.getWeights(apiRule)).toEqual({ stable: 100, canary: 0 });
  });

  it('writes nothing when the canary group is already in the forward action', async () => {
    const traffic = new AlbTraffic(() => client);
    await traffic.setWeights(apiRule, { stable: 100, canary: 0 });
    elb.resetHistory();
    await traffic.attachCanary(apiRule);
    expect(elb.commandCalls(ModifyRuleCommand)).toHaveLength(0);
  });
});

describe('AlbTraffic writes never undo someone else', () => {
  const apiRule = plan({ rule: { hostHeader: 'api.example.com', priority: 10 } });

  it('refuses to write when the live weights are not the ones Switchyard last set', async () => {
    const traffic = new AlbTraffic(() => client);
    await traffic.setWeights(apiRule, { stable: 90, canary: 10 });
    // Someone moves all traffic back to stable by hand.
    await traffic.setWeights(apiRule, { stable: 100, canary: 0 });
    elb.resetHistory();
    const error = await traffic
      .setWeights(apiRule, { stable: 75, canary: 25 }, { stable: 90, canary: 10 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TrafficEditedError);
    expect(error.message).toMatch(/is at 100\/0 .*not the 90\/10 Switchyard last set/);
    expect(elb.commandCalls(ModifyRuleCommand)).toHaveLength(0);
  });

  it('fails, without writing again, when the rule reads back with other conditions than before', async () => {
    elb.on(ModifyRuleCommand).callsFake((input: { RuleArn: string; Actions: Action[] }) => {
      const rule = rules.find((candidate) => candidate.RuleArn === input.RuleArn)!;
      rule.Actions = input.Actions;
      // Someone else edits the same rule at the same moment.
      rule.Conditions = [{ Field: 'host-header', HostHeaderConfig: { Values: ['other.example.com'] } }];
      return {};
    });
    const error = await new AlbTraffic(() => client)
      .setWeights(apiRule, { stable: 90, canary: 10 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(TrafficEditedError);
    expect(error.message).toContain('someone else is editing this rule');
    expect(elb.commandCalls(ModifyRuleCommand)).toHaveLength(1);
  });

  it('stops a listing whose page token does not advance', async () => {
    elb.on(DescribeRulesCommand, { ListenerArn: LISTENER_443 }).resolves({ Rules: [], NextMarker: 'same' });
    const error = await new AlbTraffic(() => client)
      .resolve(plan({ rule: { hostHeader: 'api.example.com' } }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(PagingStalledError);
    expect(elb.commandCalls(DescribeRulesCommand).length).toBeLessThanOrEqual(3);
  });

  it('refuses target groups whose targets are instances: pods could not be told apart', async () => {
    elb.on(DescribeTargetGroupsCommand).resolves({
      TargetGroups: [
        { TargetGroupName: 'web-stable', TargetGroupArn: STABLE_TG, TargetType: 'instance' },
        { TargetGroupName: 'web-canary', TargetGroupArn: CANARY_TG, TargetType: 'instance' },
      ],
    });
    const error = await new AlbTraffic(() => client).resolve(plan()).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('needs target type ip');
  });
});

it('declares every ELBv2 action it calls, for the IAM grant', async () => {
  const traffic = new AlbTraffic(() => client);
  elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
  await traffic.setWeights(plan(), { stable: 90, canary: 10 });
  await traffic.setWeights(plan({ rule: { hostHeader: 'api.example.com', priority: 10 } }), {
    stable: 90,
    canary: 10,
  });
  await traffic.targetHealth(plan());

  const called = new Set(
    elb
      .calls()
      .map((call) => `elasticloadbalancing:${call.args[0].constructor.name.replace(/Command$/, '')}`),
  );
  expect([...called].sort()).toEqual([...ALB_TRAFFIC_IAM_ACTIONS].sort());
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
