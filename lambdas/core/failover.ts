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

/** A failover (or failback) as recorded: what it changed, so a failback restores exactly that. */
export interface FailoverRecord {
  kind: 'failover';
  region: string;
  direction: 'failover' | 'failback';
  planReleaseId: string;
  weightsBefore: Record<string, number>;
  weightsAfter: Record<string, number>;
  replicas: Array<{ region: string; service: string; before: number; after: number }>;
  /**
   * Services of the surviving regions the failover left alone, and why. Absent in records
   * written before it was recorded.
   */
  unscaled?: Array<{ region: string; service: string; reason: FailoverScaleExemption }>;
}

export type FailoverScaleExemption = NonNullable<ReturnType<typeof failoverScaleExemption>>;

/** Route 53 weights by set identifier, read back as weights by region (0 for a region without one). */
export function weightsByRegion(
  bySetId: Readonly<Record<string, number>>,
  identifiers: ReadonlyMap<string, string>,
): Record<string, number> {
  return Object.fromEntries([...identifiers].map(([region, id]) => [region, bySetId[id] ?? 0]));
}

/** Weights by region, as Route 53 wants them: by set identifier. */
export function weightsBySetId(
  byRegion: Readonly<Record<string, number>>,
  identifiers: ReadonlyMap<string, string>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(byRegion).map(([region, weight]) => [identifiers.get(region)!, weight]),
  );
}

/**
 * What a failover scales in each surviving region: every service with its factor, except those
 * it must leave alone (a single writer keeps its replica count: a second one would corrupt what
 * it writes).
 */
export function failoverScaleTargets(
  scaleFactors: Readonly<Record<string, number>>,
  regionServices: (region: string) => readonly string[],
  service: (name: string) => FailoverScaled,
): {
  scale: Array<{ region: string; service: string; factor: number }>;
  unscaled: NonNullable<FailoverRecord['unscaled']>;
} {
  const scale: Array<{ region: string; service: string; factor: number }> = [];
  const unscaled: NonNullable<FailoverRecord['unscaled']> = [];
  for (const [region, factor] of Object.entries(scaleFactors)) {
    for (const name of regionServices(region)) {
      const exemption = failoverScaleExemption(service(name));
      if (exemption) unscaled.push({ region, service: name, reason: exemption });
      else scale.push({ region, service: name, factor });
    }
  }
  return { scale, unscaled };
}

/** The failback of a recorded failover: its weights before, and each scaled service back to its replicas. */
export function failbackRecord(
  previous: FailoverRecord,
  weightsNow: Record<string, number>,
  planReleaseId: string,
): FailoverRecord {
  return {
    kind: 'failover',
    region: previous.region,
    direction: 'failback',
    planReleaseId,
    weightsBefore: weightsNow,
    weightsAfter: previous.weightsBefore,
    replicas: previous.replicas.map((entry) => ({ ...entry, before: entry.after, after: entry.before })),
    ...(previous.unscaled && { unscaled: previous.unscaled }),
  };
}

/**
 * Whether every scaled Deployment has rolled out: `failed` names one that never will, `waiting`
 * those still progressing.
 */
export function judgeScaledRollouts(
  statuses: ReadonlyArray<{
    region: string;
    service: string;
    state: 'complete' | 'progressing' | 'failed';
    message: string;
  }>,
): { failed?: string; waiting: string[] } {
  const waiting: string[] = [];
  for (const entry of statuses) {
    const what = `${entry.service} in ${entry.region}: ${entry.message}`;
    if (entry.state === 'failed') return { failed: what, waiting };
    if (entry.state === 'progressing') waiting.push(what);
  }
  return { waiting };
}
