/** What the alb-traffic*.moto.test.ts files share: a load balancer made in moto, and rules made per test. */
import {
  type Action,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AlbTraffic } from '../../../lambdas/adapters/aws/alb-traffic';
import type { AlbTrafficPlan } from '../../../lambdas/core/plan/schema';
import type { AlbTarget } from '../../../lambdas/ports/index';
import { createMotoVpc, MOTO_REGION, motoClient, uniqueName } from '../../support/moto';

export const RULES_PORT = 8080;
export const DEFAULT_ACTION_PORT = 80;
/** More rules than one DescribeRules page of moto's (50). */
export const PAGED_RULES_PORT = 8081;
export const FILLER_RULES = 50;

export let elbv2: ElasticLoadBalancingV2Client;
export let scene: {
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
export let nextPriority = 1;
export let hostCount = 0;

/** Makes the scene in moto: a load balancer with its target groups and listeners, for a file's tests. */
export async function createMotoScene(): Promise<void> {
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
}

export function destroyMotoClient(): void {
  elbv2?.destroy();
}

export function weightedForward(
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

export function plainForward(targetGroupArn: string): Action {
  return { Type: 'forward', TargetGroupArn: targetGroupArn };
}

export function hostCondition(host: string): RuleCondition {
  return { Field: 'host-header', HostHeaderConfig: { Values: [host] } };
}

export function pathCondition(pattern: string): RuleCondition {
  return { Field: 'path-pattern', PathPatternConfig: { Values: [pattern] } };
}

export function newHost(): string {
  hostCount += 1;
  return `api-${hostCount}.${scene.loadBalancerName}.example.test`;
}

export async function createRule(listenerArn: string, conditions: RuleCondition[], actions: Action[]) {
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

export async function ruleActions(ruleArn: string): Promise<Action[]> {
  const { Rules } = await elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
  return Rules![0]!.Actions ?? [];
}

/** The weights moto holds for the forward, by target group ARN. */
export function weightsByGroup(actions: readonly Action[]): Record<string, number | undefined> {
  const forward = actions.find((action) => action.Type === 'forward');
  return Object.fromEntries(
    (forward?.ForwardConfig?.TargetGroups ?? []).map((group) => [group.TargetGroupArn!, group.Weight]),
  );
}

export function target(alb: Partial<AlbTrafficPlan> = {}): AlbTarget {
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

export const traffic = () => new AlbTraffic(() => elbv2);
