/**
 * The Traffic port over both kinds of ALB traffic: each call goes to the adapter of the plan's
 * traffic type (`alb`: Switchyard changes the rule; `albIngress`: it changes the Ingress and the
 * AWS Load Balancer Controller changes the rule). Shared by the AWS composition root and the
 * rehearsal, so both dispatch the same way.
 */
import {
  type AlbIngressTarget,
  type AlbTarget,
  isAlbIngressTarget,
  type ResolvedTraffic,
  type TargetHealthSummary,
  type Track,
  type Traffic,
  type TrafficFor,
  type TrafficTarget,
  type Weights,
  type WriteCondition,
} from '../../ports/index';
import { CLUSTER_IAM_ACTIONS } from '../kubernetes/iam';
import { ALB_INGRESS_TRAFFIC_IAM_ACTIONS } from './alb-ingress-traffic';
import { ALB_TRAFFIC_IAM_ACTIONS, ALB_TRAFFIC_READ_IAM_ACTIONS } from './alb-traffic';

/**
 * What the traffic reader may call: both adapters' reads, and EKS discovery for the Ingress API
 * (an albIngress read gets the Ingress). albIngress writes go through Kubernetes, not IAM.
 */
export const TRAFFIC_READER_IAM_ACTIONS: readonly string[] = [
  ...new Set([...ALB_TRAFFIC_READ_IAM_ACTIONS, ...ALB_INGRESS_TRAFFIC_IAM_ACTIONS, ...CLUSTER_IAM_ACTIONS]),
];

/** What the traffic port may call: the reader's actions, and the ALB adapter's writes. */
export const TRAFFIC_IAM_ACTIONS: readonly string[] = [
  ...new Set([...TRAFFIC_READER_IAM_ACTIONS, ...ALB_TRAFFIC_IAM_ACTIONS]),
];

export interface TrafficAdapters {
  alb: TrafficFor<AlbTarget>;
  albIngress: TrafficFor<AlbIngressTarget>;
}

export class TrafficByType implements Traffic {
  constructor(private readonly adapters: TrafficAdapters) {}

  resolve(target: TrafficTarget): Promise<ResolvedTraffic> {
    return isAlbIngressTarget(target)
      ? this.adapters.albIngress.resolve(target)
      : this.adapters.alb.resolve(target);
  }

  getWeights(target: TrafficTarget): Promise<Weights> {
    return isAlbIngressTarget(target)
      ? this.adapters.albIngress.getWeights(target)
      : this.adapters.alb.getWeights(target);
  }

  attachCanary(target: TrafficTarget): Promise<void> {
    return isAlbIngressTarget(target)
      ? this.adapters.albIngress.attachCanary(target)
      : this.adapters.alb.attachCanary(target);
  }

  setWeights(
    target: TrafficTarget,
    weights: Weights,
    expected?: Weights,
    writeIf?: WriteCondition,
  ): Promise<Weights> {
    return isAlbIngressTarget(target)
      ? this.adapters.albIngress.setWeights(target, weights, expected, writeIf)
      : this.adapters.alb.setWeights(target, weights, expected, writeIf);
  }

  targetHealth(target: TrafficTarget): Promise<Record<Track, TargetHealthSummary>> {
    return isAlbIngressTarget(target)
      ? this.adapters.albIngress.targetHealth(target)
      : this.adapters.alb.targetHealth(target);
  }
}
