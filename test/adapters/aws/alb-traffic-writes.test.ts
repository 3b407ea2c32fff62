/**
 * AlbTraffic writing an ALB through a fake ELBv2 API: setting weights, attaching the canary, never
 * undoing someone else's edit, and the IAM actions it calls.
 */
import {
  type Action,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2ServiceException,
  ModifyListenerCommand,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { beforeEach, describe, expect, it } from 'vitest';
import { ALB_TRAFFIC_IAM_ACTIONS, AlbTraffic } from '../../../lambdas/adapters/aws/alb-traffic';
import { PagingStalledError } from '../../../lambdas/adapters/aws/paging';
import { InvalidInputError, TrafficEditedError, TransientAwsError } from '../../../lambdas/core/errors';
import {
  API_RULE,
  CANARY_TG,
  client,
  elb,
  LISTENER_443,
  OTHER_TG,
  oidc,
  PREFIX,
  plan,
  resetFakeLoadBalancer,
  rules,
  STABLE_TG,
} from './alb-traffic-support';

beforeEach(resetFakeLoadBalancer);

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
