/**
 * Rules that span fields: the dependency graph, canary weights, waves and region subsets.
 * They read the raw document defensively so that they report alongside shape errors, and a
 * user sees every problem in one answer.
 */
import { parseDuration } from '../duration';
import { findCycles } from '../graph';
import { isWholeMinutes } from '../metric-window';
import { rollingBatchCount } from '../strategy';
import type { PathSegment } from './check';
import { findConflicts } from './conflicts';
import {
  MAX_CANARY_STEPS,
  MAX_DEPENDENCIES,
  MAX_REGIONS,
  MAX_REPLICAS,
  MAX_ROLLING_BATCHES,
  MAX_SERVICE_ROLLOUTS,
  MAX_SERVICES,
  MAX_WAVE,
} from './limits';
import { DEFAULT_JUDGE_MIN_SAMPLES, readsTargetGroupMetrics } from './schema-analysis';
import { findUnworkableSettings } from './unworkable';

/** A problem found in a raw document, before it is located in the text. */
export interface Problem {
  path: PathSegment[];
  message: string;
}

/** Readers of a raw (not yet validated) document that never throw: rules run beside shape errors. */
export type Raw = Record<string, unknown>;
export const asRecord = (value: unknown): Raw | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : undefined;
export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
/**
 * A list longer than its maximum is refused by the schema, and the rules here skip it: run over
 * it they would cost time and problems in proportion to whatever was sent.
 */
const isOverLong = (value: unknown, max: number): boolean => Array.isArray(value) && value.length > max;
const asBoundedArray = (value: unknown, max: number): unknown[] =>
  isOverLong(value, max) ? [] : asArray(value);
export const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/**
 * The problems found, the first `limit` of them: the rest are counted, not kept (each costs
 * memory, and past the limit nobody reads them).
 */
class ProblemList {
  readonly items: Problem[] = [];
  private dropped = 0;

  constructor(private readonly limit: number) {}

  get complete(): boolean {
    return this.dropped === 0;
  }

  push(...problems: Problem[]): void {
    for (const problem of problems) {
      if (this.items.length < this.limit) this.items.push(problem);
      else this.dropped++;
    }
  }
}

/** The cross-field problems, at most `limit` of them; `complete` is false when there were more. */
export function findPlanProblems(
  raw: unknown,
  limit = Number.POSITIVE_INFINITY,
): { problems: Problem[]; complete: boolean } {
  const problems = new ProblemList(limit);
  collectPlanProblems(raw, problems);
  return { problems: problems.items, complete: problems.complete };
}

function collectPlanProblems(raw: unknown, problems: ProblemList): void {
  const plan = asRecord(raw);
  // Every rule here is about the fleet: one the schema refuses for its size has nothing to add.
  if (!plan || isOverLong(plan.services, MAX_SERVICES) || isOverLong(plan.regions, MAX_REGIONS)) return;
  const services = asArray(plan.services).map(asRecord);
  const regions = asArray(plan.regions).map(asRecord);
  const defaults = asRecord(plan.defaults);

  const indexByName = new Map<string, number>();
  services.forEach((service, index) => {
    const name = asString(service?.name);
    if (name === undefined) return;
    const first = indexByName.get(name);
    if (first !== undefined) {
      problems.push({
        path: ['services', index, 'name'],
        message: `duplicate service name "${name}" (first defined at services[${first}])`,
      });
    } else {
      indexByName.set(name, index);
    }
  });

  const dependencies = new Map<string, string[]>();
  services.forEach((service, index) => {
    const name = asString(service?.name);
    const known: string[] = [];
    asBoundedArray(service?.dependsOn, MAX_DEPENDENCIES).forEach((dependency, dependencyIndex) => {
      const dependencyName = asString(dependency);
      if (dependencyName === undefined) return;
      if (!indexByName.has(dependencyName)) {
        problems.push({
          path: ['services', index, 'dependsOn', dependencyIndex],
          message: `"${name}" depends on "${dependencyName}", which is not a service in this plan`,
        });
      } else {
        known.push(dependencyName);
      }
    });
    if (name !== undefined && indexByName.get(name) === index) dependencies.set(name, known);
  });

  for (const cycle of findCycles(dependencies)) {
    const first = cycle[0]!;
    problems.push({
      path: ['services', indexByName.get(first)!, 'dependsOn'],
      message: `dependency cycle: ${[...cycle, first].join(' → ')}`,
    });
  }

  const hasDefaultStrategy = asRecord(defaults?.strategy) !== undefined;
  const hasDefaultAnalysis = asRecord(defaults?.analysis) !== undefined;
  problems.push(
    ...strategyProblems(defaults?.strategy, ['defaults', 'strategy']),
    ...analysisProblems(defaults?.analysis, ['defaults', 'analysis']),
  );
  services.forEach((service, index) => {
    if (!service) return;
    const path = ['services', index];
    const strategy = asRecord(service.strategy) ?? asRecord(defaults?.strategy);
    problems.push(
      ...strategyProblems(service.strategy, [...path, 'strategy']),
      ...analysisProblems(service.analysis, [...path, 'analysis']),
      ...rollingBatchProblems(strategy, service.replicas, path),
    );
    if (!service.strategy && !hasDefaultStrategy) {
      problems.push({
        path: [...path, 'strategy'],
        message: 'is required: the service has none and defaults.strategy is not set',
      });
    }
    const analysis = asRecord(service.analysis) ?? asRecord(defaults?.analysis);
    if (strategy && needsAnalysis(strategy) && !service.analysis && !hasDefaultAnalysis) {
      problems.push({
        path: [...path, 'analysis'],
        message: `is required: the ${asString(strategy.type)} strategy analyses, and defaults.analysis is not set`,
      });
    }
    const trafficType = asString(asRecord(service.traffic)?.type) ?? 'replicaRatio';
    const comparesMetrics = asArray(analysis?.checks).some(readsTargetGroupMetrics);
    if (comparesMetrics && !ALB_TRAFFIC_TYPES.has(trafficType) && strategy && needsAnalysis(strategy)) {
      problems.push({
        path: [...path, 'traffic'],
        message:
          'a "compare" or "judge" check needs ALB traffic (alb or albIngress: stable and canary target groups) to read metrics from',
      });
    }
  });
  problems.push(...ingressActionProblems(services));
  regionProblems(regions, indexByName, dependencies, plan, problems);
  problems.push(...rolloutCountProblems(regions, services.length));
  for (const problem of findConflicts(plan)) problems.push(problem);
  for (const problem of findUnworkableSettings(plan)) problems.push(problem);
  const inBaseline = new Set<string>();
  asBoundedArray(asRecord(plan.baseline)?.phases, MAX_SERVICES).forEach((phase, phaseIndex) => {
    asBoundedArray(phase, MAX_SERVICES).forEach((service, serviceIndexInPhase) => {
      if (typeof service !== 'string') return;
      const path = ['baseline', 'phases', phaseIndex, serviceIndexInPhase];
      if (inBaseline.has(service)) {
        problems.push({ path, message: `the baseline lists "${service}" more than once` });
      } else if (!indexByName.has(service)) {
        problems.push({
          path,
          message: `the baseline names "${service}", which is not a service in this plan`,
        });
      }
      inBaseline.add(service);
    });
  });
}

/** Traffic types whose weights live on an ALB's stable and canary target groups. */
const ALB_TRAFFIC_TYPES: ReadonlySet<string> = new Set(['alb', 'albIngress']);

/**
 * albIngress: the two Services must differ, and no two services may write the same action of one
 * Ingress: each would overwrite the other's weights.
 */
function ingressActionProblems(services: Array<Raw | undefined>): Problem[] {
  const problems: Problem[] = [];
  const owners = new Map<string, number>();
  services.forEach((service, index) => {
    const traffic = asRecord(service?.traffic);
    if (traffic?.type !== 'albIngress') return;
    const path = ['services', index, 'traffic'];
    const stable = asString(traffic.stableService);
    const canary = asString(traffic.canaryService);
    if (stable !== undefined && stable === canary) {
      problems.push({
        path: [...path, 'canaryService'],
        message: `must differ from stableService ("${stable}"): stable and canary pods never share a Service`,
      });
    }
    const ingress = asString(traffic.ingress);
    const action = asString(traffic.actionName) ?? stable;
    if (ingress === undefined || action === undefined) return;
    const namespace = asString(traffic.namespace) ?? asString(service?.namespace) ?? 'default';
    const key = `${namespace}/${ingress}/${action}`;
    const first = owners.get(key);
    if (first === undefined) owners.set(key, index);
    else {
      problems.push({
        path: [...path, traffic.actionName === undefined ? 'stableService' : 'actionName'],
        message: `action "${action}" of Ingress ${namespace}/${ingress} is already services[${first}]'s: each service needs its own action`,
      });
    }
  });
  return problems;
}

function needsAnalysis(strategy: Raw): boolean {
  switch (strategy.type) {
    case 'canary':
      return asArray(strategy.steps).some((step) => asRecord(step)?.analysis !== undefined);
    case 'blueGreen':
      return strategy.previewAnalysis !== false;
    case 'rolling':
      return strategy.analysisPerBatch !== false;
    default:
      return false;
  }
}

function strategyProblems(value: unknown, path: PathSegment[]): Problem[] {
  const strategy = asRecord(value);
  if (strategy?.type !== 'canary' || isOverLong(strategy.steps, MAX_CANARY_STEPS)) return [];
  const problems: Problem[] = [];
  let previous: { weight: number; index: number } | undefined;
  asArray(strategy.steps).forEach((step, index) => {
    const weight = asRecord(step)?.setWeight;
    // The schema reports a weight outside 1..100; it is not what later weights are compared to.
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 1 || weight > 100) return;
    const stepPath = [...path, 'steps', index, 'setWeight'];
    if (previous && weight <= previous.weight) {
      problems.push({
        path: stepPath,
        message: `weight ${weight} does not increase on ${previous.weight} at steps[${previous.index}]: canary weights must rise strictly`,
      });
    }
    if (!previous || weight > previous.weight) previous = { weight, index };
  });
  if (previous?.weight !== 100) {
    problems.push({
      path: [...path, 'steps'],
      message: previous
        ? `the canary never reaches 100 % (its highest weight is ${previous.weight}); end with setWeight: 100`
        : 'the canary never sets a weight; add setWeight steps ending at 100',
    });
  }
  return problems;
}

function analysisProblems(value: unknown, path: PathSegment[]): Problem[] {
  const analysis = asRecord(value);
  if (!analysis) return [];
  const problems: Problem[] = [];
  const hasDuration = analysis.duration !== undefined;
  const hasCount = analysis.count !== undefined;
  if (hasDuration === hasCount) {
    problems.push({
      path,
      message: hasDuration ? 'give duration or count, not both' : 'give a duration or a count',
    });
  }
  // ALB metrics are standard resolution: one datapoint per minute, periods in whole minutes.
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricStat.html
  const interval = typeof analysis.interval === 'string' ? parseDuration(analysis.interval) : undefined;
  if (interval !== undefined && !isWholeMinutes(interval)) {
    problems.push({
      path: [...path, 'interval'],
      message: `${analysis.interval} is not a whole number of minutes: ALB metrics come per minute, so an interval is 1m, 2m, 5m…`,
    });
  }
  problems.push(...judgeWindowProblems(analysis, interval, path));
  return problems;
}

/** A judge needs minSamples minutes per side: an analysis shorter than that could never judge. */
function judgeWindowProblems(analysis: Raw, interval: number | undefined, path: PathSegment[]): Problem[] {
  const intervalSeconds = analysis.interval === undefined ? 60 : interval;
  const windowSeconds =
    typeof analysis.count === 'number'
      ? intervalSeconds === undefined
        ? undefined
        : analysis.count * intervalSeconds
      : typeof analysis.duration === 'string'
        ? parseDuration(analysis.duration)
        : undefined;
  if (windowSeconds === undefined) return [];
  const minutes = Math.floor(windowSeconds / 60);
  return asArray(analysis.checks).flatMap((raw, index) => {
    const check = asRecord(raw);
    if (check?.type !== 'judge') return [];
    const minSamples = typeof check.minSamples === 'number' ? check.minSamples : DEFAULT_JUDGE_MIN_SAMPLES;
    return minutes >= minSamples
      ? []
      : [
          {
            path: [...path, 'checks', index, 'minSamples'],
            message: `the judge needs ${minSamples} minutes of samples, but the analysis lasts ${minutes} minute(s): analyse for longer or lower minSamples`,
          },
        ];
  });
}

/** Into `problems`: a region lists up to every service, so these are as many as the listings. */
function regionProblems(
  regions: Array<Raw | undefined>,
  serviceIndex: Map<string, number>,
  dependencies: Map<string, string[]>,
  plan: Raw,
  problems: ProblemList,
): void {
  const seenRegions = new Map<string, number>();
  const waves = new Set<number>();
  const hasDnsRecord = asRecord(plan.dns) !== undefined;
  regions.forEach((region, index) => {
    if (!region) return;
    const name = asString(region.name);
    if (name !== undefined) {
      const first = seenRegions.get(name);
      if (first !== undefined) {
        problems.push({
          path: ['regions', index, 'name'],
          message: `duplicate region "${name}" (first at regions[${first}])`,
        });
      } else seenRegions.set(name, index);
    }
    // A wave past MAX_WAVE is the schema's to refuse; the gaps below it are not walked.
    const wave = region.wave;
    if (typeof wave === 'number' && Number.isInteger(wave) && wave >= 1 && wave <= MAX_WAVE) waves.add(wave);
    if (region.dns !== undefined && !hasDnsRecord) {
      problems.push({
        path: ['regions', index, 'dns'],
        message: 'a region DNS weight needs the plan-level dns record',
      });
    }
    if (region.dns === undefined && hasDnsRecord) {
      problems.push({
        path: ['regions', index],
        message: `region "${name}" has no dns weight, but the plan has a dns record: give dns.setIdentifier and dns.weight`,
      });
    }
    if (!Array.isArray(region.services) || isOverLong(region.services, MAX_SERVICES)) return;
    const subset = new Set(
      region.services.filter((service): service is string => typeof service === 'string'),
    );
    const listed = new Set<string>();
    region.services.forEach((service, serviceIndexInRegion) => {
      if (typeof service !== 'string') return;
      if (listed.has(service)) {
        problems.push({
          path: ['regions', index, 'services', serviceIndexInRegion],
          message: `region "${name}" lists "${service}" more than once`,
        });
        return;
      }
      listed.add(service);
      if (!serviceIndex.has(service)) {
        problems.push({
          path: ['regions', index, 'services', serviceIndexInRegion],
          message: `region "${name}" names "${service}", which is not a service in this plan`,
        });
        return;
      }
      // One problem per listed service, so regions × dependencies never multiply into problems.
      const missing = [...new Set(dependencies.get(service))].filter((dependency) => !subset.has(dependency));
      if (missing.length > 0) {
        problems.push({
          path: ['regions', index, 'services', serviceIndexInRegion],
          message: `region "${name}" includes "${service}" but not ${namedDependencies(missing)}`,
        });
      }
    });
    if (subset.size === 0) {
      problems.push({ path: ['regions', index, 'services'], message: `region "${name}" lists no services` });
    }
  });
  // Each missing wave once, walking only the waves that are there, in order.
  const found = [...waves].sort((a, b) => a - b);
  let expected = 1;
  for (const wave of found) {
    for (; expected < wave; expected++) {
      problems.push({
        path: ['regions'],
        message: `wave ${expected} has no region: waves are numbered 1, 2, 3… in order (found ${found.join(', ')})`,
      });
    }
    expected = wave + 1;
  }
}

/** `its dependency "db"`, or `its dependencies "a", "b" and "c"`, naming at most five. */
function namedDependencies(names: readonly string[]): string {
  const quoted = names.slice(0, 5).map((dependencyName) => `"${dependencyName}"`);
  if (names.length === 1) return `its dependency ${quoted[0]}`;
  const rest = names.length > 5 ? ` and ${names.length - 5} more` : ` and ${quoted.pop()}`;
  return `its dependencies ${quoted.join(', ')}${rest}`;
}

/** Each service in each region that runs it is one rollout: a child execution and a row of the preview. */
function rolloutCountProblems(regions: Array<Raw | undefined>, serviceCount: number): Problem[] {
  const rollouts = regions.reduce(
    (sum, region) => sum + (Array.isArray(region?.services) ? region.services.length : serviceCount),
    0,
  );
  if (rollouts <= MAX_SERVICE_ROLLOUTS) return [];
  return [
    {
      path: ['regions'],
      message: `the release has ${rollouts} service rollouts (each service in each region that runs it); at most ${MAX_SERVICE_ROLLOUTS}: split it into releases, or give regions a subset of services`,
    },
  ];
}

/** A rolling batch is a whole percentage of the replicas: batches of fewer than 1 % cannot be told apart. */
function rollingBatchProblems(strategy: Raw | undefined, replicas: unknown, path: PathSegment[]): Problem[] {
  const batch = asRecord(strategy?.batch);
  // Sizes and replicas out of their own bounds are the schema's to report.
  const size = batch?.size;
  if (strategy?.type !== 'rolling' || !Number.isInteger(size) || (size as number) < 1) return [];
  if (!Number.isInteger(replicas) || (replicas as number) > MAX_REPLICAS) return [];
  const count = rollingBatchCount({ size: size as number }, replicas as number);
  if (count <= MAX_ROLLING_BATCHES) return [];
  return [
    {
      path: [...path, 'replicas'],
      message: `${replicas} replicas in batches of ${size} make ${count} batches; at most ${MAX_ROLLING_BATCHES} (a batch is a whole percentage of the replicas): use a larger batch.size or batch.percent`,
    },
  ];
}
