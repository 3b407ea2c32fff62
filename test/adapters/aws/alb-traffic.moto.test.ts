/**
 * AlbTraffic against moto's ELBv2: the load balancer, listeners, rules and target groups are
 * created in moto first, and the adapter finds them by name and moves weights on them.
 *
 * What moto does not emulate, left to alb-traffic.test.ts (aws-sdk-client-mock): target health
 * other than `healthy` (moto reports every registered target healthy, never `initial`, `unused`
 * for a group no rule forwards to, `draining` or `unhealthy`), authenticate-* actions before the
 * forward, throttling. moto pages DescribeRules 50 rules at a time even without PageSize, so
 * paging through rules is tested here on a listener with more than 50.
 */
import {
  type Action,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlbTraffic } from '../../../lambdas/adapters/aws/alb-traffic';
import { InvalidInputError, NotFoundError, TrafficEditedError } from '../../../lambdas/core/errors';
import type { AlbTrafficPlan } from '../../../lambdas/core/plan/schema';
import type { AlbTarget } from '../../../lambdas/ports/index';
import { createMotoVpc, MOTO_REGION, motoClient, uniqueName } from '../../support/moto';
import { expectRejection } from '../../support/rejection';

const RULES_PORT = 8080;
const DEFAULT_ACTION_PORT = 80;
/** More rules than one DescribeRules page of moto's (50). */
const PAGED_RULES_PORT = 8081;
const FILLER_RULES = 50;

let elbv2: ElasticLoadBalancingV2Client;
let scene: {
  loadBalancerName: string;
  loadBalancerArn: string;
  stable: { name: string; arn: string };
  canary: { name: string; arn: string };
  other: { name: string; arn: string };
  rulesListenerArn: string;
  defaultActionListenerArn: string;
  pagedListenerArn: string;
};
/** Unique per test: each test makes the rules it works on. */
let nextPriority = 1;
let hostCount = 0;

beforeAll(async () => {
  elbv2 = motoClient(ElasticLoadBalancingV2Client);
  const { vpcId, subnetIds } = await createMotoVpc();
  const loadBalancerName = uniqueName('shop');
  const { LoadBalancers } = await elbv2.send(
    new CreateLoadBalancerCommand({ Name: loadBalancerName, Subnets: subnetIds, Type: 'application' }),
  );
  const loadBalancerArn = LoadBalancers![0]!.LoadBalancerArn!;
  const targetGroup = async (role: string) => {
    const name = uniqueName(`web-${role}`);
    const { TargetGroups } = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: vpcId,
        TargetType: 'ip',
      }),
    );
    return { name, arn: TargetGroups![0]!.TargetGroupArn! };
  };
  const [stable, canary, other] = [
    await targetGroup('stable'),
    await targetGroup('canary'),
    await targetGroup('other'),
  ];
  const listener = async (port: number, defaultActions: Action[]) => {
    const { Listeners } = await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: loadBalancerArn,
        Port: port,
        Protocol: 'HTTP',
        DefaultActions: defaultActions,
      }),
    );
    return Listeners![0]!.ListenerArn!;
  };
  const notFound: Action[] = [
    { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } },
  ];
  scene = {
    loadBalancerName,
    loadBalancerArn,
    stable,
    canary,
    other,
    rulesListenerArn: await listener(RULES_PORT, notFound),
    defaultActionListenerArn: await listener(DEFAULT_ACTION_PORT, [
      weightedForward(stable.arn, 100, canary.arn, 0),
    ]),
    pagedListenerArn: await listener(PAGED_RULES_PORT, notFound),
  };
  for (let index = 0; index < FILLER_RULES; index++) {
    await createRule(
      scene.pagedListenerArn,
      [pathCondition(`/filler-${index}/*`)],
      [plainForward(stable.arn)],
    );
  }
});

afterAll(() => {
  elbv2?.destroy();
});

function weightedForward(
  stableArn: string,
  stableWeight: number,
  canaryArn: string,
  canaryWeight: number,
): Action {
  return {
    Type: 'forward',
    ForwardConfig: {
      TargetGroups: [
        { TargetGroupArn: stableArn, Weight: stableWeight },
        { TargetGroupArn: canaryArn, Weight: canaryWeight },
      ],
    },
  };
}

function plainForward(targetGroupArn: string): Action {
  return { Type: 'forward', TargetGroupArn: targetGroupArn };
}

function hostCondition(host: string): RuleCondition {
  return { Field: 'host-header', HostHeaderConfig: { Values: [host] } };
}

function pathCondition(pattern: string): RuleCondition {
  return { Field: 'path-pattern', PathPatternConfig: { Values: [pattern] } };
}

function newHost(): string {
  hostCount += 1;
  return `api-${hostCount}.${scene.loadBalancerName}.example.test`;
}

async function createRule(listenerArn: string, conditions: RuleCondition[], actions: Action[]) {
  const priority = nextPriority++;
  const { Rules } = await elbv2.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: priority,
      Conditions: conditions,
      Actions: actions,
    }),
  );
  return { arn: Rules![0]!.RuleArn!, priority };
}

async function ruleActions(ruleArn: string): Promise<Action[]> {
  const { Rules } = await elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
  return Rules![0]!.Actions ?? [];
}

/** The weights moto holds for the forward, by target group ARN. */
function weightsByGroup(actions: readonly Action[]): Record<string, number | undefined> {
  const forward = actions.find((action) => action.Type === 'forward');
  return Object.fromEntries(
    (forward?.ForwardConfig?.TargetGroups ?? []).map((group) => [group.TargetGroupArn!, group.Weight]),
  );
}

function target(alb: Partial<AlbTrafficPlan> = {}): AlbTarget {
  return {
    service: 'web',
    region: MOTO_REGION,
    alb: {
      type: 'alb',
      loadBalancerName: scene.loadBalancerName,
      port: RULES_PORT,
      stableTargetGroup: scene.stable.name,
      canaryTargetGroup: scene.canary.name,
      ...alb,
    },
  };
}

const traffic = () => new AlbTraffic(() => elbv2);

describe('resolve', () => {
  it('finds the load balancer, listener, rule and target groups moto made, by name', async () => {
    const host = newHost();
    const rule = await createRule(
      scene.rulesListenerArn,
      [hostCondition(host)],
      [plainForward(scene.stable.arn)],
    );

    // Host names compare case-insensitively on an ALB.
    const resolved = await traffic().resolve(target({ rule: { hostHeader: host.toUpperCase() } }));

    expect(resolved).toEqual({
      loadBalancerArn: scene.loadBalancerArn,
      listenerArn: scene.rulesListenerArn,
      ruleArn: rule.arn,
      stableTargetGroupArn: scene.stable.arn,
      canaryTargetGroupArn: scene.canary.arn,
    });
  });

  it('finds a rule by host header and path pattern among rules with the same host', async () => {
    const host = newHost();
    await createRule(scene.rulesListenerArn, [hostCondition(host)], [plainForward(scene.stable.arn)]);
    const v2 = await createRule(
      scene.rulesListenerArn,
      [hostCondition(host), pathCondition('/v2/*')],
      [plainForward(scene.stable.arn)],
    );

    const resolved = await traffic().resolve(target({ rule: { hostHeader: host, pathPattern: '/v2/*' } }));
    expect(resolved.ruleArn).toBe(v2.arn);

    await expectRejection(
      traffic().resolve(target({ rule: { hostHeader: host } })),
      InvalidInputError,
      'give rule.priority to pick one',
    );
  });

  it('finds a rule on the second page of DescribeRules, and sees matches on both pages', async () => {
    const host = newHost();
    const late = await createRule(
      scene.pagedListenerArn,
      [hostCondition(host)],
      [plainForward(scene.stable.arn)],
    );
    const pagedTarget = (rule: AlbTrafficPlan['rule']) => target({ port: PAGED_RULES_PORT, rule });
    const firstPage = await elbv2.send(new DescribeRulesCommand({ ListenerArn: scene.pagedListenerArn }));
    expect(firstPage.NextMarker).toBeDefined();
    expect(firstPage.Rules?.map((rule) => rule.RuleArn)).not.toContain(late.arn);

    const resolved = await traffic().resolve(pagedTarget({ hostHeader: host }));
    expect(resolved.ruleArn).toBe(late.arn);

    // The first filler rule is on page one, this one on page two: both are seen.
    const alsoFiller = await createRule(
      scene.pagedListenerArn,
      [pathCondition('/filler-0/*')],
      [plainForward(scene.stable.arn)],
    );
    await expectRejection(
      traffic().resolve(pagedTarget({ pathPattern: '/filler-0/*' })),
      InvalidInputError,
      new RegExp(`^2 rules .* \\(priorities \\d+, ${alsoFiller.priority}\\)`),
    );
  });

  it('says which of the named things moto does not have', async () => {
    const absent = uniqueName('absent');
    await expectRejection(
      traffic().resolve(target({ loadBalancerName: absent })),
      NotFoundError,
      `load balancer "${absent}" not found in ${MOTO_REGION}`,
    );
    await expectRejection(
      traffic().resolve(target({ port: 9999 })),
      NotFoundError,
      `has no listener on port 9999 (listeners: ${DEFAULT_ACTION_PORT}, ${RULES_PORT}, ${PAGED_RULES_PORT})`,
    );
    await expectRejection(
      traffic().resolve(target({ rule: { hostHeader: 'nowhere.example.test' } })),
      NotFoundError,
      /^no rule with host header "nowhere.example.test"/,
    );
    // DescribeTargetGroups only says "one or more" is missing: the adapter names which.
    const missingCanary = uniqueName('web-missing');
    await expectRejection(
      traffic().resolve(target({ canaryTargetGroup: missingCanary })),
      NotFoundError,
      `target group "${missingCanary}" not found in ${MOTO_REGION}`,
    );
  });
});

describe('getWeights', () => {
  it('reads a plain forward to the stable group as all stable', async () => {
    const host = newHost();
    await createRule(scene.rulesListenerArn, [hostCondition(host)], [plainForward(scene.stable.arn)]);

    expect(await traffic().getWeights(target({ rule: { hostHeader: host } }))).toEqual({
      stable: 100,
      canary: 0,
    });
  });

  it('reads ALB weights (0–999) as percent', async () => {
    const host = newHost();
    await createRule(
      scene.rulesListenerArn,
      [hostCondition(host)],
      [weightedForward(scene.stable.arn, 600, scene.canary.arn, 200)],
    );

    expect(await traffic().getWeights(target({ rule: { hostHeader: host } }))).toEqual({
      stable: 75,
      canary: 25,
    });
  });

  it('refuses a forward that gives weight to a third target group', async () => {
    const host = newHost();
    await createRule(
      scene.rulesListenerArn,
      [hostCondition(host)],
      [
        {
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: scene.stable.arn, Weight: 90 },
              { TargetGroupArn: scene.canary.arn, Weight: 0 },
              { TargetGroupArn: scene.other.arn, Weight: 10 },
            ],
          },
        },
      ],
    );

    await expectRejection(
      traffic().getWeights(target({ rule: { hostHeader: host } })),
      InvalidInputError,
      `also forwards to ${scene.other.arn}`,
    );
  });

  it('resolves again once when the cached rule has been deleted and made anew', async () => {
    const host = newHost();
    const first = await createRule(
      scene.rulesListenerArn,
      [hostCondition(host)],
      [weightedForward(scene.stable.arn, 100, scene.canary.arn, 0)],
    );
    const adapter = traffic();
    const plan = target({ rule: { hostHeader: host } });
    await adapter.resolve(plan);

    await elbv2.send(new DeleteRuleCommand({ RuleArn: first.arn }));
    const second = await createRule(
      scene.rulesListenerArn,
      [hostCondition(host)],
      [weightedForward(scene.stable.arn, 50, scene.canary.arn, 50)],
    );

    // moto answers the stale rule ARN with RuleNotFound, as ELBv2 does.
    expect(await adapter.getWeights(plan)).toEqual({ stable: 50, canary: 50 });
    expect((await adapter.resolve(plan)).ruleArn).toBe(second.arn);
  });
});

describe('setWeights', () => {
  it("moves a rule's weights and returns what moto reads back; conditions and priority stay", async () => {
    const host = newHost();
    const rule = await createRule(
      scene.rulesListenerArn,
      [hostCondition(host), pathCondition('/shop/*')],
      [weightedForward(scene.stable.arn, 100, scene.canary.arn, 0)],
    );
    const adapter = traffic();
    const plan = target({ rule: { hostHeader: host } });

    expect(await adapter.setWeights(plan, { stable: 90, canary: 10 })).toEqual({ stable: 90, canary: 10 });
    expect(weightsByGroup(await ruleActions(rule.arn))).toEqual({
      [scene.stable.arn]: 90,
      [scene.canary.arn]: 10,
    });

    expect(await adapter.setWeights(plan, { stable: 0, canary: 100 })).toEqual({ stable: 0, canary: 100 });
    expect(await traffic().getWeights(plan)).toEqual({ stable: 0, canary: 100 });

    const { Rules } = await elbv2.send(new DescribeRulesCommand({ RuleArns: [rule.arn] }));
    expect(Rules![0]).toMatchObject({
      Priority: String(rule.priority),
      Conditions: [
        expect.objectContaining({ Field: 'host-header', HostHeaderConfig: { Values: [host] } }),
        expect.objectContaining({ Field: 'path-pattern', PathPatternConfig: { Values: ['/shop/*'] } }),
      ],
    });
  });

  it("moves the listener's default action and leaves the listener's port and protocol", async () => {
    const adapter = traffic();
    const plan = target({ port: DEFAULT_ACTION_PORT });

    expect(await adapter.getWeights(plan)).toEqual({ stable: 100, canary: 0 });
    expect(await adapter.setWeights(plan, { stable: 75, canary: 25 })).toEqual({ stable: 75, canary: 25 });

    const { Listeners } = await elbv2.send(
      new DescribeListenersCommand({ ListenerArns: [scene.defaultActionListenerArn] }),
    );
    const listener = Listeners![0]!;
    expect(listener).toMatchObject({ Port: DEFAULT_ACTION_PORT, Protocol: 'HTTP' });
    expect(weightsByGroup(listener.DefaultActions ?? [])).toEqual({
      [scene.stable.arn]: 75,
      [scene.canary.arn]: 25,
    });
    // The rules of the listener on another port are not touched.
    expect(await traffic().getWeights(plan)).toEqual({ stable: 75, canary: 25 });
  });

  it('refuses weights that are not whole percents adding up to 100, and changes nothing', async () => {
    const host = newHost();
    const rule = await createRule(
      scene.rulesListenerArn,
      [hostCondition(host)],
      [weightedForward(scene.stable.arn, 100, scene.canary.arn, 0)],
    );
    const plan = target({ rule: { hostHeader: host } });

    await expectRejection(traffic().setWeights(plan, { stable: 80, canary: 30 }), InvalidInputError);
    expect(weightsByGroup(await ruleActions(rule.arn))).toEqual({
      [scene.stable.arn]: 100,
      [scene.canary.arn]: 0,
    });
  });
});

describe('attachCanary and weights someone else set', () => {
  it('adds the canary group at weight 0 to a rule that forwards to the stable group alone', async () => {
    const host = newHost();
    const rule = await createRule(
      scene.rulesListenerArn,
      [hostCondition(host)],
      [plainForward(scene.stable.arn)],
    );
    const plan = target({ rule: { hostHeader: host } });
    await traffic().attachCanary(plan);
    expect(weightsByGroup(await ruleActions(rule.arn))).toEqual({
      [scene.stable.arn]: 100,
      [scene.canary.arn]: 0,
    });
    expect(await traffic().getWeights(plan)).toEqual({ stable: 100, canary: 0 });
  });

  it('refuses to move weights that are not the ones it last set, and leaves the rule alone', async () => {
    const host = newHost();
    const rule = await createRule(
      scene.rulesListenerArn,
      [hostCondition(host)],
      [weightedForward(scene.stable.arn, 100, scene.canary.arn, 0)],
    );
    const plan = target({ rule: { hostHeader: host } });
    await expectRejection(
      traffic().setWeights(plan, { stable: 50, canary: 50 }, { stable: 90, canary: 10 }),
      TrafficEditedError,
      'not the 90/10 Switchyard last set',
    );
    expect(weightsByGroup(await ruleActions(rule.arn))).toEqual({
      [scene.stable.arn]: 100,
      [scene.canary.arn]: 0,
    });
  });
});

describe('targetHealth', () => {
  it('reports the targets registered in each group, by id', async () => {
    // Groups of their own: registered targets are never removed from the scene's groups.
    const { vpcId } = await createMotoVpc();
    const group = async (role: string) => {
      const name = uniqueName(`health-${role}`);
      const { TargetGroups } = await elbv2.send(
        new CreateTargetGroupCommand({
          Name: name,
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: vpcId,
          TargetType: 'ip',
        }),
      );
      return { name, arn: TargetGroups![0]!.TargetGroupArn! };
    };
    const [stable, canary] = [await group('stable'), await group('canary')];
    await elbv2.send(
      new RegisterTargetsCommand({
        TargetGroupArn: stable.arn,
        Targets: [{ Id: '10.0.1.10' }, { Id: '10.0.1.11' }, { Id: '10.0.2.10' }],
      }),
    );
    const plan = target({
      port: DEFAULT_ACTION_PORT,
      stableTargetGroup: stable.name,
      canaryTargetGroup: canary.name,
    });

    // moto reports every registered target healthy (an ALB would say `unused` for a group nothing
    // forwards to): the other states are in alb-traffic.test.ts and the simulated fleet.
    const ids = async (track: 'stable' | 'canary') =>
      (await traffic().targetHealth(plan))[track].targets.map((registered) => [
        registered.id,
        registered.state,
      ]);
    expect(await ids('stable')).toEqual([
      ['10.0.1.10', 'healthy'],
      ['10.0.1.11', 'healthy'],
      ['10.0.2.10', 'healthy'],
    ]);
    expect(await ids('canary')).toEqual([]);

    await elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: canary.arn, Targets: [{ Id: '10.0.1.20' }] }),
    );
    expect(await ids('canary')).toEqual([['10.0.1.20', 'healthy']]);
  });
});
