/**
 * What handlers know about a release: its resolved plan, each service's steps and workload,
 * looked up by id. Plans are immutable once stored, so a warm Lambda keeps them.
 */
import { NotFoundError, PlanInvalidError, ReleaseAbortedError } from '../core/errors';
import { LruMap } from '../core/lru-map';
import { checkPlan } from '../core/plan/check';
import { type ResolvedPlan, type ResolvedService, resolvePlan } from '../core/plan/resolve';
import { bottomLevels } from '../core/planner/schedule';
import { estimateStepSeconds, type RolloutStep, rolloutSteps } from '../core/strategy';
import { trafficTarget, workloadTarget } from '../core/targets';
import type {
  ReleaseRecord,
  RolloutState,
  ServiceRolloutKey,
  Store,
  TrafficTarget,
  WorkloadTarget,
} from '../ports';

export interface ReleaseContext {
  releaseId: string;
  plan: ResolvedPlan;
  service(name: string): ResolvedService;
  steps(service: string): RolloutStep[];
  workload(region: string, service: string): WorkloadTarget;
  trafficTarget(region: string, service: string): TrafficTarget | undefined;
  /** Remaining estimated work from each service to the end of its region: the claim priority. */
  priority(region: string, service: string): number;
  regionServices(region: string): string[];
  dependsOn(region: string, service: string): string[];
  /** The services of the region that depend on this one: what its completion counts down. */
  dependents(region: string, service: string): string[];
}

/**
 * A context is derived from the release's stored plan, which never changes, so a cached one is
 * never stale; the bound keeps a warm container from holding every release it ever served.
 */
export const CACHED_RELEASE_CONTEXTS = 16;
const cache = new LruMap<string, ReleaseContext>(CACHED_RELEASE_CONTEXTS);

export async function loadReleaseContext(store: Store, releaseId: string): Promise<ReleaseContext> {
  const cached = cache.get(releaseId);
  if (cached) return cached;
  const document = await store.getPlanDocument(releaseId);
  if (document === undefined) throw new NotFoundError(`release ${releaseId} has no stored plan`);
  const checked = checkPlan(document);
  if (!checked.ok) throw new PlanInvalidError(checked.problems);
  const context = buildReleaseContext(releaseId, resolvePlan(checked.plan));
  cache.set(releaseId, context);
  return context;
}

export function buildReleaseContext(releaseId: string, plan: ResolvedPlan): ReleaseContext {
  const regions = new Map(plan.regions.map((region) => [region.name, region]));
  const stepsByService = new Map<string, RolloutStep[]>();
  const priorities = new Map<string, Map<string, number>>();
  const region = (name: string) => {
    const found = regions.get(name);
    if (!found) throw new NotFoundError(`region ${name} is not in release ${releaseId}`);
    return found;
  };
  const service = (name: string) => {
    const found = plan.services.get(name);
    if (!found) throw new NotFoundError(`service ${name} is not in release ${releaseId}`);
    return found;
  };
  const steps = (name: string) => {
    let list = stepsByService.get(name);
    if (!list) {
      list = rolloutSteps(service(name));
      stepsByService.set(name, list);
    }
    return list;
  };
  // Each region's service set once: built per call, asking for every service would be quadratic.
  const includedByRegion = new Map<string, Set<string>>();
  const dependsOn = (regionName: string, name: string) => {
    let included = includedByRegion.get(regionName);
    if (!included) {
      included = new Set(region(regionName).services);
      includedByRegion.set(regionName, included);
    }
    return service(name).dependsOn.filter((dependency) => included.has(dependency));
  };
  const dependentsByRegion = new Map<string, Map<string, string[]>>();
  const dependents = (regionName: string, name: string) => {
    let byService = dependentsByRegion.get(regionName);
    if (!byService) {
      byService = new Map();
      for (const id of region(regionName).services) {
        for (const dependency of dependsOn(regionName, id))
          byService.set(dependency, [...(byService.get(dependency) ?? []), id]);
      }
      dependentsByRegion.set(regionName, byService);
    }
    return byService.get(name) ?? [];
  };
  return {
    releaseId,
    plan,
    service,
    steps,
    regionServices: (name) => region(name).services,
    dependsOn,
    dependents,
    workload: (regionName, name) => workloadTarget(region(regionName), service(name)),
    trafficTarget: (regionName, name) => trafficTarget(region(regionName), service(name)),
    priority: (regionName, name) => {
      let byService = priorities.get(regionName);
      if (!byService) {
        byService = bottomLevels(
          region(regionName).services.map((id) => ({
            id,
            dependsOn: dependsOn(regionName, id),
            durationSeconds: steps(id).reduce(
              (sum, step) => sum + estimateStepSeconds(step, plan.stepRolloutEstimateSeconds),
              0,
            ),
          })),
        );
        priorities.set(regionName, byService);
      }
      return byService.get(name) ?? 0;
    },
  };
}

/** A service rollout stops acting once its release is no longer running. */
export async function assertReleaseRunning(store: Store, releaseId: string): Promise<void> {
  requireRunning(releaseId, await store.getRelease(releaseId));
}

/** The rollout and its snapshot, read in the same round trip as the check that its release still runs. */
export async function runningRollout(
  store: Store,
  key: ServiceRolloutKey,
): Promise<Omit<RolloutState, 'release'>> {
  const { release, ...state } = await store.getRolloutState(key);
  requireRunning(key.releaseId, release);
  return state;
}

function requireRunning(releaseId: string, release: ReleaseRecord | undefined): void {
  if (!release) throw new NotFoundError(`release ${releaseId} does not exist`);
  if (release.status !== 'RUNNING') {
    throw new ReleaseAbortedError(`release ${releaseId} is ${release.status}: this rollout stops acting`);
  }
}
