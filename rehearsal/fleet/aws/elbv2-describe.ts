/**
 * The read side of the simulated Elastic Load Balancing: its Describe* commands, answered from a
 * region's resources as the real API answers them, with missingResource faults hiding what they
 * name.
 */
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SimulatedClusters } from '../cluster';
import type { FleetContext } from '../context';
import { SimulatedAwsError } from '../errors';
import {
  defaultRuleView,
  describeTags,
  hexId,
  listenerView,
  MAX_TARGET_GROUPS_PER_DESCRIBE,
  type RegionBalancers,
  ruleView,
  type SimulatedListener,
  type SimulatedRule,
  type SimulatedTargetGroup,
  targetGroupsOf,
  targetGroupView,
} from './elbv2-resources';
import { targetHealthOf } from './elbv2-target-health';

/**
 * The answer to a Describe* command, or undefined when `command` is not one (every answer is an
 * object, so undefined means "not mine").
 */
export function answerDescribe(
  context: FleetContext,
  clusters: SimulatedClusters,
  region: string,
  balancers: RegionBalancers,
  command: unknown,
): object | undefined {
  if (command instanceof DescribeLoadBalancersCommand) {
    const names = command.input.Names ?? [...balancers.loadBalancers.keys()];
    const found = names.map((name) =>
      context.isMissing('loadBalancer', name, region) ? undefined : balancers.loadBalancers.get(name),
    );
    if (found.some((balancer) => balancer === undefined)) {
      throw new SimulatedAwsError('LoadBalancerNotFoundException', 'One or more load balancers not found');
    }
    return {
      LoadBalancers: found.map((balancer) => ({
        LoadBalancerArn: balancer!.arn,
        LoadBalancerName: balancer!.name,
        DNSName: balancer!.dnsName,
        Type: 'application',
        Scheme: 'internal',
        State: { Code: 'active' },
      })),
    };
  }
  if (command instanceof DescribeListenersCommand) {
    const { LoadBalancerArn, ListenerArns } = command.input;
    let found: SimulatedListener[];
    if (ListenerArns) {
      found = ListenerArns.map((arn) => balancers.listeners.get(arn)!);
      if (found.some((listener) => listener === undefined)) {
        throw new SimulatedAwsError('ListenerNotFoundException', 'One or more listeners not found');
      }
    } else {
      const balancer = [...balancers.loadBalancers.values()].find(
        (candidate) => candidate.arn === LoadBalancerArn,
      );
      if (!balancer)
        throw new SimulatedAwsError('LoadBalancerNotFoundException', 'One or more load balancers not found');
      found = [...balancer.listeners.values()].filter(
        (listener) => !context.isMissing('listener', String(listener.port), region),
      );
    }
    return { Listeners: found.map(listenerView) };
  }
  if (command instanceof DescribeRulesCommand) {
    const { ListenerArn, RuleArns } = command.input;
    if (RuleArns) {
      const found = RuleArns.map((arn) => balancers.rules.get(arn));
      if (found.some((rule) => rule === undefined)) {
        throw new SimulatedAwsError('RuleNotFoundException', 'One or more rules not found');
      }
      return { Rules: found.map((rule) => ruleView(rule!)) };
    }
    const listener = balancers.listeners.get(ListenerArn ?? '');
    if (!listener)
      throw new SimulatedAwsError('ListenerNotFoundException', 'One or more listeners not found');
    const present = listener.rules.filter((rule) => !ruleIsMissing(context, rule, region));
    return { Rules: [...present.map(ruleView), defaultRuleView(listener)] };
  }
  if (command instanceof DescribeTagsCommand) {
    return { TagDescriptions: describeTags(balancers, command.input.ResourceArns ?? []) };
  }
  if (command instanceof DescribeTargetGroupsCommand && command.input.LoadBalancerArn !== undefined) {
    return {
      TargetGroups: targetGroupsOf(balancers, command.input.LoadBalancerArn).map((group) =>
        targetGroupView(group, vpcIdOf(context.seed, region)),
      ),
    };
  }
  if (command instanceof DescribeTargetGroupsCommand) {
    const { Names, TargetGroupArns } = command.input;
    // Observed, not documented: more than 20 ARNs are refused
    // (https://github.com/ansible-collections/amazon.aws/pull/1593).
    if (TargetGroupArns !== undefined && TargetGroupArns.length > MAX_TARGET_GROUPS_PER_DESCRIBE) {
      throw new SimulatedAwsError(
        'ValidationError',
        `You cannot describe more than '${MAX_TARGET_GROUPS_PER_DESCRIBE}' target groups at a time`,
      );
    }
    // One that does not exist fails the whole call.
    // A missingResource fault: the group was never created.
    const present = (group: SimulatedTargetGroup | undefined) =>
      group && !context.isMissing('targetGroup', group.name, region) ? group : undefined;
    const found = TargetGroupArns
      ? TargetGroupArns.map((arn) => present(balancers.targetGroupsByArn.get(arn)))
      : (Names ?? [...balancers.targetGroupsByName.keys()]).map((name) =>
          present(balancers.targetGroupsByName.get(name)),
        );
    if (found.some((group) => group === undefined)) {
      throw new SimulatedAwsError('TargetGroupNotFoundException', 'One or more target groups not found');
    }
    return { TargetGroups: found.map((group) => targetGroupView(group!, vpcIdOf(context.seed, region))) };
  }
  if (command instanceof DescribeTargetHealthCommand) {
    const group = balancers.targetGroupsByArn.get(command.input.TargetGroupArn ?? '');
    if (!group)
      throw new SimulatedAwsError('TargetGroupNotFoundException', 'One or more target groups not found');
    return {
      TargetHealthDescriptions: targetHealthOf(context, clusters, balancers, region, group),
    };
  }
  return undefined;
}

/** A missingResource fault names a rule by its priority or by a value of its conditions. */
function ruleIsMissing(context: FleetContext, rule: SimulatedRule, region: string): boolean {
  const names = [
    String(rule.priority),
    ...rule.conditions.flatMap((condition) => [
      ...(condition.HostHeaderConfig?.Values ?? []),
      ...(condition.PathPatternConfig?.Values ?? []),
    ]),
  ];
  return names.some((name) => context.isMissing('rule', name, region));
}

/** The VPC of a region's cluster, where every target group is: `vpc-0` and 16 hex digits, as VPC ids go. */
export function vpcIdOf(seed: number, region: string): string {
  return `vpc-0${hexId(seed, region, 'vpc')}`;
}
