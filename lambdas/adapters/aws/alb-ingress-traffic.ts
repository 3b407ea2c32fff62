/**
 * Traffic through an ALB the AWS Load Balancer Controller made from an Ingress. The controller
 * rebuilds the ALB's rules from the Ingress at each reconcile, so Switchyard never writes the
 * rule: it writes the weights into the Ingress's action annotation
 * (`alb.ingress.kubernetes.io/actions.<name>`, a forward to the stable and canary Services,
 * https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#actions)
 * and reads the rule back through ELBv2 until the controller has carried them over.
 *
 * The load balancer, its target groups and the rule are found the way the controller marks
 * them (as Argo Rollouts' ALB traffic router does): the load balancer by the Ingress's
 * status.loadBalancer hostname, checked by its `ingress.k8s.aws/stack` tag; the target group of
 * each Service port by its `ingress.k8s.aws/resource` tag (`ns/ingress-service:port`); the rule
 * as the one whose forward action sends to those target groups.
 *
 * Kubernetes is reached through `IngressApi` (ingress-api.ts), so the same logic runs against a real API server
 * (adapters/kubernetes/ingress-api.ts) and the rehearsal's simulated one.
 */
import {
  type Action,
  DescribeRulesCommand,
  type ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  InvalidInputError,
  NotFoundError,
  TrafficEditedError,
  TrafficNotAppliedError,
  TrafficNotReadyError,
} from '../../core/errors';
import type {
  AlbIngressTarget,
  ResolvedTraffic,
  TargetHealthSummary,
  Track,
  TrafficFor,
  Weights,
  WriteCondition,
} from '../../ports/index';
import { assertPercentWeights, forwardAction, weightsOf } from './alb-forward-action';
import {
  describe,
  findLoadBalancer,
  listenersOf,
  loadBalancerTags,
  targetGroupsOf,
} from './alb-ingress-lookups';
import { targetGroupHealth } from './alb-target-group-health';
import type { ClientForRegion } from './clients';
import { awsErrorName, callAws } from './errors';
import type { IngressApi, IngressRef, IngressView } from './ingress-api';
import {
  type ActionTargetGroup,
  actionAnnotation,
  controllerOwnership,
  type ForwardActionConfig,
  INGRESS_RESOURCE_TAG,
  INGRESS_STACK_TAG,
  ingressStack,
  parseForwardAction,
  samePort,
  targetGroupResourceId,
  USE_ANNOTATION_PORT,
} from './load-balancer-controller';
import { pages } from './paging';

export type { IngressApi, IngressBackend, IngressRef, IngressView } from './ingress-api';

/**
 * ELBv2 reads only (DescribeTags tells the controller's target groups apart); the Ingress API
 * declares its own (EKS discovery), and Kubernetes RBAC must allow get and patch on ingresses.
 */
export const ALB_INGRESS_TRAFFIC_IAM_ACTIONS = [
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
] as const;

// ── the adapter ──────────────────────────────────────────────────────────────

/** What the controller made for the Ingress: found once, kept while its ARNs hold. */
interface Located {
  /** The plan and Ingress the location was found from: either changing finds it afresh. */
  key: string;
  loadBalancerArn: string;
  loadBalancerName: string;
  /** The IngressGroup its resources are tagged for. */
  stack: string;
  listenerArns: string[];
  stableTargetGroupArn: string;
  /** Absent until the action names the canary Service and the controller has made its group. */
  canaryTargetGroupArn?: string;
}

/** A rule made from the action, with the weights its forward action carries. */
interface ActionRule {
  ruleArn: string;
  listenerArn: string;
  priority: string;
  weights: Weights;
}

/** The Ingress as the adapter needs it: the action's forward config and its stable/canary split. */
interface IngressState {
  view: IngressView;
  action: ForwardActionConfig;
  weights: Weights;
  hasCanary: boolean;
}

const STALE_ARN_ERRORS: ReadonlySet<string> = new Set([
  'ListenerNotFoundException',
  'RuleNotFoundException',
  'TargetGroupNotFoundException',
  'LoadBalancerNotFoundException',
]);

export interface AlbIngressTrafficOptions {
  elbv2For: ClientForRegion<ElasticLoadBalancingV2Client>;
  ingresses: IngressApi;
}

export class AlbIngressTraffic implements TrafficFor<AlbIngressTarget> {
  private readonly located = new Map<string, Located>();
  private readonly elbv2For: ClientForRegion<ElasticLoadBalancingV2Client>;
  private readonly ingresses: IngressApi;

  constructor(options: AlbIngressTrafficOptions) {
    this.elbv2For = options.elbv2For;
    this.ingresses = options.ingresses;
  }

  async resolve(target: AlbIngressTarget): Promise<ResolvedTraffic> {
    return this.withLocation(target, async (located) => {
      const [rule] = await this.actionRules(target, located);
      if (located.canaryTargetGroupArn === undefined) {
        throw new TrafficNotReadyError(
          `${describe(target)}: the AWS Load Balancer Controller has no target group for Service ` +
            `${target.albIngress.canaryService}:${target.albIngress.servicePort} yet (the action does not send to it)`,
        );
      }
      return {
        loadBalancerArn: located.loadBalancerArn,
        listenerArn: rule!.listenerArn,
        ruleArn: rule!.ruleArn,
        stableTargetGroupArn: located.stableTargetGroupArn,
        canaryTargetGroupArn: located.canaryTargetGroupArn,
      };
    });
  }

  /** What the rule carries: the traffic that flows, whatever the Ingress asks for. */
  async getWeights(target: AlbIngressTarget): Promise<Weights> {
    return this.withLocation(
      target,
      async (located) => (await this.actionRules(target, located))[0]!.weights,
    );
  }

  async attachCanary(target: AlbIngressTarget): Promise<void> {
    const state = await this.readIngress(target);
    if (state.hasCanary) return;
    // The controller makes the canary Service's target group once the action names it, and
    // puts it in the rule at weight 0: the ALB then health-checks its targets.
    await this.writeAction(target, state, state.weights);
  }

  /**
   * Writes the weights into the Ingress (unless it already asks for them), then reads the rule:
   * until the controller has reconciled, TrafficNotAppliedError, which the state machine retries.
   * `expected` is compared with the Ingress, the state the controller enforces: a rule edited
   * directly is put back from the Ingress at the controller's next reconcile.
   */
  async setWeights(
    target: AlbIngressTarget,
    weights: Weights,
    expected?: Weights,
    writeIf?: WriteCondition,
  ): Promise<Weights> {
    assertPercentWeights(weights);
    const state = await this.readIngress(target);
    if (writeIf && !(await writeIf(state.weights))) return state.weights;
    if (!sameWeights(state.weights, weights)) {
      if (expected !== undefined && !sameWeights(state.weights, expected)) {
        throw new TrafficEditedError(
          `${describe(target)} asks for ${split(state.weights)}, not the ${split(expected)} Switchyard wrote: ` +
            'someone else changed the weights; nothing was written',
        );
      }
      await this.writeAction(target, state, weights);
    }
    return this.withLocation(target, async (located) => {
      const rules = await this.actionRules(target, located);
      const behind = rules.filter((rule) => !sameWeights(rule.weights, weights));
      const rule = behind[0];
      if (rule !== undefined) {
        throw new TrafficNotAppliedError(
          `${describe(target)} asks for ${split(weights)}, but rule ${rule.priority} of load balancer ` +
            `"${located.loadBalancerName}" still forwards ${split(rule.weights)}: the AWS Load Balancer ` +
            'Controller has not reconciled the Ingress yet (a rule edited by hand is put back at its next reconcile)',
        );
      }
      return rules[0]!.weights;
    });
  }

  async targetHealth(target: AlbIngressTarget): Promise<Record<Track, TargetHealthSummary>> {
    return this.withLocation(target, async (located) => {
      const client = this.elbv2For(target.region);
      const [stable, canary] = await Promise.all([
        targetGroupHealth(
          client,
          located.stableTargetGroupArn,
          `the target group of Service ${target.albIngress.stableService}`,
        ),
        // No target group yet: the canary has no registered targets.
        targetGroupHealth(
          client,
          located.canaryTargetGroupArn,
          `the target group of Service ${target.albIngress.canaryService}`,
        ),
      ]);
      return { stable, canary };
    });
  }

  // ── the Ingress ──────────────────────────────────────────────────────────

  private async readIngress(target: AlbIngressTarget): Promise<IngressState> {
    const plan = target.albIngress;
    const view = await this.ingresses.read(refOf(target));
    if (view === undefined) throw new NotFoundError(`${describe(target)} not found`);
    const action = actionNameOf(target);
    const routed = view.backends.some(
      (backend) => backend.service === action && backend.port === USE_ANNOTATION_PORT,
    );
    if (!routed) {
      throw new InvalidInputError(
        `${describe(target)} sends no path to action "${action}": a path's backend must be service ` +
          `"${action}" with port name "${USE_ANNOTATION_PORT}" for the controller to read ${actionAnnotation(action)}`,
      );
    }
    const annotation = view.annotations[actionAnnotation(action)];
    if (annotation === undefined) {
      throw new InvalidInputError(
        `${describe(target)} has no ${actionAnnotation(action)} annotation: give it a forward to Service ` +
          `"${plan.stableService}" port ${plan.servicePort}, as it serves today`,
      );
    }
    const parsed = parseForwardAction(annotation);
    if (typeof parsed === 'string') {
      throw new InvalidInputError(`${describe(target)}: ${actionAnnotation(action)} ${parsed}`);
    }
    const groups = parsed.forwardConfig.targetGroups;
    const stable = groups.filter((group) => isService(group, plan.stableService, plan.servicePort));
    const canary = groups.filter((group) => isService(group, plan.canaryService, plan.servicePort));
    const others = groups.filter((group) => !stable.includes(group) && !canary.includes(group));
    const weighted = others.filter((group) => (group.weight ?? 1) > 0);
    if (stable.length !== 1 || canary.length > 1 || weighted.length > 0) {
      const sends = groups.map(describeGroup).join(', ') || 'nothing';
      throw new InvalidInputError(
        `${describe(target)}: ${actionAnnotation(action)} forwards to ${sends}; it must send to Service ` +
          `"${plan.stableService}" port ${plan.servicePort} once, and only the stable and canary Services may carry weight`,
      );
    }
    // A single target group needs no weight: it takes everything.
    const stableWeight = groups.length === 1 ? 1 : (stable[0]!.weight ?? 0);
    const canaryWeight = canary[0]?.weight ?? 0;
    if (stableWeight + canaryWeight === 0) {
      throw new InvalidInputError(
        `${describe(target)}: ${actionAnnotation(action)} gives both Services weight 0`,
      );
    }
    const stablePercent = Math.round((stableWeight * 100) / (stableWeight + canaryWeight));
    return {
      view,
      action: parsed,
      weights: { stable: stablePercent, canary: 100 - stablePercent },
      hasCanary: canary.length === 1,
    };
  }

  /** Writes the action with the stable and canary Services at `weights`; the rest is kept. */
  private async writeAction(target: AlbIngressTarget, state: IngressState, weights: Weights): Promise<void> {
    const plan = target.albIngress;
    const groups = state.action.forwardConfig.targetGroups.map((group): ActionTargetGroup => {
      if (isService(group, plan.stableService, plan.servicePort)) return { ...group, weight: weights.stable };
      if (isService(group, plan.canaryService, plan.servicePort)) return { ...group, weight: weights.canary };
      return group;
    });
    if (!state.hasCanary) {
      groups.push({ serviceName: plan.canaryService, servicePort: plan.servicePort, weight: weights.canary });
    }
    const action: ForwardActionConfig = {
      type: 'forward',
      forwardConfig: { ...state.action.forwardConfig, targetGroups: groups },
    };
    // The resourceVersion makes a concurrent edit a 409 (retried) instead of a lost update.
    await this.ingresses.patchAnnotations(
      refOf(target),
      { [actionAnnotation(actionNameOf(target))]: JSON.stringify(action) },
      state.view.resourceVersion,
    );
  }

  // ── the load balancer ────────────────────────────────────────────────────

  /**
   * Runs `act` with the cached location; when an ARN in it has gone stale (the controller made
   * the load balancer, a listener or a target group anew), finds it afresh and runs `act` once more.
   */
  private async withLocation<T>(target: AlbIngressTarget, act: (located: Located) => Promise<T>): Promise<T> {
    const cached = this.located.get(cacheKey(target));
    const located = cached?.key === planKey(target) ? await this.refresh(target, cached) : undefined;
    if (located === undefined) return act(await this.locate(target));
    try {
      return await act(located);
    } catch (error) {
      const name = awsErrorName(error);
      if (name === undefined || !STALE_ARN_ERRORS.has(name)) throw error;
      this.located.delete(cacheKey(target));
      return act(await this.locate(target));
    }
  }

  /** A cached location, with the canary's target group looked for again until it exists. */
  private async refresh(target: AlbIngressTarget, cached: Located): Promise<Located> {
    if (cached.canaryTargetGroupArn !== undefined) return cached;
    const client = this.elbv2For(target.region);
    const groups = await targetGroupsOf(client, cached.loadBalancerArn, cached.stack);
    const canary = groups.get(resourceIdOf(target, target.albIngress.canaryService));
    if (canary === undefined) return cached;
    const refreshed = { ...cached, canaryTargetGroupArn: canary };
    this.located.set(cacheKey(target), refreshed);
    return refreshed;
  }

  private async locate(target: AlbIngressTarget): Promise<Located> {
    const plan = target.albIngress;
    const { view } = await this.readIngress(target);
    const client = this.elbv2For(target.region);
    const hostnames = view.hostnames.map((hostname) => hostname.toLowerCase());
    if (hostnames.length === 0) {
      throw new NotFoundError(
        `${describe(target)} has no load balancer: its status.loadBalancer names no hostname (has the AWS Load Balancer Controller reconciled it?)`,
      );
    }
    const balancer = await findLoadBalancer(client, hostnames, target);
    const tags = await loadBalancerTags(client, balancer.arn);
    const stack = ingressStack(target.namespace, plan.ingress, view.annotations);
    const owner = controllerOwnership(tags);
    if (owner?.stack !== stack) {
      throw new InvalidInputError(
        `load balancer "${balancer.name}" (${hostnames.join(', ')}) of ${describe(target)} is ` +
          (owner === undefined
            ? 'not tagged by the AWS Load Balancer Controller: use traffic.type alb for a load balancer Switchyard may change itself'
            : `tagged ${INGRESS_STACK_TAG}=${owner.stack ?? '(none)'}, not ${stack}`),
      );
    }
    const groups = await targetGroupsOf(client, balancer.arn, stack);
    const stableTargetGroupArn = groups.get(resourceIdOf(target, plan.stableService));
    if (stableTargetGroupArn === undefined) {
      throw new NotFoundError(
        `load balancer "${balancer.name}" of ${describe(target)} has no target group tagged ` +
          `${INGRESS_RESOURCE_TAG}=${resourceIdOf(target, plan.stableService)}: does the action send to Service ` +
          `"${plan.stableService}" port ${plan.servicePort}?`,
      );
    }
    const canaryTargetGroupArn = groups.get(resourceIdOf(target, plan.canaryService));
    const located: Located = {
      key: planKey(target),
      loadBalancerArn: balancer.arn,
      loadBalancerName: balancer.name,
      stack,
      listenerArns: await listenersOf(client, balancer.arn),
      stableTargetGroupArn,
      ...(canaryTargetGroupArn !== undefined && { canaryTargetGroupArn }),
    };
    this.located.set(cacheKey(target), located);
    return located;
  }

  /**
   * The rules the controller made from the action: those whose forward action sends to the
   * canary's target group once it has one (only the action names the canary Service), else to
   * the stable's. In listener order, then by priority.
   */
  private async actionRules(target: AlbIngressTarget, located: Located): Promise<ActionRule[]> {
    const client = this.elbv2For(target.region);
    const sendsTo = (rule: Rule, arn: string | undefined) =>
      arn !== undefined &&
      (rule.Actions ?? []).some(
        (action) =>
          action.Type === 'forward' &&
          (action.TargetGroupArn === arn ||
            (action.ForwardConfig?.TargetGroups ?? []).some((group) => group.TargetGroupArn === arn)),
      );
    const all: Array<{ rule: Rule; listenerArn: string }> = [];
    for (const listenerArn of located.listenerArns) {
      const listing = pages(
        `DescribeRules of ${listenerArn}`,
        (marker: string | undefined) =>
          callAws(client.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker }))),
        (page) => page.NextMarker || undefined,
      );
      for await (const page of listing) for (const rule of page.Rules ?? []) all.push({ rule, listenerArn });
    }
    const toCanary = all.filter(({ rule }) => sendsTo(rule, located.canaryTargetGroupArn));
    const ours =
      toCanary.length > 0 ? toCanary : all.filter(({ rule }) => sendsTo(rule, located.stableTargetGroupArn));
    if (ours.length === 0) {
      throw new NotFoundError(
        `no rule of load balancer "${located.loadBalancerName}" forwards to the target group of Service ` +
          `"${target.albIngress.stableService}" (${describe(target)})`,
      );
    }
    return ours.map(({ rule, listenerArn }) => {
      const where = `rule ${rule.Priority} of load balancer "${located.loadBalancerName}" (${describe(target)})`;
      return {
        ruleArn: rule.RuleArn ?? '',
        listenerArn,
        priority: rule.Priority ?? '?',
        weights: weightsOf(forwardAction(rule.Actions ?? ([] as Action[]), where), located, where),
      };
    });
  }
}

// ── helpers ──────────────────────────────────────────────────────────────────

function refOf(target: AlbIngressTarget): IngressRef {
  return {
    region: target.region,
    cluster: target.cluster,
    namespace: target.namespace,
    name: target.albIngress.ingress,
  };
}

function actionNameOf(target: AlbIngressTarget): string {
  return target.albIngress.actionName ?? target.albIngress.stableService;
}

function resourceIdOf(target: AlbIngressTarget, service: string): string {
  return targetGroupResourceId(
    target.namespace,
    target.albIngress.ingress,
    service,
    target.albIngress.servicePort,
  );
}

function cacheKey(target: AlbIngressTarget): string {
  return `${target.region}/${target.service}`;
}

function planKey(target: AlbIngressTarget): string {
  return JSON.stringify([target.cluster, target.namespace, target.albIngress]);
}

function isService(group: ActionTargetGroup, service: string, port: number | string): boolean {
  return group.serviceName === service && samePort(group.servicePort, port);
}

function describeGroup(group: ActionTargetGroup): string {
  const what =
    group.serviceName !== undefined
      ? `Service ${group.serviceName}:${group.servicePort ?? '?'}`
      : `target group ${group.targetGroupARN ?? group.targetGroupName ?? '?'}`;
  return group.weight === undefined ? what : `${what} (weight ${group.weight})`;
}

function sameWeights(a: Weights, b: Weights): boolean {
  return a.stable === b.stable && a.canary === b.canary;
}

function split(weights: Weights): string {
  return `stable ${weights.stable} % / canary ${weights.canary} %`;
}

/** The next page's marker; a marker that does not move would page for ever (moto has done so). */
