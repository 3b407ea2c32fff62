/**
 * AlbTraffic moving weights on moto's ELBv2, on a load balancer, listeners, rules and target groups
 * created in moto first: setting weights, attaching the canary, and weights someone else set.
 * What moto does not emulate is listed in alb-traffic.moto.test.ts.
 */
import { DescribeListenersCommand, DescribeRulesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, TrafficEditedError } from '../../../lambdas/core/errors';
import { expectRejection } from '../../support/rejection';
import {
  createMotoScene,
  createRule,
  DEFAULT_ACTION_PORT,
  destroyMotoClient,
  elbv2,
  hostCondition,
  newHost,
  pathCondition,
  plainForward,
  ruleActions,
  scene,
  target,
  traffic,
  weightedForward,
  weightsByGroup,
} from './alb-traffic-moto-support';

beforeAll(createMotoScene);
afterAll(destroyMotoClient);

describe('setWeights', () => {
  it('with writeIf, passes it the live weights and writes nothing when it answers false', async () => {
    const host = newHost();
    const rule = await createRule(
      scene.rulesListenerArn,
      [hostCondition(host)],
      [weightedForward(scene.stable.arn, 80, scene.canary.arn, 20)],
    );
    const adapter = traffic();
    const plan = target({ rule: { hostHeader: host } });
    const seen: unknown[] = [];
    const refuse = async (live: unknown) => {
      seen.push(live);
      return false;
    };
    expect(await adapter.setWeights(plan, { stable: 100, canary: 0 }, undefined, refuse)).toEqual({
      stable: 80,
      canary: 20,
    });
    expect(seen).toEqual([{ stable: 80, canary: 20 }]);
    expect(weightsByGroup(await ruleActions(rule.arn))).toEqual({
      [scene.stable.arn]: 80,
      [scene.canary.arn]: 20,
    });

    const allow = async () => true;
    expect(await adapter.setWeights(plan, { stable: 100, canary: 0 }, undefined, allow)).toEqual({
      stable: 100,
      canary: 0,
    });
    expect(weightsByGroup(await ruleActions(rule.arn))).toEqual({
      [scene.stable.arn]: 100,
      [scene.canary.arn]: 0,
    });
  });

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
