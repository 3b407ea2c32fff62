/**
 * The simulated AWS Load Balancer Controller. For every Ingress of the plan's albIngress services
 * it makes what the real controller makes (pkg/ingress in kubernetes-sigs/aws-load-balancer-controller):
 * an internal ALB named `k8s-<namespace>-<ingress>-<hash>`, an HTTP listener on 80 answering 404 by
 * default, one rule per path (here one per action), and a target group per Service port the
 * actions forward to, all tagged `elbv2.k8s.aws/cluster`, `ingress.k8s.aws/stack` and
 * `ingress.k8s.aws/resource`; the Ingress's status then names the ALB's DNS name.
 *
 * Then it reconciles, as the real one does, the rules from the Ingress:
 * - a short while (RECONCILE_DELAY_MS) after each change to the Ingress, reading the Ingress as
 *   it is then (changes in between are folded into one reconcile);
 * - every SYNC_PERIOD_MS (`--sync-period`, 10 h by default) even without a change,
 *   https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/configurations/#sync-period
 * Each reconcile writes the forward action the action annotation describes, making target groups
 * for Services named for the first time, and so puts back any rule edited directly through the
 * ELBv2 API (https://www.repost.aws/knowledge-center/eks-load-balancer-changes-automatically-reverted).
 * An annotation the controller cannot use (bad JSON, an unknown Service) changes nothing.
 *
 * The `controllerManaged` fault hands a plan's plain load balancer to the controller: it gets the
 * controller's tags, and its rules are put back as they were at each periodic reconcile.
 *
 * Nothing here sleeps or sets timers: before any ELBv2 read or write the fleet asks the controller
 * to catch up, and it applies, in time order, the reconciles due by `clock.now()`, each at its
 * own time, so the weight history stays exact for metrics of past periods.
 */
import { createHash } from 'node:crypto';
import type { Action, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  actionAnnotation,
  CLUSTER_TAG,
  INGRESS_RESOURCE_TAG,
  INGRESS_STACK_TAG,
  ingressStack,
  parseForwardAction,
  samePort,
  targetGroupResourceId,
} from '../../../lambdas/adapters/aws/load-balancer-controller';
import type { Track } from '../../../lambdas/ports';
import type { ControllerManagedFault } from '../../faults/schema';
import type { FleetContext } from '../context';
import type { SimulatedIngress, SimulatedIngresses } from '../ingresses';
import type { SimulatedLoadBalancing } from './elbv2';

/** How long after an Ingress change the controller's rule change lands. */
export const RECONCILE_DELAY_MS = 5_000;
/** The controller's default `--sync-period`: a reconcile of everything, changed or not. */
export const SYNC_PERIOD_MS = 10 * 60 * 60 * 1000;
/** The port of the listener the controller makes without a `listen-ports` annotation. */
export const INGRESS_LISTENER_PORT = 80;

/** One IngressGroup's resources, reconciled together. */
interface Stack {
  region: string;
  /** Reconciles strictly after this time are still to be applied. */
  reconciledUntilMs: number;
  /** Times of the reconciles in (fromMs, toMs] that changes trigger (periodic ones aside). */
  triggeredBetween(fromMs: number, toMs: number): number[];
  reconcile(atMs: number): void;
}

export class SimulatedLoadBalancerController {
  private readonly stacks: Stack[] = [];
  private catchingUp = false;

  constructor(
    private readonly context: FleetContext,
    private readonly balancers: SimulatedLoadBalancing,
    private readonly ingresses: SimulatedIngresses,
  ) {
    for (const region of context.plan.regions) {
      for (const ingress of ingresses.inRegion(region.name)) this.stacks.push(this.provision(ingress));
    }
    for (const fault of context.faults.faults) {
      if (fault.type !== 'controllerManaged') continue;
      for (const region of context.plan.regions) {
        if (fault.region === undefined || fault.region === region.name) {
          const adopted = this.adopt(region.name, region.cluster, fault);
          if (adopted) this.stacks.push(adopted);
        }
      }
    }
    balancers.beforeEveryAccess(() => this.catchUp());
  }

  /** Applies every reconcile due by now, each at its own time, earliest first. */
  catchUp(): void {
    // A reconcile's write notifies listeners that read the load balancers again.
    if (this.catchingUp) return;
    this.catchingUp = true;
    try {
      const now = this.context.nowMs();
      for (const stack of this.stacks) {
        const due = new Set([
          ...stack.triggeredBetween(stack.reconciledUntilMs, now),
          ...periodicBetween(this.context.startMs, stack.reconciledUntilMs, now),
        ]);
        for (const atMs of [...due].sort((a, b) => a - b)) stack.reconcile(atMs);
        stack.reconciledUntilMs = now;
      }
    } finally {
      this.catchingUp = false;
    }
  }

  // ── Ingresses ────────────────────────────────────────────────────────────

  /** Makes the load balancer of an Ingress, its listener, a rule per action and their target groups. */
  private provision(ingress: SimulatedIngress): Stack {
    const { region, cluster, namespace, name } = ingress;
    const annotations = this.ingresses.annotationsAt(ingress, this.context.startMs);
    const stack = ingressStack(namespace, name, annotations);
    const stackTags = { [CLUSTER_TAG]: cluster, [INGRESS_STACK_TAG]: stack };
    const balancers = this.balancers;

    const balancerName = `k8s-${alnum(namespace).slice(0, 8)}-${alnum(name).slice(0, 8)}-${hash(cluster, stack, 'internal')}`;
    const balancer = balancers.provisionLoadBalancer(region, balancerName);
    balancers.tag(region, balancer.arn, { ...stackTags, [INGRESS_RESOURCE_TAG]: 'LoadBalancer' });
    const listenerArn = balancers.provisionListener(region, balancer.arn, INGRESS_LISTENER_PORT);
    balancers.tag(region, listenerArn, {
      ...stackTags,
      [INGRESS_RESOURCE_TAG]: String(INGRESS_LISTENER_PORT),
    });

    /** Target groups by `ingress.k8s.aws/resource`, made when an action first names their Service port. */
    const groups = new Map<string, string>();
    const groupOf = (service: string, port: number | string): string | undefined => {
      const owner = ingress.actions.find(
        ({ traffic }) =>
          samePort(port, traffic.servicePort) &&
          (service === traffic.stableService || service === traffic.canaryService),
      );
      // A Service the simulation has no pods for: the real controller fails the reconcile too.
      if (!owner) return undefined;
      const resource = targetGroupResourceId(namespace, name, service, port);
      let arn = groups.get(resource);
      if (arn === undefined) {
        const track: Track = service === owner.traffic.stableService ? 'stable' : 'canary';
        const groupName = `k8s-${alnum(namespace).slice(0, 8)}-${alnum(service).slice(0, 8)}-${hash(cluster, stack, resource)}`;
        arn = balancers.provisionTargetGroup(region, { name: groupName, service: owner.service, track });
        balancers.tag(region, arn, { ...stackTags, [INGRESS_RESOURCE_TAG]: resource });
        groups.set(resource, arn);
      }
      return arn;
    };

    const rules = ingress.actions.map(({ service, action, traffic }, index) => {
      const priority = index + 1;
      const actions = forwardFromAnnotation(annotations[actionAnnotation(action)], groupOf) ?? [];
      // The path `/<action>` (Prefix) becomes these two patterns.
      const conditions: RuleCondition[] = [
        { Field: 'path-pattern', PathPatternConfig: { Values: [`/${action}`, `/${action}/*`] } },
      ];
      const ruleArn = balancers.provisionRule(region, listenerArn, {
        service,
        priority,
        conditions,
        actions,
      });
      balancers.tag(region, ruleArn, {
        ...stackTags,
        [INGRESS_RESOURCE_TAG]: `${INGRESS_LISTENER_PORT}:${priority}`,
      });
      const carry = () => {
        const resource = (of: string) =>
          groups.get(targetGroupResourceId(namespace, name, of, traffic.servicePort));
        const canaryArn = resource(traffic.canaryService);
        balancers.carryWeights(region, service, ruleArn, {
          stableArn: resource(traffic.stableService) ?? '',
          ...(canaryArn !== undefined && { canaryArn }),
        });
      };
      carry();
      return { action, ruleArn, carry };
    });
    ingress.hostname = balancer.dnsName;

    return {
      region,
      reconciledUntilMs: this.context.startMs,
      triggeredBetween: (fromMs, toMs) =>
        this.ingresses
          .changesBetween(ingress, fromMs - RECONCILE_DELAY_MS, toMs - RECONCILE_DELAY_MS)
          .map((changedMs) => changedMs + RECONCILE_DELAY_MS),
      reconcile: (atMs) => {
        const now = this.ingresses.annotationsAt(ingress, atMs);
        // The controller builds the whole stack's model first: one unusable action changes nothing.
        const desired = rules.map((rule) =>
          forwardFromAnnotation(now[actionAnnotation(rule.action)], groupOf),
        );
        if (desired.some((actions) => actions === undefined)) return;
        rules.forEach((rule, index) => {
          rule.carry();
          const actions = desired[index]!;
          if (!sameActions(balancers.actionsOf(region, rule.ruleArn), actions)) {
            balancers.writeActions(region, rule.ruleArn, actions, atMs);
          }
        });
      },
    };
  }

  // ── the controllerManaged fault ──────────────────────────────────────────

  /** Tags a plan's load balancer as the controller's, and puts its rules back at each periodic reconcile. */
  private adopt(region: string, cluster: string, fault: ControllerManagedFault): Stack | undefined {
    const balancer = this.balancers.loadBalancerNamed(region, fault.loadBalancer);
    if (!balancer) return undefined;
    // As if an IngressGroup named after the load balancer described it (group.name + load-balancer-name).
    const stackTags = { [CLUSTER_TAG]: cluster, [INGRESS_STACK_TAG]: fault.loadBalancer };
    this.balancers.tag(region, balancer.arn, { ...stackTags, [INGRESS_RESOURCE_TAG]: 'LoadBalancer' });
    const described = balancer.holders.map((arn) => ({
      arn,
      actions: this.balancers.actionsOf(region, arn),
    }));
    for (const { arn } of described) this.balancers.tag(region, arn, stackTags);
    return {
      region,
      reconciledUntilMs: this.context.startMs,
      triggeredBetween: () => [],
      reconcile: (atMs) => {
        for (const { arn, actions } of described) {
          if (!sameActions(this.balancers.actionsOf(region, arn), actions)) {
            this.balancers.writeActions(region, arn, actions, atMs);
          }
        }
      },
    };
  }
}

/**
 * The forward action an action annotation describes (pkg/ingress/model_build_actions.go,
 * buildForwardAction); undefined when the controller could not build it.
 */
function forwardFromAnnotation(
  value: string | undefined,
  groupOf: (service: string, port: number | string) => string | undefined,
): Action[] | undefined {
  if (value === undefined) return undefined;
  const parsed = parseForwardAction(value);
  if (typeof parsed === 'string') return undefined;
  const tuples: Array<{ TargetGroupArn: string; Weight?: number }> = [];
  for (const group of parsed.forwardConfig.targetGroups) {
    if (group.serviceName === undefined || group.servicePort === undefined) return undefined;
    const arn = groupOf(group.serviceName, group.servicePort);
    if (arn === undefined) return undefined;
    tuples.push({ TargetGroupArn: arn, ...(group.weight !== undefined && { Weight: group.weight }) });
  }
  if (tuples.length === 0) return undefined;
  const stickiness = parsed.forwardConfig.targetGroupStickinessConfig;
  return [
    {
      Type: 'forward',
      Order: 1,
      ForwardConfig: {
        TargetGroups: tuples,
        TargetGroupStickinessConfig: {
          Enabled: stickiness?.enabled ?? false,
          ...(stickiness?.durationSeconds !== undefined && { DurationSeconds: stickiness.durationSeconds }),
        },
      },
    },
  ];
}

/** Reconciles every SYNC_PERIOD_MS from the controller's start, in (fromMs, toMs]. */
function periodicBetween(startMs: number, fromMs: number, toMs: number): number[] {
  const times: number[] = [];
  const first = Math.floor((fromMs - startMs) / SYNC_PERIOD_MS) + 1;
  for (let at = startMs + first * SYNC_PERIOD_MS; at <= toMs; at += SYNC_PERIOD_MS) times.push(at);
  return times;
}

function sameActions(a: readonly Action[], b: readonly Action[]): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with sorted keys and no undefined values, so equal actions compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The controller keeps only letters and digits of names it puts in AWS names. */
function alnum(value: string): string {
  return value.replace(/[^A-Za-z0-9]/g, '');
}

/** The first 10 hex digits of a sha256, as the controller suffixes the names it makes. */
function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 10);
}
