/**
 * Failover: the failing region's Route 53 weight goes to zero and the survivors absorb its
 * share in proportion to their own; their Deployments are scaled up first so they can carry it.
 */
import { InvalidInputError } from './errors';

export const ROUTE53_MAX_WEIGHT = 255;

export interface FailoverPlan {
  weights: Record<string, number>;
  /** Replica multiplier per surviving region, ≥ 1. */
  scaleFactors: Record<string, number>;
}

export function planFailover(
  current: Readonly<Record<string, number>>,
  failing: string,
  maxScaleFactor = 3,
): FailoverPlan {
  if (!(failing in current)) throw new InvalidInputError(`region ${failing} has no weighted record`);
  const survivors = Object.keys(current).filter((region) => region !== failing);
  if (survivors.length === 0)
    throw new InvalidInputError(`region ${failing} is the only region: there is nowhere to fail over to`);
  const total = Object.values(current).reduce((sum, weight) => sum + weight, 0);
  const survivorTotal = survivors.reduce((sum, region) => sum + current[region]!, 0);
  const weights: Record<string, number> = { [failing]: 0 };
  const scaleFactors: Record<string, number> = {};
  // Survivors at zero split the load evenly; otherwise each keeps its share of the survivors,
  // so a survivor drained on purpose (weight 0 beside others) stays drained and unscaled.
  const shareOf = (region: string) =>
    survivorTotal === 0 ? 1 / survivors.length : current[region]! / survivorTotal;
  // Route 53 splits by relative weight: one common factor keeps the ratios inside 0–255.
  const largest = Math.max(...survivors.map((region) => (total || survivors.length) * shareOf(region)));
  const fit = largest > ROUTE53_MAX_WEIGHT ? ROUTE53_MAX_WEIGHT / largest : 1;
  for (const region of survivors) {
    const share = shareOf(region);
    weights[region] = share === 0 ? 0 : Math.max(1, Math.round((total || survivors.length) * share * fit));
    const before = total === 0 ? 1 / Object.keys(current).length : current[region]! / total;
    scaleFactors[region] =
      share === 0 ? 1 : before === 0 ? maxScaleFactor : Math.min(maxScaleFactor, Math.max(1, share / before));
  }
  return { weights, scaleFactors };
}

type FailoverScaled = { strategy: { type: string }; failover?: { scale: boolean } | undefined };

/**
 * Why a failover leaves a service's replicas alone in the surviving regions, or undefined when it
 * may add replicas. A `recreate` service cannot run two of itself side by side (a single writer
 * on a ReadWriteOnce volume, in-memory state), and neither can one marked `failover: { scale: false }`.
 */
export function failoverScaleExemption(
  service: FailoverScaled,
): 'strategy recreate' | 'failover.scale false' | undefined {
  if (service.strategy.type === 'recreate') return 'strategy recreate';
  if (service.failover?.scale === false) return 'failover.scale false';
  return undefined;
}

/** Whether a failover may add replicas to a service in the surviving regions. */
export function scalesOnFailover(service: FailoverScaled): boolean {
  return failoverScaleExemption(service) === undefined;
}

export function scaledReplicas(replicas: number, factor: number): number {
  // Float products overshoot (50 × 1.1 = 55.000000000000014): that must not cost a replica.
  return Math.max(replicas, Math.ceil(replicas * factor - 1e-9));
}
