/**
 * Simulated Elastic Load Balancing (v2), answering the SDK commands the ALB adapter sends, so the
 * rehearsal runs the real adapter (lambdas/adapters/aws/alb-traffic.ts) against it. Built from
 * the plan: per region, each ALB service's load balancer, listener, rule (or the listener's
 * default action) and stable and canary target groups, stable at weight 100.
 *
 * It enforces what the real API enforces on a forward action (1 to 5 target groups, whole weights
 * 0–999, target groups that exist), keeps every weight change so metrics can split past traffic,
 * and reports target health as an ALB does (see `targetHealth`) for the pods each group's
 * Kubernetes Service selects. The resources and their views are in elbv2-resources.ts, the
 * Describe* commands in elbv2-describe.ts, target health in elbv2-target-health.ts.
 */
import {
  type Action,
  type ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Track } from '../../../lambdas/ports';
import { operationName, tracedCall } from '../../call-trace';
import type { TrafficEditedFault } from '../../faults/schema';
import type { SimulatedClusters, SimulatedPod } from '../cluster';
import type { FleetContext } from '../context';
import { SimulatedAwsError } from '../errors';
import { answerDescribe } from './elbv2-describe';
import {
  type ActionHolder,
  type ActionWriter,
  addPlannedService,
  dnsNameOf,
  forwardWeights,
  hexId,
  listenerView,
  type RegionBalancers,
  ruleView,
  SIMULATED_ACCOUNT,
  type SimulatedListener,
  type SimulatedRule,
  type SimulatedTargetGroup,
  serviceSelector,
  validateActions,
} from './elbv2-resources';
import { registeredPods } from './elbv2-target-health';

export { type ActionWriter, SIMULATED_ACCOUNT } from './elbv2-resources';

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
        if (service?.traffic.type === 'alb')
          addPlannedService(context, region.name, balancers, name, service.traffic);
      }
    }
  }

  /** An ELBv2 client for a region, answering from this simulation. */
  client(region: string): ElasticLoadBalancingV2Client {
    return {
      send: (command: unknown) =>
        tracedCall(`elasticloadbalancing:${operationName(command)}`, () => this.send(region, command)),
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
    const described = answerDescribe(this.context, this.clusters, region, balancers, command);
    if (described !== undefined) return described;
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

  /** The ready pods of the group's service whose labels its Service's selector matches. */
  registeredPods(region: string, group: SimulatedTargetGroup, atMs: number): SimulatedPod[] {
    return registeredPods(this.context, this.clusters, region, group, atMs);
  }

  // ── plumbing ──────────────────────────────────────────────────────────────

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
      selector: serviceSelector(this.context, region, group.service, group.track),
    };
    balancers.targetGroupsByName.set(group.name, simulated);
    balancers.targetGroupsByArn.set(arn, simulated);
    return arn;
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

  private arnBase(region: string): string {
    return `arn:aws:elasticloadbalancing:${region}:${SIMULATED_ACCOUNT}`;
  }
}
