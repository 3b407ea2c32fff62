/**
 * AlbTraffic reading moto's ELBv2: the load balancer, listeners, rules and target groups are
 * created in moto first, and the adapter finds them by name and reads weights and health on them.
 * Moving weights is in alb-traffic-writes.moto.test.ts.
 *
 * What moto does not emulate, left to alb-traffic.test.ts (aws-sdk-client-mock): target health
 * other than `healthy` (moto reports every registered target healthy, never `initial`, `unused`
 * for a group no rule forwards to, `draining` or `unhealthy`), authenticate-* actions before the
 * forward, throttling. moto pages DescribeRules 50 rules at a time even without PageSize, so
 * paging through rules is tested here on a listener with more than 50.
 */
import {
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from '../../../lambdas/core/errors';
import type { AlbTrafficPlan } from '../../../lambdas/core/plan/schema';
import { createMotoVpc, MOTO_REGION, uniqueName } from '../../support/moto';
import { expectRejection } from '../../support/rejection';
import {
  createMotoScene,
  createRule,
  DEFAULT_ACTION_PORT,
  destroyMotoClient,
  elbv2,
  hostCondition,
  newHost,
  PAGED_RULES_PORT,
  pathCondition,
  plainForward,
  RULES_PORT,
  scene,
  target,
  traffic,
  weightedForward,
} from './alb-traffic-moto-support';

beforeAll(createMotoScene);
afterAll(destroyMotoClient);

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
