/**
 * What the alb-ingress-traffic*.test.ts files share: the real Ingress API adapter over HTTP to the
 * fake API server, and a small ELBv2 model of one load balancer the AWS Load Balancer Controller
 * made; `reconcile()` does what the controller does when it reconciles: rebuild the action's rule
 * from the Ingress annotation, making a target group (tagged `ingress.k8s.aws/resource`) for a
 * Service named for the first time.
 */
import {
  type Action,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type Listener,
  type Rule,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { AlbIngressTraffic, type IngressApi } from '../../../lambdas/adapters/aws/alb-ingress-traffic';
import { createEksIngressApi } from '../../../lambdas/adapters/kubernetes/ingress-api';
import type { AlbIngressTarget } from '../../../lambdas/ports';
import { type FakeKubeApiServer, startFakeKubeApiServer } from '../../support/fake-kube-apiserver';

// biome-ignore lint/suspicious/noExplicitAny: API JSON read by assertions, which check its shape themselves.
export type Json = Record<string, any>;

export const PREFIX = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012';
export const LB_ARN = `${PREFIX}:loadbalancer/app/k8s-shop-storefro-3f1e0a9b2c/50dc6c495c0c9188`;
export const OTHER_LB_ARN = `${PREFIX}:loadbalancer/app/k8s-ops-grafana-77aa00bb11/0f0f0f0f0f0f0f0f`;
export const DNS_NAME = 'internal-k8s-shop-storefro-3f1e0a9b2c-1234567890.eu-west-1.elb.amazonaws.com';
export const LISTENER_443 = `${PREFIX}:listener/app/k8s-shop-storefro-3f1e0a9b2c/50dc6c495c0c9188/f2f7dc8efc522ab2`;
export const LISTENER_80 = `${PREFIX}:listener/app/k8s-shop-storefro-3f1e0a9b2c/50dc6c495c0c9188/0467ef3c8400ae65`;
export const ACTION_RULE = `${PREFIX}:listener-rule/app/k8s-shop-storefro-3f1e0a9b2c/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
export const STATIC_RULE = `${PREFIX}:listener-rule/app/k8s-shop-storefro-3f1e0a9b2c/50dc6c495c0c9188/f2f7dc8efc522ab2/1c2d3e4f5a6b7c8d`;
export const STABLE_TG = `${PREFIX}:targetgroup/k8s-shop-storefro-6d0ecf831e/6d0ecf831eec9f09`;
export const STATIC_TG = `${PREFIX}:targetgroup/k8s-shop-static-943f017f10/943f017f100becff`;
export const CANARY_TG = `${PREFIX}:targetgroup/k8s-shop-storefro-0a4b7ee9a7/0a4b7ee9a7f3c21d`;
export const ACTION_KEY = 'alb.ingress.kubernetes.io/actions.storefront';
export const INGRESS_PATH = '/apis/networking.k8s.io/v1/namespaces/shop/ingresses/storefront';

export const target: AlbIngressTarget = {
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

export const stackTags = (resource: string) => [
  { Key: 'elbv2.k8s.aws/cluster', Value: 'shop-euw1' },
  { Key: 'ingress.k8s.aws/stack', Value: 'shop/storefront' },
  { Key: 'ingress.k8s.aws/resource', Value: resource },
];

export function forward(...groups: Array<[arn: string, weight?: number]>): Action {
  return {
    Type: 'forward',
    Order: 1,
    ForwardConfig: {
      TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({
        TargetGroupArn,
        ...(Weight !== undefined && { Weight }),
      })),
      TargetGroupStickinessConfig: { Enabled: false },
    },
  };
}

/** The Ingress as a platform team writes it, with the status the controller gave it. */
export function storefrontIngress(annotation: unknown = forwardTo(['storefront', 80, 100])): Json {
  return {
    metadata: {
      name: 'storefront',
      namespace: 'shop',
      annotations: {
        'alb.ingress.kubernetes.io/scheme': 'internal',
        'alb.ingress.kubernetes.io/target-type': 'ip',
        [ACTION_KEY]: typeof annotation === 'string' ? annotation : JSON.stringify(annotation),
      },
    },
    spec: {
      ingressClassName: 'alb',
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'storefront', port: { name: 'use-annotation' } } },
              },
              {
                path: '/static',
                pathType: 'Prefix',
                backend: { service: { name: 'static', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
    status: { loadBalancer: { ingress: [{ hostname: DNS_NAME.toUpperCase() }] } },
  };
}

export function renamed(ingress: Json, name: string): Json {
  return { ...ingress, metadata: { ...ingress.metadata, name } };
}

export function forwardTo(...groups: Array<[service: string, port: number | string, weight?: number]>): Json {
  return {
    type: 'forward',
    forwardConfig: {
      targetGroups: groups.map(([serviceName, servicePort, weight]) => ({
        serviceName,
        servicePort,
        ...(weight !== undefined && { weight }),
      })),
    },
  };
}

export const elb = mockClient(ElasticLoadBalancingV2Client);
export const client = new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });

/** The controller's load balancer, as ELBv2 answers for it. */
export let listeners: Listener[];
export let rules: Record<string, Rule[]>;
export let targetGroups: Array<{ arn: string; resource: string }>;
export let tags: Record<string, Array<{ Key: string; Value: string }>>;
export let health: Record<string, string[]>;

export let server: FakeKubeApiServer;
export let ingresses: IngressApi;
export let traffic: AlbIngressTraffic;

/** The Ingress as the API server holds it. */
export function storedIngress(name = 'storefront'): Json {
  return server.getIngress('shop', name) as Json;
}

/** What the controller does at a reconcile: the action's rule rebuilt from the Ingress annotation. */
export function reconcile(): void {
  const annotation = JSON.parse(storedIngress().metadata.annotations[ACTION_KEY]);
  const tuples = annotation.forwardConfig.targetGroups.map((group: Json) => {
    const resource = `shop/storefront-${group.serviceName}:${group.servicePort}`;
    let found = targetGroups.find((candidate) => candidate.resource === resource);
    if (!found) {
      found = {
        arn: group.serviceName === 'storefront-canary' ? CANARY_TG : `${PREFIX}:targetgroup/x/${resource}`,
        resource,
      };
      targetGroups.push(found);
      tags[found.arn] = stackTags(resource);
    }
    return [found.arn, group.weight] as [string, number | undefined];
  });
  rules[LISTENER_443]!.find((rule) => rule.RuleArn === ACTION_RULE)!.Actions = [forward(...tuples)];
}

/**
 * Starts the fake API server and the ELBv2 model. `takeStaleOnce` answers whether the next
 * DescribeTargetHealth finds its group gone; a test file owns that flag, as imports cannot be assigned.
 */
export async function startFakeController(takeStaleOnce: () => boolean = () => false): Promise<void> {
  elb.reset();
  server = await startFakeKubeApiServer({ token: 'token-1' });
  server.seedIngress(storefrontIngress());
  ingresses = createEksIngressApi({
    connect: async () => ({ server: server.url, token: 'token-1', skipTLSVerify: true }),
  });
  traffic = new AlbIngressTraffic({ elbv2For: () => client, ingresses });

  listeners = [
    {
      ListenerArn: LISTENER_80,
      LoadBalancerArn: LB_ARN,
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', StatusCode: 'HTTP_301' } }],
    },
    {
      ListenerArn: LISTENER_443,
      LoadBalancerArn: LB_ARN,
      Port: 443,
      Protocol: 'HTTPS',
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    },
  ];
  rules = {
    [LISTENER_80]: [{ RuleArn: `${LISTENER_80}/default`, Priority: 'default', IsDefault: true, Actions: [] }],
    [LISTENER_443]: [
      {
        RuleArn: ACTION_RULE,
        Priority: '1',
        IsDefault: false,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/', '/*'] } }],
        Actions: [forward([STABLE_TG, 100])],
      },
      {
        RuleArn: STATIC_RULE,
        Priority: '2',
        IsDefault: false,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/static', '/static/*'] } }],
        Actions: [forward([STATIC_TG])],
      },
      {
        RuleArn: `${LISTENER_443}/default`,
        Priority: 'default',
        IsDefault: true,
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      },
    ],
  };
  targetGroups = [
    { arn: STABLE_TG, resource: 'shop/storefront-storefront:80' },
    { arn: STATIC_TG, resource: 'shop/storefront-static:80' },
  ];
  tags = {
    [LB_ARN]: stackTags('LoadBalancer'),
    [OTHER_LB_ARN]: [{ Key: 'elbv2.k8s.aws/cluster', Value: 'shop-euw1' }],
    [STABLE_TG]: stackTags('shop/storefront-storefront:80'),
    [STATIC_TG]: stackTags('shop/storefront-static:80'),
  };
  health = { [STABLE_TG]: ['healthy', 'healthy', 'unhealthy'], [CANARY_TG]: ['initial', 'healthy'] };

  // Two pages: ours is on the second, so the search follows the marker.
  elb.on(DescribeLoadBalancersCommand).callsFake((input: { Marker?: string }) =>
    input.Marker === undefined
      ? {
          LoadBalancers: [
            {
              LoadBalancerArn: OTHER_LB_ARN,
              LoadBalancerName: 'k8s-ops-grafana-77aa00bb11',
              DNSName: 'other.elb.amazonaws.com',
            },
          ],
          NextMarker: 'page-2',
        }
      : {
          LoadBalancers: [
            { LoadBalancerArn: LB_ARN, LoadBalancerName: 'k8s-shop-storefro-3f1e0a9b2c', DNSName: DNS_NAME },
          ],
        },
  );
  elb.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => {
    if (input.ResourceArns.length > 20) throw new Error('DescribeTags takes at most 20 ARNs');
    return {
      TagDescriptions: input.ResourceArns.map((arn) => ({ ResourceArn: arn, Tags: tags[arn] ?? [] })),
    };
  });
  elb.on(DescribeTargetGroupsCommand).callsFake((input: { LoadBalancerArn?: string }) => {
    if (input.LoadBalancerArn !== LB_ARN)
      throw new Error(`unexpected DescribeTargetGroups ${JSON.stringify(input)}`);
    return { TargetGroups: targetGroups.map(({ arn }) => ({ TargetGroupArn: arn })) };
  });
  elb.on(DescribeListenersCommand).callsFake((input: { LoadBalancerArn?: string }) => ({
    Listeners: structuredClone(
      listeners.filter((listener) => listener.LoadBalancerArn === input.LoadBalancerArn),
    ),
  }));
  elb.on(DescribeRulesCommand).callsFake((input: { ListenerArn: string }) => ({
    Rules: structuredClone(rules[input.ListenerArn] ?? []),
  }));
  elb.on(DescribeTargetHealthCommand).callsFake((input: { TargetGroupArn: string }) => {
    if (takeStaleOnce()) {
      throw new TargetGroupNotFoundException({
        message: 'One or more target groups not found',
        $metadata: {},
      });
    }
    return {
      TargetHealthDescriptions: (health[input.TargetGroupArn] ?? []).map((State, index) => ({
        Target: { Id: `10.0.0.${index + 1}`, Port: 8080 },
        TargetHealth: { State },
      })),
    };
  });
}

export async function stopFakeController(): Promise<void> {
  await server.close();
}

export const annotationNow = () => JSON.parse(storedIngress().metadata.annotations[ACTION_KEY]);
export const patches = () => server.requests.filter((request) => request.method === 'PATCH');
