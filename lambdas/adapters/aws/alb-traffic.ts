/**
 * Traffic through an Application Load Balancer: the stable and canary target groups share one
 * weighted forward action, on a listener's default action or on one of its rules.
 */
import {
  type Action,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Rule,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { canonicalJson } from '../../core/canonical-json';
import {
  aboutPlanField,
  ControllerOwnedLoadBalancerError,
  InvalidInputError,
  NotFoundError,
  TrafficEditedError,
} from '../../core/errors';
import type { AlbTrafficPlan } from '../../core/plan/schema';
import type {
  AlbTarget,
  ResolvedTraffic,
  TargetHealthSummary,
  Track,
  TrafficFor,
  Weights,
  WriteCondition,
} from '../../ports/index';
import {
  assertPercentWeights,
  forwardAction,
  forwardGroups,
  weightsOf,
  withWeights,
  writable,
} from './alb-forward-action';
import { ruleCriteriaText, ruleMatches } from './alb-rules';
import { targetGroupHealth } from './alb-target-group-health';
import type { ClientForRegion } from './clients';
import { awsErrorName, callAws } from './errors';
import { controllerOwnership } from './load-balancer-controller';
import { pages } from './paging';

export { assertPercentWeights, forwardAction, type WeightedGroups, weightsOf } from './alb-forward-action';
export { targetGroupHealth } from './alb-target-group-health';

/** What resolve, getWeights and targetHealth call: the TrafficReader's share. */
export const ALB_TRAFFIC_READ_IAM_ACTIONS = [
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
] as const;

/** What attachCanary and setWeights call besides: a rule's actions, or a listener's default actions. */
export const ALB_TRAFFIC_WRITE_IAM_ACTIONS = [
  'elasticloadbalancing:ModifyListener',
  'elasticloadbalancing:ModifyRule',
] as const;

export const ALB_TRAFFIC_IAM_ACTIONS = [
  ...ALB_TRAFFIC_READ_IAM_ACTIONS,
  ...ALB_TRAFFIC_WRITE_IAM_ACTIONS,
] as const;

/** DescribeRules pages only when asked to; 400 is its largest page. */
const RULES_PAGE_SIZE = 400;

/** Errors that mean a cached ARN no longer names anything: resolve again once. */
const STALE_ARN_ERRORS: ReadonlySet<string> = new Set([
  'ListenerNotFoundException',
  'RuleNotFoundException',
  'TargetGroupNotFoundException',
  'LoadBalancerNotFoundException',
]);

interface CachedResolution {
  /** The plan's ALB section the resolution was made from: a changed plan resolves afresh. */
  plan: string;
  resolved: ResolvedTraffic;
}

export class AlbTraffic implements TrafficFor<AlbTarget> {
  private readonly resolutions = new Map<string, CachedResolution>();

  constructor(private readonly elbv2For: ClientForRegion<ElasticLoadBalancingV2Client>) {}

  async resolve(target: AlbTarget): Promise<ResolvedTraffic> {
    const cached = this.cached(target);
    if (cached !== undefined) return cached;
    const resolved = await this.lookUp(target);
    this.resolutions.set(cacheKey(target), { plan: JSON.stringify(target.alb), resolved });
    return resolved;
  }

  async getWeights(target: AlbTarget): Promise<Weights> {
    return this.withResolution(target, async (resolved) => {
      const { actions } = await this.readHolder(target.region, resolved);
      return weightsOf(forwardAction(actions, locationOf(target)), resolved, locationOf(target));
    });
  }

  async attachCanary(target: AlbTarget): Promise<void> {
    await this.withResolution(target, async (resolved) => {
      const where = locationOf(target);
      const read = await this.readHolder(target.region, resolved);
      const groups = forwardGroups(forwardAction(read.actions, where));
      if (groups.some((group) => group.TargetGroupArn === resolved.canaryTargetGroupArn)) return;
      // Weight 0 takes no traffic, but the group is now in use, so the ALB health-checks it.
      const weights = weightsOf(forwardAction(read.actions, where), resolved, where);
      await this.write(target, resolved, read, weights);
    });
  }

  async setWeights(
    target: AlbTarget,
    weights: Weights,
    expected?: Weights,
    writeIf?: WriteCondition,
  ): Promise<Weights> {
    assertPercentWeights(weights);
    return this.withResolution(target, async (resolved) => {
      const where = locationOf(target);
      // ModifyRule and ModifyListener have no condition on what they replace
      // (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyRule.html):
      // read just before writing, and stop if the weights are not the ones the caller last applied.
      const read = await this.readHolder(target.region, resolved);
      const live = weightsOf(forwardAction(read.actions, where), resolved, where);
      if (expected !== undefined && (live.stable !== expected.stable || live.canary !== expected.canary)) {
        throw new TrafficEditedError(
          `${where} is at ${live.stable}/${live.canary} (stable/canary), not the ${expected.stable}/${expected.canary} Switchyard last set: someone else changed it; Switchyard will not undo that`,
        );
      }
      if (writeIf && !(await writeIf(live))) return live;
      return this.write(target, resolved, read, weights);
    });
  }

  /**
   * Writes the forward action with the given weights (adding a missing stable or canary group),
   * then reads it back. Other actions and the rule's conditions must read back exactly as they
   * were: if not, someone else is editing this rule at the same time, and writing again would
   * undo their change.
   */
  private async write(
    target: AlbTarget,
    resolved: ResolvedTraffic,
    read: HolderState,
    weights: Weights,
  ): Promise<Weights> {
    const where = locationOf(target);
    const client = this.elbv2For(target.region);
    const updated = withWeights(read.actions, resolved, weights, where);
    if (resolved.ruleArn !== undefined) {
      // Only Actions: conditions and transforms are left exactly as they are.
      await callAws(client.send(new ModifyRuleCommand({ RuleArn: resolved.ruleArn, Actions: updated })));
    } else {
      // Only DefaultActions: port, protocol, certificates and policies are left as they are.
      await callAws(
        client.send(
          new ModifyListenerCommand({ ListenerArn: resolved.listenerArn, DefaultActions: updated }),
        ),
      );
    }
    const readBack = await this.readHolder(target.region, resolved);
    // Compared with what was read, both as they would be sent: Describe never returns write-only
    // fields (an OIDC client secret), so an action read back need not equal the one sent.
    const [before, after] = [read.actions, readBack.actions].map((actions) =>
      canonicalJson(actions.filter((action) => action.Type !== 'forward').map(writable)),
    );
    if (before !== after || canonicalJson(read.conditions) !== canonicalJson(readBack.conditions)) {
      throw new TrafficEditedError(
        `${where} changed while Switchyard wrote its weights (its conditions or other actions differ from what was written): someone else is editing this rule`,
      );
    }
    return weightsOf(forwardAction(readBack.actions, where), resolved, where);
  }

  async targetHealth(target: AlbTarget): Promise<Record<Track, TargetHealthSummary>> {
    return this.withResolution(target, async (resolved) => {
      const [stable, canary] = await Promise.all([
        this.healthOf(target.region, resolved.stableTargetGroupArn, target.alb.stableTargetGroup),
        this.healthOf(target.region, resolved.canaryTargetGroupArn, target.alb.canaryTargetGroup),
      ]);
      return { stable, canary };
    });
  }

  /**
   * Runs `act` with the cached resolution; when an ARN in it has gone stale (the listener, rule
   * or a target group was recreated), resolves afresh and runs `act` once more.
   */
  private async withResolution<T>(
    target: AlbTarget,
    act: (resolved: ResolvedTraffic) => Promise<T>,
  ): Promise<T> {
    const wasCached = this.cached(target) !== undefined;
    const resolved = await this.resolve(target);
    try {
      return await act(resolved);
    } catch (error) {
      const name = awsErrorName(error);
      if (!wasCached || name === undefined || !STALE_ARN_ERRORS.has(name)) throw error;
      this.resolutions.delete(cacheKey(target));
      return act(await this.resolve(target));
    }
  }

  private cached(target: AlbTarget): ResolvedTraffic | undefined {
    const entry = this.resolutions.get(cacheKey(target));
    return entry?.plan === JSON.stringify(target.alb) ? entry.resolved : undefined;
  }

  private async lookUp(target: AlbTarget): Promise<ResolvedTraffic> {
    const { alb, region } = target;
    const client = this.elbv2For(region);

    const loadBalancerArn = await aboutPlanField(
      'loadBalancerName',
      this.findLoadBalancer(client, alb.loadBalancerName, region),
    );
    await aboutPlanField(
      'loadBalancerName',
      refuseControllerOwned(client, loadBalancerArn, alb.loadBalancerName, region),
    );
    const listener = await aboutPlanField('port', this.findListener(client, loadBalancerArn, alb, region));
    const ruleArn =
      alb.rule === undefined
        ? undefined
        : (await aboutPlanField('rule', this.findRule(client, listener, alb, region))).RuleArn;
    const [stableTargetGroupArn, canaryTargetGroupArn] = await this.findTargetGroups(client, alb, region);

    return {
      loadBalancerArn,
      listenerArn: listener.ListenerArn!,
      ...(ruleArn !== undefined && { ruleArn }),
      stableTargetGroupArn,
      canaryTargetGroupArn,
    };
  }

  private async findLoadBalancer(
    client: ElasticLoadBalancingV2Client,
    name: string,
    region: string,
  ): Promise<string> {
    try {
      const { LoadBalancers } = await callAws(
        client.send(new DescribeLoadBalancersCommand({ Names: [name] })),
      );
      const arn = LoadBalancers?.[0]?.LoadBalancerArn;
      if (arn !== undefined) return arn;
    } catch (error) {
      if (awsErrorName(error) !== 'LoadBalancerNotFoundException') throw error;
    }
    throw new NotFoundError(`load balancer "${name}" not found in ${region}`);
  }

  private async findListener(
    client: ElasticLoadBalancingV2Client,
    loadBalancerArn: string,
    alb: AlbTrafficPlan,
    region: string,
  ): Promise<Listener> {
    const ports: number[] = [];
    const listenerPages = pages(
      `DescribeListeners of load balancer "${alb.loadBalancerName}" in ${region}`,
      (marker: string | undefined) =>
        callAws(
          client.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker: marker })),
        ),
      (page) => page.NextMarker,
    );
    for await (const page of listenerPages) {
      for (const listener of page.Listeners ?? []) {
        if (listener.Port === alb.port) return listener;
        if (listener.Port !== undefined) ports.push(listener.Port);
      }
    }
    throw new NotFoundError(
      `load balancer "${alb.loadBalancerName}" in ${region} has no listener on port ${alb.port}` +
        ` (listeners: ${ports.length > 0 ? ports.sort((a, b) => a - b).join(', ') : 'none'})`,
    );
  }

  private async findRule(
    client: ElasticLoadBalancingV2Client,
    listener: Listener,
    alb: AlbTrafficPlan,
    region: string,
  ): Promise<Rule> {
    const wanted = alb.rule ?? {};
    const criteria = ruleCriteriaText(wanted);
    if (criteria === '') {
      throw new InvalidInputError(
        'traffic.rule must give hostHeader, pathPattern or priority (leave rule out for the default action)',
      );
    }
    const where = `listener port ${alb.port} of load balancer "${alb.loadBalancerName}" in ${region}`;
    const matches: Rule[] = [];
    const rulePages = pages(
      `DescribeRules of ${where}`,
      (marker: string | undefined) =>
        callAws(
          client.send(
            new DescribeRulesCommand({
              ListenerArn: listener.ListenerArn,
              Marker: marker,
              PageSize: RULES_PAGE_SIZE,
            }),
          ),
        ),
      (page) => page.NextMarker,
    );
    for await (const page of rulePages) {
      matches.push(...(page.Rules ?? []).filter((rule) => ruleMatches(rule, wanted)));
    }

    const [only, ...more] = matches;
    if (only === undefined) throw new NotFoundError(`no rule with ${criteria} on ${where}`);
    if (more.length > 0) {
      throw new InvalidInputError(
        `${matches.length} rules with ${criteria} on ${where} (priorities ${matches.map((r) => r.Priority).join(', ')}): give rule.priority to pick one`,
      );
    }
    return only;
  }

  private async findTargetGroups(
    client: ElasticLoadBalancingV2Client,
    alb: AlbTrafficPlan,
    region: string,
  ): Promise<[stable: string, canary: string]> {
    const names = [alb.stableTargetGroup, alb.canaryTargetGroup];
    if (alb.stableTargetGroup === alb.canaryTargetGroup) {
      throw new InvalidInputError(
        `stable and canary must be different target groups (both are "${alb.stableTargetGroup}")`,
      );
    }
    const arnByName = new Map<string, string>();
    try {
      const { TargetGroups } = await callAws(client.send(new DescribeTargetGroupsCommand({ Names: names })));
      for (const group of TargetGroups ?? []) {
        if (group.TargetGroupName && group.TargetGroupArn) {
          arnByName.set(group.TargetGroupName, group.TargetGroupArn);
          // Stable and canary pods are told apart in a group by pod IP; with instance targets
          // (NodePort) kube-proxy spreads a group's traffic over every pod its Service selects.
          if (group.TargetType !== undefined && group.TargetType !== 'ip') {
            throw new InvalidInputError(
              `target group "${group.TargetGroupName}" in ${region} has target type ${group.TargetType}; Switchyard needs target type ip (TargetGroupBinding targetType: ip, or alb.ingress.kubernetes.io/target-type: ip) to keep stable and canary pods apart`,
            );
          }
        }
      }
    } catch (error) {
      if (awsErrorName(error) !== 'TargetGroupNotFoundException') throw error;
      // The API says only "one or more" is missing: ask per name to say which.
      const found = await Promise.all(names.map((name) => this.targetGroupExists(client, name)));
      throw targetGroupsNotFound(
        names.filter((_, index) => !found[index]),
        alb,
        region,
      );
    }
    const stable = arnByName.get(alb.stableTargetGroup);
    const canary = arnByName.get(alb.canaryTargetGroup);
    if (stable === undefined || canary === undefined) {
      throw targetGroupsNotFound(
        names.filter((name) => !arnByName.has(name)),
        alb,
        region,
      );
    }
    return [stable, canary];
  }

  private async targetGroupExists(client: ElasticLoadBalancingV2Client, name: string): Promise<boolean> {
    try {
      await callAws(client.send(new DescribeTargetGroupsCommand({ Names: [name] })));
      return true;
    } catch (error) {
      if (awsErrorName(error) === 'TargetGroupNotFoundException') return false;
      throw error;
    }
  }

  /** The actions currently on the rule (and its conditions), or the listener's default actions. */
  private async readHolder(region: string, resolved: ResolvedTraffic): Promise<HolderState> {
    const client = this.elbv2For(region);
    if (resolved.ruleArn !== undefined) {
      const { Rules } = await callAws(
        client.send(new DescribeRulesCommand({ RuleArns: [resolved.ruleArn] })),
      );
      const rule = Rules?.[0];
      if (rule === undefined) throw new NotFoundError(`rule ${resolved.ruleArn} not found`);
      return { actions: rule.Actions ?? [], conditions: rule.Conditions ?? [] };
    }
    const { Listeners } = await callAws(
      client.send(new DescribeListenersCommand({ ListenerArns: [resolved.listenerArn] })),
    );
    const listener = Listeners?.[0];
    if (listener === undefined) throw new NotFoundError(`listener ${resolved.listenerArn} not found`);
    return { actions: listener.DefaultActions ?? [], conditions: [] };
  }

  private async healthOf(region: string, targetGroupArn: string, name: string): Promise<TargetHealthSummary> {
    return targetGroupHealth(this.elbv2For(region), targetGroupArn, name);
  }
}

interface HolderState {
  actions: Action[];
  conditions: RuleCondition[];
}

/**
 * Refuses a load balancer the AWS Load Balancer Controller made: it rewrites the rules from the
 * Ingress at every reconcile, so a ModifyRule here would be reverted. Its tags say who owns it:
 * https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#resource-tags
 */
async function refuseControllerOwned(
  client: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
  name: string,
  region: string,
): Promise<void> {
  const { TagDescriptions } = await callAws(
    client.send(new DescribeTagsCommand({ ResourceArns: [loadBalancerArn] })),
  );
  const tags = Object.fromEntries(
    (TagDescriptions?.[0]?.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']),
  );
  const owner = controllerOwnership(tags);
  if (owner === undefined) return;
  const madeFor = [
    owner.stack !== undefined && `stack ${owner.stack}`,
    owner.cluster !== undefined && `cluster ${owner.cluster}`,
  ]
    .filter(Boolean)
    .join(', ');
  throw new ControllerOwnedLoadBalancerError(
    `load balancer "${name}" in ${region} belongs to the AWS Load Balancer Controller` +
      `${madeFor ? ` (${madeFor})` : ''}: it rewrites the rules from the Ingress at each reconcile, so ` +
      'weights written to them would be reverted; use traffic.type albIngress (the Ingress, its action, ' +
      'the stable and canary Services) to have Switchyard write them into the Ingress',
  );
}

function targetGroupsNotFound(
  missing: readonly string[],
  alb: AlbTrafficPlan,
  region: string,
): NotFoundError {
  const names = missing.map((name) => `"${name}"`).join(' and ');
  const error = new NotFoundError(
    `target group${missing.length > 1 ? 's' : ''} ${names} not found in ${region}`,
  );
  error.planField = missing.includes(alb.stableTargetGroup) ? 'stableTargetGroup' : 'canaryTargetGroup';
  return error;
}

function cacheKey(target: AlbTarget): string {
  return `${target.region}/${target.service}`;
}

// ── where the weights live ─────────────────────────────────────────────────────

/** Where the weights live, in words, for error messages. */
function locationOf(target: AlbTarget): string {
  const { alb, region } = target;
  const rule = alb.rule === undefined ? 'the default action' : `the rule with ${ruleCriteriaText(alb.rule)}`;
  return `${rule} of listener port ${alb.port} on load balancer "${alb.loadBalancerName}" in ${region}`;
}
