/**
 * Simulated Elastic Load Balancing (v2), answering the SDK commands the ALB adapter sends, so the
 * rehearsal runs the real adapter (lambdas/adapters/aws/alb-traffic.ts) against it. Built from
 * the plan: per region, each ALB service's load balancer, listener, rule (or the listener's
 * default action) and stable and canary target groups, stable at weight 100.
 *
 * It enforces what the real API enforces on a forward action (1 to 5 target groups, whole weights
 * 0–999, target groups that exist), keeps every weight change so metrics can split past traffic,
 * and reports target health as an ALB does (see `targetHealth`) for the pods each group's
 * Kubernetes Service selects.
 */
import {
  type Action,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Rule,
  type RuleCondition,
  type Tag,
  type TargetHealthDescription,
  type TargetHealthReasonEnum,
  type TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { TRACK_LABEL } from '../../../lambdas/adapters/kubernetes/conventions';
import type { AlbTrafficPlan } from '../../../lambdas/core/plan/schema';
import type { Track } from '../../../lambdas/ports';
import type { TrafficEditedFault } from '../../faults/schema';
import { deriveSeed } from '../../random';
import type { SimulatedClusters, SimulatedPod } from '../cluster';
import type { FleetContext } from '../context';
import { SimulatedAwsError } from '../errors';

/** The example account of AWS's documentation. */
export const SIMULATED_ACCOUNT = '111122223333';
const MAX_TARGET_GROUPS_PER_FORWARD = 5;
const MAX_TARGET_GROUPS_PER_DESCRIBE = 20;
const MAX_WEIGHT = 999;
const DEFAULT_WEIGHT = 1;
const TARGET_PORT = 8080;

/** Who set a holder's actions: the plan's initial state, an API call, or the controller. */
/** `someoneElse`: an edit made outside Switchyard (the trafficEdited fault). */
export type ActionWriter = 'initial' | 'ModifyRule' | 'ModifyListener' | 'controller' | 'someoneElse';

/** A listener's default action or a rule: whatever holds the weighted forward action. */
interface ActionHolder {
  arn: string;
  actions: Action[];
  /** Weight per target group ARN over time, for metrics of past periods, and who set it. */
  history: Array<{ atMs: number; weights: ReadonlyMap<string, number>; by?: ActionWriter }>;
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
  /** The selector of the Kubernetes Service its TargetGroupBinding points at. */
  selector: Record<string, string>;
}

interface SimulatedLoadBalancer {
  arn: string;
  name: string;
  dnsName: string;
  listeners: Map<number, SimulatedListener>;
}

interface RegionBalancers {
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

/** `atMs`: when the change took effect, when that is before now (a reconcile caught up on). */
export type WeightChangeListener = (service: string, region: string, atMs?: number) => void;

export class SimulatedLoadBalancing {
  private readonly regions = new Map<string, RegionBalancers>();
  private readonly listeners: WeightChangeListener[] = [];
  /** Weights someone else sets (faults), earliest first, applied once virtual time reaches them. */
  private readonly edits: Array<{ fault: TrafficEditedFault; atMs: number; applied: boolean }>;
  private readonly beforeAccess: Array<() => void> = [];

  constructor(
    private readonly context: FleetContext,
    private readonly clusters: SimulatedClusters,
  ) {
    this.edits = context.faults.faults
      .flatMap((fault) =>
        fault.type === 'trafficEdited' ? [{ fault, atMs: context.atMs(fault.at), applied: false }] : [],
      )
      .sort((a, b) => a.atMs - b.atMs);
    this.beforeAccess.push(() => this.applyEdits());
    for (const region of context.plan.regions) {
      const balancers: RegionBalancers = {
        loadBalancers: new Map(),
        listeners: new Map(),
        rules: new Map(),
        targetGroupsByName: new Map(),
        targetGroupsByArn: new Map(),
        services: new Map(),
        tags: new Map(),
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
    this.catchUp();
    return this.regions.get(region)?.targetGroupsByArn.get(arn);
  }

  /** Fractions of a service's traffic each target group gets at a time; both 0 when nothing is weighted. */
  splitAt(service: string, region: string, atMs: number): Record<Track, number> | undefined {
    this.catchUp();
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
      canary: entry.canaryArn === undefined ? 0 : (weights.get(entry.canaryArn) ?? 0) / total,
    };
  }

  /** Times a service's weights changed in [fromMs, toMs). */
  changeTimes(service: string, region: string, fromMs: number, toMs: number): number[] {
    this.catchUp();
    const history = this.regions.get(region)?.services.get(service)?.holder.history ?? [];
    return history.map((entry) => entry.atMs).filter((at) => at >= fromMs && at < toMs);
  }

  // ── the API ───────────────────────────────────────────────────────────────

  async send(region: string, command: unknown): Promise<unknown> {
    this.catchUp();
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
      const found = names.map((name) =>
        this.context.isMissing('loadBalancer', name, region) ? undefined : balancers.loadBalancers.get(name),
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
          throw new SimulatedAwsError(
            'LoadBalancerNotFoundException',
            'One or more load balancers not found',
          );
        found = [...balancer.listeners.values()].filter(
          (listener) => !this.context.isMissing('listener', String(listener.port), region),
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
      const present = listener.rules.filter((rule) => !this.ruleIsMissing(rule, region));
      return { Rules: [...present.map(ruleView), defaultRuleView(listener)] };
    }
    if (command instanceof DescribeTagsCommand) {
      return { TagDescriptions: describeTags(balancers, command.input.ResourceArns ?? []) };
    }
    if (command instanceof DescribeTargetGroupsCommand && command.input.LoadBalancerArn !== undefined) {
      return {
        TargetGroups: this.targetGroupsOf(balancers, command.input.LoadBalancerArn).map((group) =>
          targetGroupView(group, this.vpcId(region)),
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
        group && !this.context.isMissing('targetGroup', group.name, region) ? group : undefined;
      const found = TargetGroupArns
        ? TargetGroupArns.map((arn) => present(balancers.targetGroupsByArn.get(arn)))
        : (Names ?? [...balancers.targetGroupsByName.keys()]).map((name) =>
            present(balancers.targetGroupsByName.get(name)),
          );
      if (found.some((group) => group === undefined)) {
        throw new SimulatedAwsError('TargetGroupNotFoundException', 'One or more target groups not found');
      }
      return { TargetGroups: found.map((group) => targetGroupView(group!, this.vpcId(region))) };
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
        this.replaceActions(region, balancers, listener, command.input.DefaultActions, 'ModifyListener');
      return { Listeners: [listenerView(listener)] };
    }
    if (command instanceof ModifyRuleCommand) {
      const rule = balancers.rules.get(command.input.RuleArn ?? '');
      if (!rule) throw new SimulatedAwsError('RuleNotFoundException', 'One or more rules not found');
      if (command.input.Actions)
        this.replaceActions(region, balancers, rule, command.input.Actions, 'ModifyRule');
      return { Rules: [ruleView(rule)] };
    }
    const name = (command as { constructor?: { name?: string } })?.constructor?.name ?? String(command);
    throw new Error(`the simulated Elastic Load Balancing does not implement ${name}`);
  }

  // ── plumbing ──────────────────────────────────────────────────────────────

  /** A missingResource fault names a rule by its priority or by a value of its conditions. */
  private ruleIsMissing(rule: SimulatedRule, region: string): boolean {
    const names = [
      String(rule.priority),
      ...rule.conditions.flatMap((condition) => [
        ...(condition.HostHeaderConfig?.Values ?? []),
        ...(condition.PathPatternConfig?.Values ?? []),
      ]),
    ];
    return names.some((name) => this.context.isMissing('rule', name, region));
  }

  /**
   * Someone else's ModifyRule at its virtual time: the forward's stable and canary weights set
   * as they chose, the rest of the rule left alone. Recorded at that time, so traffic since then
   * splits by it.
   */
  private applyEdits(): void {
    const now = this.context.nowMs();
    for (const edit of this.edits) {
      if (edit.applied || edit.atMs > now) continue;
      edit.applied = true;
      const { service, region, weights } = edit.fault;
      for (const [name, balancers] of this.regions) {
        const entry = balancers.services.get(service);
        if (!entry || (region !== undefined && region !== name)) continue;
        const actions = structuredClone(entry.holder.actions);
        const forward = actions.find((action) => action.Type === 'forward');
        if (!forward) continue;
        const groups = forward.ForwardConfig?.TargetGroups ?? [];
        const wanted = new Map([
          [entry.stableArn, weights.stable],
          [entry.canaryArn, weights.canary],
        ]);
        const updated = groups.map((group) => ({
          ...group,
          Weight: wanted.get(group.TargetGroupArn ?? '') ?? group.Weight,
        }));
        for (const [arn, weight] of wanted) {
          if (weight > 0 && !groups.some((group) => group.TargetGroupArn === arn)) {
            updated.push({ TargetGroupArn: arn, Weight: weight });
          }
        }
        delete forward.TargetGroupArn;
        forward.ForwardConfig = { ...forward.ForwardConfig, TargetGroups: updated };
        entry.holder.actions = actions;
        entry.holder.history.push({ atMs: edit.atMs, weights: forwardWeights(actions), by: 'someoneElse' });
        for (const held of entry.holder.services) for (const listener of this.listeners) listener(held, name);
      }
    }
  }

  private replaceActions(
    region: string,
    balancers: RegionBalancers,
    holder: ActionHolder,
    actions: Action[],
    by: ActionWriter,
    atMs = this.context.nowMs(),
  ): void {
    validateActions(actions, balancers);
    holder.actions = structuredClone(actions);
    // Kept in time order: a reconcile caught up on may have taken effect before now.
    const entry = { atMs, weights: forwardWeights(holder.actions), by };
    const after = holder.history.findIndex((existing) => existing.atMs > atMs);
    if (after < 0) holder.history.push(entry);
    else holder.history.splice(after, 0, entry);
    const effective = atMs < this.context.nowMs() ? atMs : undefined;
    for (const service of holder.services)
      for (const listener of this.listeners) listener(service, region, effective);
  }

  /**
   * The targets a TargetGroupBinding registers: the ready pods its Service selects, by label
   * (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/targetgroupbinding/targetgroupbinding/).
   * An ALB health-checks only groups a rule or default action forwards to (weight 0 included);
   * until then every target reads `unused` (Target.NotInUse). Once in use, a target reads
   * `initial` (Elb.InitialHealthChecking) until it passes a health check, one interval on
   * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).
   */
  private targetHealth(region: string, group: SimulatedTargetGroup): TargetHealthDescription[] {
    const service = this.context.service(group.service)!;
    const now = this.context.nowMs();
    const down = this.context.outageAt(region, now) !== undefined;
    const inUseSince = this.inUseSince(region, group.arn, now);
    const intervalMs = this.context.timing.healthCheckIntervalMs;
    return this.registeredPods(region, group, now).map((pod) => {
      let health: { State: TargetHealthStateEnum; Reason?: TargetHealthReasonEnum; Description?: string };
      if (inUseSince === undefined) {
        health = {
          State: 'unused',
          Reason: 'Target.NotInUse',
          Description: 'Target group is not configured to receive traffic from the load balancer',
        };
      } else if (down) {
        health = { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' };
      } else if (now < Math.max(pod.readySinceMs!, inUseSince) + intervalMs) {
        health = {
          State: 'initial',
          Reason: 'Elb.InitialHealthChecking',
          Description: 'Initial health checks in progress',
        };
      } else if (this.context.crashing(service, region, pod.image, now)) {
        // Pods of a crashing version accept no connections: they fail their health checks.
        health = {
          State: 'unhealthy',
          Reason: 'Target.FailedHealthChecks',
          Description: 'Health checks failed',
        };
      } else {
        health = { State: 'healthy' };
      }
      return {
        Target: { Id: pod.ip, Port: TARGET_PORT },
        HealthCheckPort: String(TARGET_PORT),
        TargetHealth: health,
      };
    });
  }

  /** The ready pods of the group's service whose labels its Service's selector matches. */
  registeredPods(region: string, group: SimulatedTargetGroup, atMs: number): SimulatedPod[] {
    const service = this.context.service(group.service)!;
    return this.clusters
      .pods(region, service, atMs)
      .filter(
        (pod) =>
          pod.readySinceMs !== undefined &&
          Object.entries(group.selector).every(([key, value]) => pod.labels[key] === value),
      );
  }

  /** Since when a forward action has continuously listed the group, at any weight; undefined if not now. */
  private inUseSince(region: string, groupArn: string, atMs: number): number | undefined {
    const balancers = this.regions.get(region)!;
    let since: number | undefined;
    for (const holder of new Set([...balancers.listeners.values(), ...balancers.rules.values()])) {
      let run: number | undefined;
      holder.history.forEach((entry, index) => {
        if (entry.atMs > atMs) return;
        // What the rehearsal starts with has been so for long: its targets were checked long ago.
        if (entry.weights.has(groupArn)) run ??= index === 0 ? Number.NEGATIVE_INFINITY : entry.atMs;
        else run = undefined;
      });
      if (run !== undefined && (since === undefined || run < since)) since = run;
    }
    return since;
  }

  private addService(region: string, balancers: RegionBalancers, service: string, alb: AlbTrafficPlan): void {
    const arnBase = `arn:aws:elasticloadbalancing:${region}:${SIMULATED_ACCOUNT}`;
    const id = (...key: string[]) => hexId(this.context.seed, region, ...key);

    let balancer = balancers.loadBalancers.get(alb.loadBalancerName);
    if (!balancer) {
      const arn = `${arnBase}:loadbalancer/app/${alb.loadBalancerName}/${id('lb', alb.loadBalancerName)}`;
      balancer = {
        arn,
        name: alb.loadBalancerName,
        dnsName: dnsNameOf(this.context.seed, region, alb.loadBalancerName),
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
        history: [{ atMs: this.context.startMs, weights: new Map() }],
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
        selector: this.serviceSelector(region, service, track),
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
    holder.history = [{ atMs: this.context.startMs, weights: forwardWeights(actions), by: 'initial' }];
    holder.services.push(service);
    balancers.services.set(service, { holder, stableArn, canaryArn });
  }

  /** The target groups a load balancer's listeners and rules forward to. */
  private targetGroupsOf(balancers: RegionBalancers, loadBalancerArn: string): SimulatedTargetGroup[] {
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

  // ── for the AWS Load Balancer Controller (load-balancer-controller.ts) ──────

  /** Runs before every read and write: the controller applies the reconciles due by now. */
  beforeEveryAccess(catchUp: () => void): void {
    this.beforeAccess.push(catchUp);
  }

  private catchUp(): void {
    for (const catchUp of this.beforeAccess) catchUp();
  }

  /** Who set a service's weights, and when: the rule's history, earliest first. */
  weightHistory(
    service: string,
    region: string,
  ): Array<{ atMs: number; by?: ActionWriter; split: Record<Track, number> }> {
    this.catchUp();
    const entry = this.regions.get(region)?.services.get(service);
    if (!entry) return [];
    return entry.holder.history.map(({ atMs, by, weights }) => {
      const total = [...weights.values()].reduce((sum, weight) => sum + weight, 0);
      const share = (arn: string | undefined) =>
        total === 0 || arn === undefined ? 0 : (weights.get(arn) ?? 0) / total;
      return {
        atMs,
        ...(by !== undefined && { by }),
        split: { stable: share(entry.stableArn), canary: share(entry.canaryArn) },
      };
    });
  }

  /** Tags a resource, as the controller does everything it makes. */
  tag(region: string, arn: string, tags: Record<string, string>): void {
    const balancers = this.balancersOf(region);
    balancers.tags.set(arn, { ...balancers.tags.get(arn), ...tags });
  }

  /** A plan's load balancer by name, with the holders (default actions and rules) of its listeners. */
  loadBalancerNamed(region: string, name: string): { arn: string; holders: string[] } | undefined {
    const balancer = this.regions.get(region)?.loadBalancers.get(name);
    if (!balancer) return undefined;
    const holders = [...balancer.listeners.values()].flatMap((listener) => [
      listener.arn,
      ...listener.rules.map((rule) => rule.arn),
    ]);
    return { arn: balancer.arn, holders };
  }

  provisionLoadBalancer(region: string, name: string): { arn: string; dnsName: string } {
    const balancers = this.balancersOf(region);
    const arn = `${this.arnBase(region)}:loadbalancer/app/${name}/${hexId(this.context.seed, region, 'lb', name)}`;
    const dnsName = dnsNameOf(this.context.seed, region, name);
    balancers.loadBalancers.set(name, { arn, name, dnsName, listeners: new Map() });
    return { arn, dnsName };
  }

  /** A listener whose default action answers 404, as the controller's is without a default backend. */
  provisionListener(region: string, loadBalancerArn: string, port: number): string {
    const balancers = this.balancersOf(region);
    const balancer = [...balancers.loadBalancers.values()].find(
      (candidate) => candidate.arn === loadBalancerArn,
    )!;
    const lbPath = loadBalancerArn.split(':loadbalancer/')[1]!;
    const arn = `${this.arnBase(region)}:listener/${lbPath}/${hexId(this.context.seed, region, 'listener', balancer.name, String(port))}`;
    const actions: Action[] = [
      {
        Type: 'fixed-response',
        Order: 1,
        FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' },
      },
    ];
    const listener: SimulatedListener = {
      arn,
      loadBalancerArn,
      port,
      rules: [],
      actions,
      history: [{ atMs: this.context.startMs, weights: new Map(), by: 'initial' }],
      services: [],
    };
    balancer.listeners.set(port, listener);
    balancers.listeners.set(arn, listener);
    return arn;
  }

  /** A rule carrying `service`'s weights, with `actions` from the start. */
  provisionRule(
    region: string,
    listenerArn: string,
    rule: { service: string; priority: number; conditions: RuleCondition[]; actions: Action[] },
  ): string {
    const balancers = this.balancersOf(region);
    const listener = balancers.listeners.get(listenerArn)!;
    const arn = `${this.arnBase(region)}:listener-rule/${listenerArn.split(':listener/')[1]}/${hexId(this.context.seed, region, 'rule', rule.service)}`;
    const simulated: SimulatedRule = {
      arn,
      priority: rule.priority,
      conditions: structuredClone(rule.conditions),
      actions: structuredClone(rule.actions),
      history: [{ atMs: this.context.startMs, weights: forwardWeights(rule.actions), by: 'initial' }],
      services: [rule.service],
    };
    listener.rules.push(simulated);
    listener.rules.sort((a, b) => a.priority - b.priority);
    balancers.rules.set(arn, simulated);
    return arn;
  }

  provisionTargetGroup(region: string, group: { name: string; service: string; track: Track }): string {
    const balancers = this.balancersOf(region);
    const arn = `${this.arnBase(region)}:targetgroup/${group.name}/${hexId(this.context.seed, region, 'tg', group.name)}`;
    const simulated: SimulatedTargetGroup = {
      arn,
      ...group,
      selector: this.serviceSelector(region, group.service, group.track),
    };
    balancers.targetGroupsByName.set(group.name, simulated);
    balancers.targetGroupsByArn.set(arn, simulated);
    return arn;
  }

  /**
   * The selector of the Kubernetes Service behind a service's group: the documented setup selects
   * its track's label; with a shared selector (a fault) the stable Service selects on the app
   * label alone, canary pods included.
   */
  private serviceSelector(region: string, service: string, track: Track): Record<string, string> {
    const deployment = this.context.service(service)!.deployment;
    const shared = this.context.faults.faults.some(
      (fault) =>
        fault.type === 'sharedSelector' &&
        fault.service === service &&
        (fault.region === undefined || fault.region === region),
    );
    return track === 'stable' && shared ? { app: deployment } : { app: deployment, [TRACK_LABEL]: track };
  }

  /** Whose weights a holder carries: its stable and (once made) canary target groups. */
  carryWeights(
    region: string,
    service: string,
    holderArn: string,
    groups: { stableArn: string; canaryArn?: string },
  ): void {
    const balancers = this.balancersOf(region);
    const holder = balancers.rules.get(holderArn) ?? balancers.listeners.get(holderArn)!;
    balancers.services.set(service, { holder, ...groups });
  }

  /** A holder's actions now. */
  actionsOf(region: string, holderArn: string): Action[] {
    const balancers = this.balancersOf(region);
    const holder = balancers.rules.get(holderArn) ?? balancers.listeners.get(holderArn);
    return structuredClone(holder?.actions ?? []);
  }

  /** The controller's write of a holder's actions, effective at `atMs` (a reconcile, at most now). */
  writeActions(region: string, holderArn: string, actions: Action[], atMs: number): void {
    const balancers = this.balancersOf(region);
    const holder = balancers.rules.get(holderArn) ?? balancers.listeners.get(holderArn)!;
    this.replaceActions(region, balancers, holder, actions, 'controller', atMs);
  }

  private balancersOf(region: string): RegionBalancers {
    const balancers = this.regions.get(region);
    if (!balancers) throw new Error(`no simulated region ${region}`);
    return balancers;
  }

  /** The VPC of a region's cluster, where every target group is: `vpc-0` and 16 hex digits, as VPC ids go. */
  private vpcId(region: string): string {
    return `vpc-0${hexId(this.context.seed, region, 'vpc')}`;
  }

  private arnBase(region: string): string {
    return `arn:aws:elasticloadbalancing:${region}:${SIMULATED_ACCOUNT}`;
  }
}

/** DescribeTags: up to 20 ARNs, each of a resource that exists. */
function describeTags(
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

function targetGroupView(group: SimulatedTargetGroup, vpcId: string) {
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
function dnsNameOf(seed: number, region: string, name: string): string {
  return `internal-${name}-${deriveSeed(seed, 'elbv2-dns', region, name)}.${region}.elb.amazonaws.com`;
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
