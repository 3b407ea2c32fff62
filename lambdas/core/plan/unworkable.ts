/**
 * Settings that are well-formed but cannot do what they say: an analysis shorter than one of its
 * intervals, DNS weights that are all 0, probes of the machine Switchyard runs on, a rule
 * selector with no condition.
 */
import { parseDuration } from '../duration';
import type { PathSegment } from './check';
import { localAddressKind } from './probe-targets';
import { Analysis } from './schema';
import { asArray, asRecord, asString, type Problem, type Raw } from './validate';

/** The interval an analysis has when it gives none. */
const DEFAULT_INTERVAL: string = Analysis.shape.interval.parse(undefined);

export function findUnworkableSettings(plan: Raw): Problem[] {
  const services = asArray(plan.services).map(asRecord);
  const defaults = asRecord(plan.defaults);
  const problems: Problem[] = [
    ...analysisProblems(defaults?.analysis, ['defaults', 'analysis']),
    ...analysisStepProblems(services, defaults),
    ...dnsWeightProblems(plan),
    ...drainProblems(plan),
  ];
  services.forEach((service, index) => {
    problems.push(...analysisProblems(service?.analysis, ['services', index, 'analysis']));
    const traffic = asRecord(service?.traffic);
    const rule = asRecord(traffic?.rule);
    if (traffic?.type === 'alb' && rule && Object.keys(rule).length === 0) {
      problems.push({
        path: ['services', index, 'traffic', 'rule'],
        message:
          'must give hostHeader, pathPattern or priority to select a rule (leave rule out for the default action)',
      });
    }
  });
  return problems;
}

function analysisProblems(value: unknown, path: PathSegment[]): Problem[] {
  const analysis = asRecord(value);
  if (!analysis) return [];
  const problems: Problem[] = [];
  const duration = asString(analysis.duration);
  const interval = asString(analysis.interval);
  if (duration !== undefined && longerThan(interval ?? DEFAULT_INTERVAL, duration)) {
    problems.push(
      interval === undefined
        ? {
            path: [...path, 'duration'],
            message: `${duration} is shorter than the interval (${DEFAULT_INTERVAL} when not given): the analysis would judge no whole interval`,
          }
        : {
            path: [...path, 'interval'],
            message: `${interval} is longer than the duration (${duration}): the analysis would judge no whole interval`,
          },
    );
  }
  asArray(analysis.checks).forEach((value, index) => {
    problems.push(...probeProblems(asRecord(value), [...path, 'checks', index]));
  });
  return problems;
}

/** A canary step that shortens an analysis below the interval of a service that runs it. */
function analysisStepProblems(
  services: ReadonlyArray<Raw | undefined>,
  defaults: Raw | undefined,
): Problem[] {
  // One problem per step, naming every service the step is too short for.
  const tooShort = new Map<
    string,
    { path: PathSegment[]; duration: string; servicesByInterval: Map<string, string[]> }
  >();
  services.forEach((service, index) => {
    if (!service) return;
    const ownStrategy = asRecord(service.strategy);
    const strategy = ownStrategy ?? asRecord(defaults?.strategy);
    const analysis = asRecord(service.analysis) ?? asRecord(defaults?.analysis);
    if (strategy?.type !== 'canary' || !analysis) return;
    const strategyPath = ownStrategy ? ['services', index, 'strategy'] : ['defaults', 'strategy'];
    const interval = asString(analysis.interval) ?? DEFAULT_INTERVAL;
    asArray(strategy.steps).forEach((step, stepIndex) => {
      const duration = asString(asRecord(asRecord(step)?.analysis)?.duration);
      if (duration === undefined || !longerThan(interval, duration)) return;
      const path = [...strategyPath, 'steps', stepIndex, 'analysis', 'duration'];
      const key = JSON.stringify(path);
      const found = tooShort.get(key) ?? { path, duration, servicesByInterval: new Map() };
      const names = found.servicesByInterval.get(interval) ?? [];
      names.push(asString(service.name) ?? `services[${index}]`);
      found.servicesByInterval.set(interval, names);
      tooShort.set(key, found);
    });
  });
  return [...tooShort.values()].map(({ path, duration, servicesByInterval }) => {
    const intervals = [...servicesByInterval].map(([interval, names]) => `${interval} (${names.join(', ')})`);
    return {
      path,
      message: `${duration} is shorter than the analysis interval, ${intervals.join('; ')}: this step would judge no whole interval`,
    };
  });
}

/** Whether duration text `a` is longer than `b`; false when either does not parse (reported elsewhere). */
function longerThan(a: string, b: string): boolean {
  const first = parseDuration(a);
  const second = parseDuration(b);
  return first !== undefined && second !== undefined && first > second;
}

/**
 * When every record of a weighted set has weight 0, Route 53 answers with all of them equally
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html): not
 * "no traffic", and not what a plan of zeros means.
 */
function dnsWeightProblems(plan: Raw): Problem[] {
  if (!asRecord(plan.dns)) return [];
  const weights = asArray(plan.regions).flatMap((region) => {
    const weight = asRecord(asRecord(region)?.dns)?.weight;
    return typeof weight === 'number' ? [weight] : [];
  });
  if (weights.length === 0 || weights.some((weight) => weight !== 0)) return [];
  return [
    {
      path: ['regions'],
      message:
        "every region's dns.weight is 0: Route 53 then spreads traffic evenly across all of them; give the regions that should take traffic a weight above 0",
    },
  ];
}

/**
 * A drain moves the region's weight in the plan's Route 53 record to the other regions, as a
 * failover does: it needs that record (validate.ts already asks every region for its weighted
 * record in it) and another region to take the weight. One drained region per wave: two drains of one record at
 * once would each plan from weights the other is changing.
 */
function drainProblems(plan: Raw): Problem[] {
  const regions = asArray(plan.regions).map(asRecord);
  const problems: Problem[] = [];
  const drainedInWave = new Map<unknown, string>();
  regions.forEach((region, index) => {
    const drain = region?.drain;
    if (drain === undefined) return;
    const path: PathSegment[] = ['regions', index, 'drain'];
    const name = asString(region?.name) ?? `regions[${index}]`;
    if (!asRecord(plan.dns)) {
      problems.push({ path, message: 'needs the plan-level dns record whose weight the drain moves away' });
    } else if (!regions.some((other, at) => at !== index && Number(asRecord(other?.dns)?.weight ?? 0) > 0)) {
      problems.push({
        path,
        message: `no other region of the dns record has weight above 0: there is nowhere to move ${name}'s weight`,
      });
    }
    const earlier = drainedInWave.get(region?.wave);
    if (earlier !== undefined) {
      problems.push({
        path,
        message: `${earlier} is drained in the same wave ${String(region?.wave)}: drain one region of a wave at a time (two drains of one record would each move weight the other is moving)`,
      });
    } else drainedInWave.set(region?.wave, name);
    const steps = asArray(asRecord(drain)?.restoreSteps).filter((step) => typeof step === 'number');
    if (steps.length === 0) return;
    const falling = steps.findIndex((step, at) => at > 0 && step <= steps[at - 1]!);
    if (falling > 0) {
      problems.push({
        path: [...path, 'restoreSteps', falling],
        message: `${steps[falling]} does not rise above ${steps[falling - 1]}: restore steps rise to 100`,
      });
    } else if (steps.at(-1) !== 100) {
      problems.push({
        path: [...path, 'restoreSteps', steps.length - 1],
        message: `the last restore step is ${steps.at(-1)}, not 100: the region would never get all its weight back`,
      });
    }
  });
  return problems;
}

/**
 * A probe runs where Switchyard runs (its Lambda, or the machine of `switchyard serve`), so a
 * local target tests that machine, and the metadata services hand out its credentials.
 */
function probeProblems(check: Raw | undefined, path: PathSegment[]): Problem[] {
  if (check?.type !== 'http' && check?.type !== 'tcp') return [];
  const allowLocal = check.allowLocalTargets === true;
  const localTarget = (host: string, field: string): Problem[] => {
    const kind = allowLocal ? undefined : localAddressKind(host);
    if (kind === undefined) return [];
    return [
      {
        path: [...path, field],
        message: `${host} is ${kind}: a probe runs where Switchyard runs, not beside the service; set allowLocalTargets: true on this check if that is meant`,
      },
    ];
  };
  if (check.type === 'tcp') {
    const host = asString(check.host);
    return host === undefined ? [] : localTarget(host, 'host');
  }
  const text = asString(check.url);
  if (text === undefined || !URL.canParse(text)) return []; // the schema reports it
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return [{ path: [...path, 'url'], message: `must be an http or https URL, not ${url.protocol}` }];
  }
  return localTarget(url.hostname, 'url');
}
