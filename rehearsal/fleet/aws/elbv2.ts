/**
 * Simulated Elastic Load Balancing (v2), answering the SDK commands the ALB adapter sends, so the
 * rehearsal runs the real adapter (lambdas/adapters/aws/alb-traffic.ts) against it. Built from
 * the plan: per region, each ALB service's load balancer, listener, rule (or the listener's
 * default action) and stable and canary target groups, stable at weight 100.
 *
 * It enforces what the real API enforces on a forward action (1 to 5 target groups, whole weights
 * 0–999, target groups that exist), keeps every weight change so metrics can split past traffic,
 * and reports target health from the pods behind each target group.
 */
import {
  type Action,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Rule,
  type RuleCondition,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AlbTrafficPlan } from '../../../lambdas/core/plan/schema';
import type { Track } from '../../../lambdas/ports';
import { deriveSeed } from '../../random';
import type { SimulatedClusters } from '../cluster';
import type { FleetContext } from '../context';
import { SimulatedAwsError } from '../errors';

/** The example account of AWS's documentation. */
export const SIMULATED_ACCOUNT = '111122223333';
const MAX_TARGET_GROUPS_PER_FORWARD = 5;
const MAX_WEIGHT = 999;
const DEFAULT_WEIGHT = 1;
const TARGET_PORT = 8080;

/** A listener's default action or a rule: whatever holds the weighted forward action. */
interface ActionHolder {
  arn: string;
  actions: Action[];
  /** Weight per target group ARN over time, for metrics of past periods. */
  history: Array<{ atMs: number; weights: ReadonlyMap<string, number> }>;
  services: string[];
}

interface SimulatedListener extends ActionHolder {
  loadBalancerArn: string;
  port: number;
  rules: SimulatedRule[];
}

interface SimulatedRule extends ActionHolder {
  priority: number;
  conditions: RuleCondition[];
}

interface SimulatedTargetGroup {
  arn: string;
  name: string;
  service: string;
  track: Track;
}

interface RegionBalancers {
  loadBalancers: Map<string, { arn: string; name: string; listeners: Map<number, SimulatedListener> }>;
  listeners: Map<string, SimulatedListener>;
  rules: Map<string, SimulatedRule>;
  targetGroupsByName: Map<string, SimulatedTargetGroup>;
  targetGroupsByArn: Map<string, SimulatedTargetGroup>;
  /** Per service: where its weights live and its two target groups. */
  services: Map<string, { holder: ActionHolder; stableArn: string; canaryArn: string }>;
}

export type WeightChangeListener = (service: string, region: string) => void;

export class SimulatedLoadBalancing {
  private readonly regions = new Map<string, RegionBalancers>();
  private readonly listeners: WeightChangeListener[] = [];

  constructor(
    private readonly context: FleetContext,
    private readonly clusters: SimulatedClusters,
  ) {
    for (const region of context.plan.regions) {
      const balancers: RegionBalancers = {
        loadBalancers: new Map(),
        listeners: new Map(),
        rules: new Map(),
        targetGroupsByName: new Map(),
        targetGroupsByArn: new Map(),
        services: new Map(),
      };
      this.regions.set(region.name, balancers);
      for (const name of region.services) {
        const service = context.service(name);
        if (service?.traffic.type === 'alb') this.addService(region.name, balancers, name, service.traffic);
      }
    }
  }

  /** An ELBv2 client for a region, answering from this simulation. */
  client(region: string): ElasticLoadBalancingV2Client {
    return {
      send: (command: unknown) => this.send(region, command),
    } as unknown as ElasticLoadBalancingV2Client;
  }

  onChange(listener: WeightChangeListener): void {
    this.listeners.push(listener);
  }

  hasLoadBalancer(service: string, region: string): boolean {
    return this.regions.get(region)?.services.has(service) ?? false;
  }

  /** The target group an ARN names, with its service and track. */
  targetGroup(region: string, arn: string): { service: string; track: Track } | undefined {
    return this.regions.get(region)?.targetGroupsByArn.get(arn);
  }

  /** Fractions of a service's traffic each target group gets at a time; both 0 when nothing is weighted. */
  splitAt(service: string, region: string, atMs: number): Record<Track, number> | undefined {
    const entry = this.regions.get(region)?.services.get(service);
    if (!entry) return undefined;
    const history = entry.holder.history;
    let weights = history[0]!.weights;
    for (let index = history.length - 1; index >= 0; index -= 1) {
      if (history[index]!.atMs <= atMs) {
        weights = history[index]!.weights;
        break;
      }
    }
    const total = [...weights.values()].reduce((sum, weight) => sum + weight, 0);
    if (total === 0) return { stable: 0, canary: 0 };
    return {
      stable: (weights.get(entry.stableArn) ?? 0) / total,
      canary: (weights.get(entry.canaryArn) ?? 0) / total,
    };
  }

  /** Times a service's weights changed in [fromMs, toMs). */
  changeTimes(service: string, region: string, fromMs: number, toMs: number): number[] {
    const history = this.regions.get(region)?.services.get(service)?.holder.history ?? [];
    return history.map((entry) => entry.atMs).filter((at) => at >= fromMs && at < toMs);
  }

  // ── the API ───────────────────────────────────────────────────────────────

  async send(region: string, command: unknown): Promise<unknown> {
    const balancers = this.regions.get(region);
    if (!balancers)
      throw new SimulatedAwsError('UnrecognizedClientException', `no simulated region ${region}`);
    if (this.context.outageAt(region, this.context.nowMs())?.controlPlane) {
      throw new SimulatedAwsError(
        'ServiceUnavailable',
        `Elastic Load Balancing in ${region} is unavailable`,
        503,
      );
    }
    if (command instanceof DescribeLoadBalancersCommand) {
      const names = command.input.Names ?? [...balancers.loadBalancers.keys()];
      const found = names.map((name) => balancers.loadBalancers.get(name));
      if (found.some((balancer) => balancer === undefined)) {
        throw new SimulatedAwsError('LoadBalancerNotFoundException', 'One or more load balancers not found');
      }
      return {
        LoadBalancers: found.map((balancer) => ({
          LoadBalancerArn: balancer!.arn,
          LoadBalancerName: balancer!.name,
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
          throw new SimulatedAwsError(
            'LoadBalancerNotFoundException',
            'One or more load balancers not found',
          );
        found = [...balancer.listeners.values()];
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
      return { Rules: [...listener.rules.map(ruleView), defaultRuleView(listener)] };
    }
    if (command instanceof DescribeTargetGroupsCommand) {
      const names = command.input.Names ?? [...balancers.targetGroupsByName.keys()];
      const found = names.map((name) => balancers.targetGroupsByName.get(name));
      if (found.some((group) => group === undefined)) {
        throw new SimulatedAwsError('TargetGroupNotFoundException', 'One or more target groups not found');
      }
      return {
        TargetGroups: found.map((group) => ({
          TargetGroupArn: group!.arn,
          TargetGroupName: group!.name,
          Protocol: 'HTTP',
          Port: TARGET_PORT,
          TargetType: 'ip',
        })),
      };
    }
    if (command instanceof DescribeTargetHealthCommand) {
      const group = balancers.targetGroupsByArn.get(command.input.TargetGroupArn ?? '');
      if (!group)
        throw new SimulatedAwsError('TargetGroupNotFoundException', 'One or more target groups not found');
      return { TargetHealthDescriptions: this.targetHealth(region, group) };
    }
    if (command instanceof ModifyListenerCommand) {
      const listener = balancers.listeners.get(command.input.ListenerArn ?? '');
      if (!listener)
        throw new SimulatedAwsError('ListenerNotFoundException', 'One or more listeners not found');
      if (command.input.DefaultActions)
        this.replaceActions(region, balancers, listener, command.input.DefaultActions);
      return { Listeners: [listenerView(listener)] };
    }
    if (command instanceof ModifyRuleCommand) {
      const rule = balancers.rules.get(command.input.RuleArn ?? '');
      if (!rule) throw new SimulatedAwsError('RuleNotFoundException', 'One or more rules not found');
      if (command.input.Actions) this.replaceActions(region, balancers, rule, command.input.Actions);
      return { Rules: [ruleView(rule)] };
    }
    const name = (command as { constructor?: { name?: string } })?.constructor?.name ?? String(command);
    throw new Error(`the simulated Elastic Load Balancing does not implement ${name}`);
  }

  // ── plumbing ──────────────────────────────────────────────────────────────

  private replaceActions(
    region: string,
    balancers: RegionBalancers,
    holder: ActionHolder,
    actions: Action[],
  ): void {
    validateActions(actions, balancers);
    holder.actions = structuredClone(actions);
    holder.history.push({ atMs: this.context.nowMs(), weights: forwardWeights(holder.actions) });
    for (const service of holder.services) for (const listener of this.listeners) listener(service, region);
  }

  private targetHealth(region: string, group: SimulatedTargetGroup): TargetHealthDescription[] {
    const service = this.context.service(group.service)!;
    const now = this.context.nowMs();
    const pods = this.clusters.census(region, service, group.track, now);
    const down = this.context.outageAt(region, now) !== undefined;
    // Pods of a crashing version accept no connections: they fail their health checks.
    const crashed = this.context.crashedPods(service, region, pods, now);
    const states: Array<'healthy' | 'initial' | 'unhealthy'> = [
      ...Array<'healthy'>(pods.updatedReady + pods.oldReady - crashed).fill('healthy'),
      ...Array<'initial'>(pods.starting).fill('initial'),
      ...Array<'unhealthy'>(pods.failing + crashed).fill('unhealthy'),
    ].map((state) => (down ? 'unhealthy' : state));
    return states.map((state, index) => ({
      Target: { Id: podIp(this.context.seed, region, group.arn, index), Port: TARGET_PORT },
      HealthCheckPort: String(TARGET_PORT),
      TargetHealth: {
        State: state,
        ...(state === 'initial' && { Reason: 'Elb.InitialHealthChecking' }),
        ...(state === 'unhealthy' && { Reason: 'Target.FailedHealthChecks' }),
      },
    }));
  }

  private addService(region: string, balancers: RegionBalancers, service: string, alb: AlbTrafficPlan): void {
    const arnBase = `arn:aws:elasticloadbalancing:${region}:${SIMULATED_ACCOUNT}`;
    const id = (...key: string[]) => hexId(this.context.seed, region, ...key);

    let balancer = balancers.loadBalancers.get(alb.loadBalancerName);
    if (!balancer) {
      const arn = `${arnBase}:loadbalancer/app/${alb.loadBalancerName}/${id('lb', alb.loadBalancerName)}`;
      balancer = { arn, name: alb.loadBalancerName, listeners: new Map() };
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
        history: [{ atMs: this.context.startMs, weights: new Map() }],
        services: [],
      };
      balancer.listeners.set(alb.port, listener);
      balancers.listeners.set(arn, listener);
    }

    const [stableArn, canaryArn] = [alb.stableTargetGroup, alb.canaryTargetGroup].map((name, index) => {
      const existing = balancers.targetGroupsByName.get(name);
      if (existing) return existing.arn;
      const group: SimulatedTargetGroup = {
        arn: `${arnBase}:targetgroup/${name}/${id('tg', name)}`,
        name,
        service,
        track: index === 0 ? 'stable' : 'canary',
      };
      balancers.targetGroupsByName.set(name, group);
      balancers.targetGroupsByArn.set(group.arn, group);
      return group.arn;
    }) as [string, string];

    const actions: Action[] = [
      {
        Type: 'forward',
        Order: 1,
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: stableArn, Weight: 100 },
            { TargetGroupArn: canaryArn, Weight: 0 },
          ],
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
    holder.history = [{ atMs: this.context.startMs, weights: forwardWeights(actions) }];
    holder.services.push(service);
    balancers.services.set(service, { holder, stableArn, canaryArn });
  }
}

/** What the real API refuses in a forward action, with its error names. */
function validateActions(actions: readonly Action[], balancers: RegionBalancers): void {
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

function forwardWeights(actions: readonly Action[]): Map<string, number> {
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

function listenerView(listener: SimulatedListener): Listener {
  return {
    ListenerArn: listener.arn,
    LoadBalancerArn: listener.loadBalancerArn,
    Port: listener.port,
    Protocol: listener.port === 443 ? 'HTTPS' : 'HTTP',
    DefaultActions: structuredClone(listener.actions),
  };
}

function ruleView(rule: SimulatedRule): Rule {
  return {
    RuleArn: rule.arn,
    Priority: String(rule.priority),
    Conditions: structuredClone(rule.conditions),
    Actions: structuredClone(rule.actions),
    IsDefault: false,
  };
}

function defaultRuleView(listener: SimulatedListener): Rule {
  return {
    RuleArn: `${listener.arn.replace(':listener/', ':listener-rule/')}/default`,
    Priority: 'default',
    Conditions: [],
    Actions: structuredClone(listener.actions),
    IsDefault: true,
  };
}

/** 16 hex digits, as in real ELB ARNs, fixed by the seed and the resource. */
function hexId(seed: number, ...key: string[]): string {
  const high = deriveSeed(seed, 'elbv2', ...key);
  const low = deriveSeed(high, 'low');
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}

function podIp(seed: number, region: string, targetGroupArn: string, index: number): string {
  const value = deriveSeed(seed, 'pod-ip', region, targetGroupArn, index);
  return `10.${(value >>> 16) & 0xff}.${(value >>> 8) & 0xff}.${(value & 0xfe) + 1}`;
}
