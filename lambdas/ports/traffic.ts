/** The Traffic ports: where each service's weights live, read and set on its load balancer. */

import type { AlbIngressTrafficPlan, AlbTrafficPlan } from '../core/plan/schema';
import type { RegisteredTarget } from '../core/target-health';
import type { Track } from './cluster';

export type { RegisteredTarget, TargetHealthState } from '../core/target-health';

/** Percent of traffic on each side; they add up to 100. */
export interface Weights {
  stable: number;
  canary: number;
}

/** Told the live weights just before a write; false leaves them as they are. */
export type WriteCondition = (live: Weights) => Promise<boolean>;

/** Where one service's weights live in one region, by the names in the plan. */
export type TrafficTarget = AlbTarget | AlbIngressTarget;

/** An ALB listener or rule that Switchyard changes itself. */
export interface AlbTarget {
  service: string;
  region: string;
  alb: AlbTrafficPlan;
}

/** An Ingress action whose weights the AWS Load Balancer Controller carries to the ALB. */
export interface AlbIngressTarget {
  service: string;
  region: string;
  /** The EKS cluster the Ingress lives in. */
  cluster: string;
  /** The Ingress's namespace (the plan's, or the service's). */
  namespace: string;
  albIngress: AlbIngressTrafficPlan;
}

export function isAlbIngressTarget(target: TrafficTarget): target is AlbIngressTarget {
  return 'albIngress' in target;
}

/** The Traffic port for one kind of target: what each traffic adapter implements. */
export type TrafficFor<T extends TrafficTarget> = {
  [Method in keyof Traffic]: Traffic[Method] extends (
    target: TrafficTarget,
    ...rest: infer Rest
  ) => infer Result
    ? (target: T, ...rest: Rest) => Result
    : never;
};

export interface ResolvedTraffic {
  loadBalancerArn: string;
  listenerArn: string;
  ruleArn?: string;
  stableTargetGroupArn: string;
  canaryTargetGroupArn: string;
}

export interface TargetHealthSummary {
  /** The target group's name, for messages. */
  name: string;
  targets: RegisteredTarget[];
}

/**
 * What handlers that only look at traffic use: a port of its own, so their IAM grants hold no
 * write (the stack grants each port's actions to the handlers that declare it).
 */
export interface TrafficReader {
  resolve(target: TrafficTarget): Promise<ResolvedTraffic>;
  getWeights(target: TrafficTarget): Promise<Weights>;
  targetHealth(target: TrafficTarget): Promise<Record<Track, TargetHealthSummary>>;
}

export interface Traffic extends TrafficReader {
  /**
   * Puts the canary group into the forward action at weight 0 when it is not there, so the load
   * balancer health-checks its targets (a group nothing forwards to reads `unused`); the split
   * is unchanged.
   */
  attachCanary(target: TrafficTarget): Promise<void>;
  /**
   * Applies the weights, reads them back, and returns what was read. With `expected` (the
   * weights the caller last applied), live weights that differ mean someone else changed them:
   * TrafficEditedError, and nothing is written. With `writeIf`, the live weights read before
   * writing are passed to it and nothing is written unless it answers true (the live weights are
   * returned then): a caller judges something else meanwhile (stable's readiness) without a
   * second read before the write.
   */
  setWeights(
    target: TrafficTarget,
    weights: Weights,
    expected?: Weights,
    writeIf?: WriteCondition,
  ): Promise<Weights>;
}
