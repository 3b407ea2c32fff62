/** What the alb-traffic*.test.ts files share: a fake ELBv2 API with one load balancer, and its ARNs. */
import {
  type Action,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
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
import type { AlbTrafficPlan } from '../../../lambdas/core/plan/schema';
import type { AlbTarget } from '../../../lambdas/ports/index';

export const PREFIX = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
export const LB_ARN = `${PREFIX}:loadbalancer/app/shop/50dc6c495c0c9188`;
export const LISTENER_443 = `${PREFIX}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
export const LISTENER_80 = `${PREFIX}:listener/app/shop/50dc6c495c0c9188/0467ef3c8400ae65`;
export const STABLE_TG = `${PREFIX}:targetgroup/web-stable/6d0ecf831eec9f09`;
export const CANARY_TG = `${PREFIX}:targetgroup/web-canary/0a4b7ee9a7f3c21d`;
export const OTHER_TG = `${PREFIX}:targetgroup/legacy/943f017f100becff`;
export const API_RULE = `${PREFIX}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
export const API_V2_RULE = `${PREFIX}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/1c2d3e4f5a6b7c8d`;
export const ADMIN_RULE = `${PREFIX}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/aa11bb22cc33dd44`;
export const DEFAULT_RULE = `${PREFIX}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/ffffffffffffffff`;

export const elb = mockClient(ElasticLoadBalancingV2Client);
export const client = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });

export function plan(overrides: Partial<AlbTrafficPlan> = {}): AlbTarget {
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

export const oidc: Action = {
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
export const forwardToStable: Action = {
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
export let listeners: Listener[];
export let rules: Rule[];
/** Tags per ARN, as DescribeTags answers them. */
export let tags: Record<string, Tag[]>;

export function resetFakeLoadBalancer(): void {
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
}
