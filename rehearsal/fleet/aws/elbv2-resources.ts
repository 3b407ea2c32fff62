/**
 * The simulated load balancers' resources (elbv2.ts): what each holds, the views the Describe
 * commands return, the rules a forward action must keep, and the resources built from the plan.
 */
import type { Action, Listener, Rule, RuleCondition, Tag } from '@aws-sdk/client-elastic-load-balancing-v2';
import { TRACK_LABEL } from '../../../lambdas/adapters/kubernetes/conventions';
import type { AlbTrafficPlan } from '../../../lambdas/core/plan/schema';
import type { Track } from '../../../lambdas/ports';
import { deriveSeed } from '../../random';
import type { FleetContext } from '../context';
import { SimulatedAwsError } from '../errors';

/** The example account of AWS's documentation. */
export const SIMULATED_ACCOUNT = '111122223333';
export const MAX_TARGET_GROUPS_PER_FORWARD = 5;
export const MAX_TARGET_GROUPS_PER_DESCRIBE = 20;
export const MAX_WEIGHT = 999;
export const DEFAULT_WEIGHT = 1;
export const TARGET_PORT = 8080;

/** Who set a holder's actions: the plan's initial state, an API call, or the controller. */
/** `someoneElse`: an edit made outside Switchyard (the trafficEdited fault). */
export type ActionWriter = 'initial' | 'ModifyRule' | 'ModifyListener' | 'controller' | 'someoneElse';

/** A listener's default action or a rule: whatever holds the weighted forward action. */
export interface ActionHolder {
  arn: string;
  actions: Action[];
  /** Weight per target group ARN over time, for metrics of past periods, and who set it. */
  history: Array<{ atMs: number; weights: ReadonlyMap<string, number>; by?: ActionWriter }>;
  services: string[];
}

export interface SimulatedListener extends ActionHolder {
  loadBalancerArn: string;
  port: number;
  rules: SimulatedRule[];
}

export interface SimulatedRule extends ActionHolder {
  priority: number;
  conditions: RuleCondition[];
}

export interface SimulatedTargetGroup {
  arn: string;
  name: string;
  service: string;
  track: Track;
  /** The selector of the Kubernetes Service its TargetGroupBinding points at. */
  selector: Record<string, string>;
}

export interface SimulatedLoadBalancer {
  arn: string;
  name: string;
  dnsName: string;
  listeners: Map<number, SimulatedListener>;
}

export interface RegionBalancers {
  loadBalancers: Map<string, SimulatedLoadBalancer>;
  listeners: Map<string, SimulatedListener>;
  rules: Map<string, SimulatedRule>;
  targetGroupsByName: Map<string, SimulatedTargetGroup>;
  targetGroupsByArn: Map<string, SimulatedTargetGroup>;
  /** Per service: where its weights live and its two target groups (the canary's made later, for albIngress). */
  services: Map<string, { holder: ActionHolder; stableArn: string; canaryArn?: string }>;
  /** Tags per resource ARN (load balancers, listeners, rules, target groups). */
  tags: Map<string, Record<string, string>>;
}

export function addPlannedService(
  context: FleetContext,
  region: string,
  balancers: RegionBalancers,
  service: string,
  alb: AlbTrafficPlan,
): void {
  const arnBase = `arn:aws:elasticloadbalancing:${region}:${SIMULATED_ACCOUNT}`;
  const id = (...key: string[]) => hexId(context.seed, region, ...key);

  let balancer = balancers.loadBalancers.get(alb.loadBalancerName);
  if (!balancer) {
    const arn = `${arnBase}:loadbalancer/app/${alb.loadBalancerName}/${id('lb', alb.loadBalancerName)}`;
    balancer = {
      arn,
      name: alb.loadBalancerName,
      dnsName: dnsNameOf(context.seed, region, alb.loadBalancerName),
      listeners: new Map(),
    };
    balancers.loadBalancers.set(alb.loadBalancerName, balancer);
  }
  const lbPath = balancer.arn.split(':loadbalancer/')[1]!;
  let listener = balancer.listeners.get(alb.port);
  if (!listener) {
    const arn = `${arnBase}:listener/${lbPath}/${id('listener', alb.loadBalancerName, String(alb.port))}`;
    const actions: Action[] = [
      {
        Type: 'fixed-response',
        Order: 1,
        FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' },
      },
    ];
    listener = {
      arn,
      loadBalancerArn: balancer.arn,
      port: alb.port,
      rules: [],
      actions,
      history: [{ atMs: context.startMs, weights: new Map() }],
      services: [],
    };
    balancer.listeners.set(alb.port, listener);
    balancers.listeners.set(arn, listener);
  }

  const [stableArn, canaryArn] = [alb.stableTargetGroup, alb.canaryTargetGroup].map((name, index) => {
    const existing = balancers.targetGroupsByName.get(name);
    if (existing) return existing.arn;
    const track: Track = index === 0 ? 'stable' : 'canary';
    const group: SimulatedTargetGroup = {
      arn: `${arnBase}:targetgroup/${name}/${id('tg', name)}`,
      name,
      service,
      track,
      selector: serviceSelector(context, region, service, track),
    };
    balancers.targetGroupsByName.set(name, group);
    balancers.targetGroupsByArn.set(group.arn, group);
    return group.arn;
  }) as [string, string];

  // As a rule made for one target group reads: the stable group only. The canary group is
  // not there until Switchyard attaches it.
  const actions: Action[] = [
    {
      Type: 'forward',
      Order: 1,
      TargetGroupArn: stableArn,
      ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: stableArn, Weight: 1 }],
        TargetGroupStickinessConfig: { Enabled: false },
      },
    },
  ];
  let holder: ActionHolder;
  if (alb.rule === undefined) {
    holder = listener;
  } else {
    const used = new Set(listener.rules.map((rule) => rule.priority));
    let priority = alb.rule.priority ?? 1;
    while (alb.rule.priority === undefined && used.has(priority)) priority += 1;
    const conditions: RuleCondition[] = [];
    if (alb.rule.hostHeader !== undefined) {
      conditions.push({ Field: 'host-header', HostHeaderConfig: { Values: [alb.rule.hostHeader] } });
    }
    if (alb.rule.pathPattern !== undefined) {
      conditions.push({ Field: 'path-pattern', PathPatternConfig: { Values: [alb.rule.pathPattern] } });
    }
    const rule: SimulatedRule = {
      arn: `${arnBase}:listener-rule/${listener.arn.split(':listener/')[1]}/${id('rule', service)}`,
      priority,
      conditions,
      actions: [],
      history: [],
      services: [],
    };
    listener.rules.push(rule);
    listener.rules.sort((a, b) => a.priority - b.priority);
    balancers.rules.set(rule.arn, rule);
    holder = rule;
  }
  holder.actions = actions;
  holder.history = [{ atMs: context.startMs, weights: forwardWeights(actions), by: 'initial' }];
  holder.services.push(service);
  balancers.services.set(service, { holder, stableArn, canaryArn });
}

/** The target groups a load balancer's listeners and rules forward to. */
export function targetGroupsOf(balancers: RegionBalancers, loadBalancerArn: string): SimulatedTargetGroup[] {
  const balancer = [...balancers.loadBalancers.values()].find(
    (candidate) => candidate.arn === loadBalancerArn,
  );
  if (!balancer)
    throw new SimulatedAwsError('LoadBalancerNotFoundException', 'One or more load balancers not found');
  const arns = new Set<string>();
  for (const listener of balancer.listeners.values()) {
    for (const holder of [listener, ...listener.rules])
      for (const arn of forwardWeights(holder.actions).keys()) arns.add(arn);
  }
  return [...arns].flatMap((arn) => balancers.targetGroupsByArn.get(arn) ?? []);
}

/**
 * The selector of the Kubernetes Service behind a service's group: the documented setup selects
 * its track's label; with a shared selector (a fault) the stable Service selects on the app
 * label alone, canary pods included.
 */
export function serviceSelector(
  context: FleetContext,
  region: string,
  service: string,
  track: Track,
): Record<string, string> {
  const deployment = context.service(service)!.deployment;
  const shared = context.faults.faults.some(
    (fault) =>
      fault.type === 'sharedSelector' &&
      fault.service === service &&
      (fault.region === undefined || fault.region === region),
  );
  return track === 'stable' && shared ? { app: deployment } : { app: deployment, [TRACK_LABEL]: track };
}

/** DescribeTags: up to 20 ARNs, each of a resource that exists. */
export function describeTags(
  balancers: RegionBalancers,
  arns: readonly string[],
): Array<{ ResourceArn: string; Tags: Tag[] }> {
  if (arns.length === 0 || arns.length > 20) {
    throw new SimulatedAwsError(
      'ValidationError',
      `1 validation error detected: Value at 'resourceArns' failed to satisfy constraint: Member must have length between 1 and 20`,
    );
  }
  const loadBalancerArns = new Set([...balancers.loadBalancers.values()].map((balancer) => balancer.arn));
  return arns.map((arn) => {
    const known =
      loadBalancerArns.has(arn) ||
      balancers.listeners.has(arn) ||
      balancers.rules.has(arn) ||
      balancers.targetGroupsByArn.has(arn);
    if (!known) {
      const [code, what] = arn.includes(':targetgroup/')
        ? ['TargetGroupNotFoundException', 'target groups']
        : arn.includes(':listener-rule/')
          ? ['RuleNotFoundException', 'rules']
          : arn.includes(':listener/')
            ? ['ListenerNotFoundException', 'listeners']
            : ['LoadBalancerNotFoundException', 'load balancers'];
      throw new SimulatedAwsError(code, `One or more ${what} not found`);
    }
    const tags = balancers.tags.get(arn) ?? {};
    return { ResourceArn: arn, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
  });
}

export function targetGroupView(group: SimulatedTargetGroup, vpcId: string) {
  return {
    TargetGroupArn: group.arn,
    TargetGroupName: group.name,
    VpcId: vpcId,
    Protocol: 'HTTP' as const,
    Port: TARGET_PORT,
    TargetType: 'ip' as const,
  };
}

/** An internal ALB's DNS name: `internal-<name>-<digits>.<region>.elb.amazonaws.com`. */
export function dnsNameOf(seed: number, region: string, name: string): string {
  return `internal-${name}-${deriveSeed(seed, 'elbv2-dns', region, name)}.${region}.elb.amazonaws.com`;
}

/** What the real API refuses in a forward action, with its error names. */
export function validateActions(actions: readonly Action[], balancers: RegionBalancers): void {
  actions.forEach((action, actionIndex) => {
    if (action.Type !== 'forward') return;
    const at = `actions.${actionIndex + 1}.member.forwardConfig.targetGroups`;
    const groups = action.ForwardConfig?.TargetGroups ?? [];
    if (groups.length === 0 && action.TargetGroupArn === undefined) {
      throw new SimulatedAwsError(
        'ValidationError',
        'A target group ARN must be specified for a forward action',
      );
    }
    if (groups.length > MAX_TARGET_GROUPS_PER_FORWARD) {
      throw new SimulatedAwsError(
        'ValidationError',
        `1 validation error detected: Value at '${at}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TARGET_GROUPS_PER_FORWARD}`,
      );
    }
    const seen = new Set<string>();
    groups.forEach((group, groupIndex) => {
      const weight = group.Weight ?? DEFAULT_WEIGHT;
      if (!Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
        throw new SimulatedAwsError(
          'ValidationError',
          `1 validation error detected: Value '${weight}' at '${at}.${groupIndex + 1}.member.weight' failed to satisfy constraint: Member must be a whole number from 0 to ${MAX_WEIGHT}`,
        );
      }
      const arn = group.TargetGroupArn ?? '';
      if (seen.has(arn)) {
        throw new SimulatedAwsError(
          'ValidationError',
          `Target group '${arn}' appears more than once in the forward action`,
        );
      }
      seen.add(arn);
    });
    const arns = [...seen, ...(action.TargetGroupArn ? [action.TargetGroupArn] : [])];
    if (arns.some((arn) => !balancers.targetGroupsByArn.has(arn))) {
      throw new SimulatedAwsError('TargetGroupNotFoundException', 'One or more target groups not found');
    }
  });
}

export function forwardWeights(actions: readonly Action[]): Map<string, number> {
  const weights = new Map<string, number>();
  const forward = actions.find((action) => action.Type === 'forward');
  if (!forward) return weights;
  const groups = forward.ForwardConfig?.TargetGroups ?? [];
  if (groups.length === 0 && forward.TargetGroupArn) weights.set(forward.TargetGroupArn, DEFAULT_WEIGHT);
  for (const group of groups) {
    if (group.TargetGroupArn) weights.set(group.TargetGroupArn, group.Weight ?? DEFAULT_WEIGHT);
  }
  return weights;
}

export function listenerView(listener: SimulatedListener): Listener {
  return {
    ListenerArn: listener.arn,
    LoadBalancerArn: listener.loadBalancerArn,
    Port: listener.port,
    Protocol: listener.port === 443 ? 'HTTPS' : 'HTTP',
    DefaultActions: structuredClone(listener.actions),
  };
}

export function ruleView(rule: SimulatedRule): Rule {
  return {
    RuleArn: rule.arn,
    Priority: String(rule.priority),
    Conditions: structuredClone(rule.conditions),
    Actions: structuredClone(rule.actions),
    IsDefault: false,
  };
}

export function defaultRuleView(listener: SimulatedListener): Rule {
  return {
    RuleArn: `${listener.arn.replace(':listener/', ':listener-rule/')}/default`,
    Priority: 'default',
    Conditions: [],
    Actions: structuredClone(listener.actions),
    IsDefault: true,
  };
}

/** 16 hex digits, as in real ELB ARNs, fixed by the seed and the resource. */
export function hexId(seed: number, ...key: string[]): string {
  const high = deriveSeed(seed, 'elbv2', ...key);
  const low = deriveSeed(high, 'low');
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}
