/**
 * The albIngress traffic adapter: the real Ingress API adapter (@kubernetes/client-node over HTTP
 * to the fake API server) for the annotation, aws-sdk-client-mock for ELBv2. The ELBv2 mock is a
 * small model of one load balancer the AWS Load Balancer Controller made; `reconcile()` does what
 * the controller does when it reconciles: rebuild the action's rule from the Ingress annotation,
 * making a target group (tagged `ingress.k8s.aws/resource`) for a Service named for the first time.
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
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Rule,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ALB_INGRESS_TRAFFIC_IAM_ACTIONS,
  AlbIngressTraffic,
  type IngressApi,
} from '../../../lambdas/adapters/aws/alb-ingress-traffic';
import { createEksIngressApi } from '../../../lambdas/adapters/kubernetes/ingress-api';
import {
  InvalidInputError,
  NotFoundError,
  TrafficEditedError,
  TrafficNotAppliedError,
  TrafficNotReadyError,
  TransientClusterError,
} from '../../../lambdas/core/errors';
import type { AlbIngressTarget, TargetHealthSummary } from '../../../lambdas/ports';
import { type FakeKubeApiServer, startFakeKubeApiServer } from '../../support/fake-kube-apiserver';

// biome-ignore lint/suspicious/noExplicitAny: API JSON read by assertions, which check its shape themselves.
type Json = Record<string, any>;

const PREFIX = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012';
const LB_ARN = `${PREFIX}:loadbalancer/app/k8s-shop-storefro-3f1e0a9b2c/50dc6c495c0c9188`;
const OTHER_LB_ARN = `${PREFIX}:loadbalancer/app/k8s-ops-grafana-77aa00bb11/0f0f0f0f0f0f0f0f`;
const DNS_NAME = 'internal-k8s-shop-storefro-3f1e0a9b2c-1234567890.eu-west-1.elb.amazonaws.com';
const LISTENER_443 = `${PREFIX}:listener/app/k8s-shop-storefro-3f1e0a9b2c/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const LISTENER_80 = `${PREFIX}:listener/app/k8s-shop-storefro-3f1e0a9b2c/50dc6c495c0c9188/0467ef3c8400ae65`;
const ACTION_RULE = `${PREFIX}:listener-rule/app/k8s-shop-storefro-3f1e0a9b2c/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const STATIC_RULE = `${PREFIX}:listener-rule/app/k8s-shop-storefro-3f1e0a9b2c/50dc6c495c0c9188/f2f7dc8efc522ab2/1c2d3e4f5a6b7c8d`;
const STABLE_TG = `${PREFIX}:targetgroup/k8s-shop-storefro-6d0ecf831e/6d0ecf831eec9f09`;
const STATIC_TG = `${PREFIX}:targetgroup/k8s-shop-static-943f017f10/943f017f100becff`;
const CANARY_TG = `${PREFIX}:targetgroup/k8s-shop-storefro-0a4b7ee9a7/0a4b7ee9a7f3c21d`;
const ACTION_KEY = 'alb.ingress.kubernetes.io/actions.storefront';
const INGRESS_PATH = '/apis/networking.k8s.io/v1/namespaces/shop/ingresses/storefront';

const target: AlbIngressTarget = {
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

const stackTags = (resource: string) => [
  { Key: 'elbv2.k8s.aws/cluster', Value: 'shop-euw1' },
  { Key: 'ingress.k8s.aws/stack', Value: 'shop/storefront' },
  { Key: 'ingress.k8s.aws/resource', Value: resource },
];

function forward(...groups: Array<[arn: string, weight?: number]>): Action {
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
function storefrontIngress(annotation: unknown = forwardTo(['storefront', 80, 100])): Json {
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

function renamed(ingress: Json, name: string): Json {
  return { ...ingress, metadata: { ...ingress.metadata, name } };
}

function forwardTo(...groups: Array<[service: string, port: number | string, weight?: number]>): Json {
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

const elb = mockClient(ElasticLoadBalancingV2Client);
const client = new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });

/** The controller's load balancer, as ELBv2 answers for it. */
let listeners: Listener[];
let rules: Record<string, Rule[]>;
let targetGroups: Array<{ arn: string; resource: string }>;
let tags: Record<string, Array<{ Key: string; Value: string }>>;
let health: Record<string, string[]>;
/** Set: the next DescribeTargetHealth answers TargetGroupNotFound, as for a group made anew. */
let staleOnce: boolean;

let server: FakeKubeApiServer;
let ingresses: IngressApi;
let traffic: AlbIngressTraffic;

/** The Ingress as the API server holds it. */
function storedIngress(name = 'storefront'): Json {
  return server.getIngress('shop', name) as Json;
}

/** What the controller does at a reconcile: the action's rule rebuilt from the Ingress annotation. */
function reconcile(): void {
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

beforeEach(async () => {
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
  staleOnce = false;

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
    if (staleOnce) {
      staleOnce = false;
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
});

afterEach(async () => {
  await server.close();
});

const annotationNow = () => JSON.parse(storedIngress().metadata.annotations[ACTION_KEY]);
const patches = () => server.requests.filter((request) => request.method === 'PATCH');

describe('setWeights through the Ingress', () => {
  it('writes the action annotation with a merge patch, then waits for the controller: never a ModifyRule', async () => {
    const asked = traffic.setWeights(target, { stable: 90, canary: 10 });

    await expect(asked).rejects.toBeInstanceOf(TrafficNotAppliedError);
    await expect(asked).rejects.toThrow(
      'Ingress shop/storefront in EKS cluster "shop-euw1" (eu-west-1) asks for stable 90 % / canary 10 %, but rule 1 of load balancer "k8s-shop-storefro-3f1e0a9b2c" still forwards stable 100 % / canary 0 %',
    );
    const [patch] = patches();
    expect(patch).toMatchObject({
      path: INGRESS_PATH,
      contentType: 'application/merge-patch+json',
      query: { fieldManager: 'switchyard' },
      status: 200,
    });
    // Only the action's key, onto the version read: the rest of the Ingress is left alone.
    const body = patch!.body as Json;
    expect(Object.keys(body.metadata.annotations)).toEqual([ACTION_KEY]);
    expect(body.metadata.resourceVersion).toBeDefined();
    expect(annotationNow()).toEqual(forwardTo(['storefront', 80, 90], ['storefront-canary', 80, 10]));
    const stored = storedIngress();
    expect(stored.metadata.annotations['alb.ingress.kubernetes.io/scheme']).toBe('internal');
    expect(stored.spec).toEqual(storefrontIngress().spec);

    reconcile();
    await expect(traffic.setWeights(target, { stable: 90, canary: 10 })).resolves.toEqual({
      stable: 90,
      canary: 10,
    });
    // The retry found the Ingress already asking for 90/10: one patch in all.
    expect(patches()).toHaveLength(1);
    expect(elb.commandCalls(ModifyRuleCommand)).toHaveLength(0);
    expect(elb.commandCalls(ModifyListenerCommand)).toHaveLength(0);
  });

  it('keeps stickiness and zero-weight target groups, and writes a named port as given', async () => {
    const named = { ...target, albIngress: { ...target.albIngress, servicePort: 'http' } };
    const action = forwardTo(['storefront', 'http', 100], ['legacy', 80, 0]);
    action.forwardConfig.targetGroupStickinessConfig = { enabled: true, durationSeconds: 300 };
    server.seedIngress(renamed(storefrontIngress(action), 'named'));
    const namedTarget = { ...named, albIngress: { ...named.albIngress, ingress: 'named' } };

    // Written first; this Ingress is of another stack than the load balancer its status names.
    await expect(traffic.setWeights(namedTarget, { stable: 50, canary: 50 })).rejects.toThrow(
      /tagged ingress\.k8s\.aws\/stack=shop\/storefront, not shop\/named/,
    );

    expect(JSON.parse(storedIngress('named').metadata.annotations[ACTION_KEY])).toEqual({
      type: 'forward',
      forwardConfig: {
        targetGroups: [
          { serviceName: 'storefront', servicePort: 'http', weight: 50 },
          { serviceName: 'legacy', servicePort: 80, weight: 0 },
          { serviceName: 'storefront-canary', servicePort: 'http', weight: 50 },
        ],
        targetGroupStickinessConfig: { enabled: true, durationSeconds: 300 },
      },
    });
  });

  it('refuses, writing nothing, when someone else changed the Ingress weights since Switchyard wrote them', async () => {
    server.seedIngress(
      renamed(storefrontIngress(forwardTo(['storefront', 80, 70], ['storefront-canary', 80, 30])), 'edited'),
    );
    const edited = { ...target, albIngress: { ...target.albIngress, ingress: 'edited' } };

    const refused = traffic.setWeights(edited, { stable: 50, canary: 50 }, { stable: 90, canary: 10 });

    await expect(refused).rejects.toBeInstanceOf(TrafficEditedError);
    await expect(refused).rejects.toThrow(
      /asks for stable 70 % \/ canary 30 %, not the stable 90 % \/ canary 10 % Switchyard wrote/,
    );
    expect(patches()).toHaveLength(0);
  });

  it('a rule edited by hand is not the Ingress: it reads as what flows, and the write waits for the controller to put it back', async () => {
    await expect(traffic.setWeights(target, { stable: 80, canary: 20 })).rejects.toBeInstanceOf(
      TrafficNotAppliedError,
    );
    reconcile();
    await expect(traffic.setWeights(target, { stable: 80, canary: 20 })).resolves.toEqual({
      stable: 80,
      canary: 20,
    });
    // Someone edits the rule directly (the console, the CLI).
    rules[LISTENER_443]![0]!.Actions = [forward([STABLE_TG, 100], [CANARY_TG, 0])];

    expect(await traffic.getWeights(target)).toEqual({ stable: 100, canary: 0 });
    const waiting = traffic.setWeights(target, { stable: 80, canary: 20 }, { stable: 80, canary: 20 });
    await expect(waiting).rejects.toBeInstanceOf(TrafficNotAppliedError);
    await expect(waiting).rejects.toThrow(/a rule edited by hand is put back at its next reconcile/);
    reconcile();
    expect(await traffic.getWeights(target)).toEqual({ stable: 80, canary: 20 });
  });

  it('goes through a 409 when the Ingress changed between the read and the patch', async () => {
    const racing: IngressApi = {
      read: async (ref) => {
        const view = await ingresses.read(ref);
        // Someone else (kubectl annotate) writes in between.
        await ingresses.patchAnnotations(ref, { 'example.com/owner': 'shop' });
        return view;
      },
      patchAnnotations: (ref, annotations, resourceVersion) =>
        ingresses.patchAnnotations(ref, annotations, resourceVersion),
    };
    const raced = new AlbIngressTraffic({ elbv2For: () => client, ingresses: racing });

    const refused = raced.setWeights(target, { stable: 90, canary: 10 });

    await expect(refused).rejects.toBeInstanceOf(TransientClusterError);
    await expect(refused).rejects.toThrow(/answered 409/);
    expect(annotationNow()).toEqual(forwardTo(['storefront', 80, 100]));
  });

  it('refuses weights that are not whole percents adding up to 100', async () => {
    await expect(traffic.setWeights(target, { stable: 90, canary: 20 })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    expect(patches()).toHaveLength(0);
  });
});

describe('attachCanary', () => {
  it('names the canary Service at weight 0, the split unchanged; once there, it writes nothing', async () => {
    await traffic.attachCanary(target);
    expect(annotationNow()).toEqual(forwardTo(['storefront', 80, 100], ['storefront-canary', 80, 0]));
    expect(await traffic.getWeights(target)).toEqual({ stable: 100, canary: 0 });

    await traffic.attachCanary(target);
    expect(patches()).toHaveLength(1);
  });
});

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

it('declares every ELBv2 action it calls, for the IAM grant', async () => {
  await traffic.attachCanary(target);
  reconcile();
  await traffic.setWeights(target, { stable: 100, canary: 0 });
  await traffic.resolve(target);
  await traffic.targetHealth(target);

  const called = new Set(
    elb
      .calls()
      .map((call) => `elasticloadbalancing:${call.args[0].constructor.name.replace(/Command$/, '')}`),
  );
  expect([...called].sort()).toEqual([...ALB_INGRESS_TRAFFIC_IAM_ACTIONS].sort());
});
