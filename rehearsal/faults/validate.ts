/**
 * Rules of a fault file that a schema cannot say: the names it uses must be the plan's, a step
 * must exist in the service's strategy, an operation must be able to meet the scope and error
 * given, a failback must follow a failover of its region. They read the raw document defensively, so they report beside shape errors and a person
 * sees every problem at once.
 */
import { parseDuration } from '../../lambdas/core/duration';
import type { PathSegment } from '../../lambdas/core/plan/load';
import type { ResolvedPlan, ResolvedService } from '../../lambdas/core/plan/resolve';
import { asRecord, asString, type Problem, type Raw } from '../../lambdas/core/plan/validate';
import { rolloutSteps } from '../../lambdas/core/strategy';
import { CLUSTER_ERROR_REASONS, DNS_OPERATIONS, secondReleaseId } from './schema';

const quoted = (names: Iterable<string>) => [...names].map((name) => `"${name}"`).join(', ');

/** The traffic weight of each setWeight step of a service's strategy, in order. */
export function trafficStepWeights(service: ResolvedService): number[] {
  return rolloutSteps(service).flatMap((step) => (step.kind === 'setWeight' ? [step.weight] : []));
}

/** Operations whose calls name no service (Route 53 records, alarms, probes). */
const SERVICELESS_OPERATIONS: ReadonlySet<string> = new Set([
  ...DNS_OPERATIONS,
  'signals.alarmStates',
  'signals.httpProbe',
  'signals.tcpProbe',
  'signals.invokeHook',
]);
/** Operations whose calls name no region: Route 53 is global, probes go to a URL or host. */
const REGIONLESS_OPERATIONS: ReadonlySet<string> = new Set([
  ...DNS_OPERATIONS,
  'signals.httpProbe',
  'signals.tcpProbe',
]);
const SERVICES_WITH_A_LOAD_BALANCER_ONLY: ReadonlySet<string> = new Set([
  'traffic.resolve',
  'traffic.getWeights',
  'traffic.attachCanary',
  'traffic.setWeights',
  'traffic.targetHealth',
  'signals.compareTargetGroups',
]);

export function findFaultProblems(raw: unknown, plan: ResolvedPlan): Problem[] {
  const document = asRecord(raw);
  if (!document) return [];
  const problems: Problem[] = [];
  const regionNames = plan.regions.map((region) => region.name);
  const regionsByName = new Map(plan.regions.map((region) => [region.name, region]));

  const checkService = (value: unknown, path: PathSegment[]): ResolvedService | undefined => {
    const name = asString(value);
    if (name === undefined) return undefined;
    const service = plan.services.get(name);
    if (!service) problems.push({ path, message: `"${name}" is not a service in the plan` });
    return service;
  };
  const checkRegion = (value: unknown, path: PathSegment[]): string | undefined => {
    const name = asString(value);
    if (name === undefined) return undefined;
    if (!regionsByName.has(name)) {
      problems.push({
        path,
        message: `"${name}" is not a region in the plan (regions: ${quoted(regionNames)})`,
      });
      return undefined;
    }
    return name;
  };

  const images = asRecord(asRecord(document.fleet)?.images);
  for (const service of Object.keys(images ?? {})) checkService(service, ['fleet', 'images', service]);

  const faults = Array.isArray(document.faults) ? document.faults : [];
  const operatorActions: OperatorAction[] = [];
  const secondReleaseIds = new Map<string, number>();
  faults.forEach((item, index) => {
    const fault = asRecord(item);
    if (!fault) return;
    const at = (...rest: PathSegment[]): PathSegment[] => ['faults', index, ...rest];
    const service = 'service' in fault ? checkService(fault.service, at('service')) : undefined;
    const region = 'region' in fault ? checkRegion(fault.region, at('region')) : undefined;
    if (service && region && !regionsByName.get(region)?.services.includes(service.name)) {
      problems.push({ path: at('region'), message: `"${service.name}" does not run in ${region}` });
    }

    switch (fault.type) {
      case 'degradedVersion':
        if (fault.errorRatePercent === undefined && fault.p95LatencyMs === undefined) {
          problems.push({ path: at(), message: 'give errorRatePercent, p95LatencyMs or both' });
        }
        problems.push(...fromStepProblems(fault, service, at));
        break;
      case 'crashingVersion':
        problems.push(...fromStepProblems(fault, service, at));
        break;
      case 'operationFailure':
        problems.push(...operationProblems(fault, service, at));
        break;
      case 'sharedSelector':
      case 'trafficEdited':
        if (service && service.traffic.type !== 'alb') {
          problems.push({
            path: at('service'),
            message: `"${service.name}" has ${service.traffic.type} traffic: it has no target groups`,
          });
        }
        break;
      case 'alarm':
      case 'regionOutage':
        problems.push(...untilProblems(fault, at));
        break;
      case 'dnsRecordEdited': {
        const identifiers = plan.regions.flatMap((entry) => (entry.dns ? [entry.dns.setIdentifier] : []));
        const identifier = asString(fault.setIdentifier);
        if (!plan.source.dns) {
          problems.push({ path: at(), message: 'the plan has no DNS record to edit' });
        } else if (identifier !== undefined && !identifiers.includes(identifier)) {
          problems.push({
            path: at('setIdentifier'),
            message: `"${identifier}" is not a set identifier of the plan (set identifiers: ${quoted(identifiers)})`,
          });
        }
        break;
      }
      case 'controllerManaged':
        problems.push(...controllerManagedProblems(fault, region, plan, at));
        break;
      case 'missingResource':
        problems.push(...missingResourceProblems(fault, region, plan, at));
        break;
      case 'secondRelease': {
        // The same id again would be the same release submitted again (nothing new would run).
        const id = secondReleaseId(fault, plan.releaseId);
        const path = typeof fault.releaseId === 'string' ? at('releaseId') : at();
        const earlier = secondReleaseIds.get(id);
        if (id === plan.releaseId) {
          problems.push({
            path,
            message: `"${id}" is the rehearsed release's own id: give the second release another`,
          });
        } else if (earlier !== undefined) {
          problems.push({
            path,
            message: `faults[${earlier}] already submits a second release "${id}": give each its own releaseId`,
          });
        } else {
          secondReleaseIds.set(id, index);
        }
        break;
      }
      case 'failover':
      case 'failback': {
        if (!plan.source.dns) {
          problems.push({
            path: at(),
            message: `the plan has no dns record: a ${fault.type} moves its Route 53 weights between regions`,
          });
        } else if (fault.type === 'failover' && region && plan.regions.length < 2) {
          problems.push({
            path: at('region'),
            message: `${region} is the plan's only region: there is nowhere to fail over to`,
          });
        }
        const atSeconds = typeof fault.at === 'string' ? parseDuration(fault.at) : undefined;
        if (region && atSeconds !== undefined) {
          operatorActions.push({ index, type: fault.type, region, at: String(fault.at), atSeconds });
        }
        break;
      }
    }
  });
  problems.push(...failbackProblems(operatorActions));
  return problems;
}

interface OperatorAction {
  index: number;
  type: 'failover' | 'failback';
  region: string;
  at: string;
  atSeconds: number;
}

/**
 * In time order, as the API would meet them: a failback reverses an earlier failover of its
 * region, and a region already failed over is failed back before it is failed over again.
 */
function failbackProblems(actions: readonly OperatorAction[]): Problem[] {
  const problems: Problem[] = [];
  const failedOver = new Map<string, OperatorAction>();
  const inTimeOrder = [...actions].sort((a, b) => a.atSeconds - b.atSeconds || a.index - b.index);
  for (const action of inTimeOrder) {
    const earlier = failedOver.get(action.region);
    // One instant is not "earlier": the failback would be asked for before the failover ran.
    const before = earlier && earlier.atSeconds < action.atSeconds ? earlier : undefined;
    if (action.type === 'failback') {
      if (before) failedOver.delete(action.region);
      else
        problems.push({
          path: ['faults', action.index, 'region'],
          message: `no failover of ${action.region} comes before this failback (at ${action.at}) in the file: a failback reverses an earlier failover of its region`,
        });
    } else if (earlier) {
      problems.push({
        path: ['faults', action.index, 'region'],
        message: `${action.region} is already failed over at ${earlier.at} (faults[${earlier.index}]): fail it back before failing it over again`,
      });
    } else {
      failedOver.set(action.region, action);
    }
  }
  return problems;
}

/** A version fault that starts from a step needs the service to have that many traffic steps. */
function fromStepProblems(
  fault: Raw,
  service: ResolvedService | undefined,
  at: (...rest: PathSegment[]) => PathSegment[],
): Problem[] {
  const step = asRecord(fault.from)?.step;
  if (!service || typeof step !== 'number') return [];
  const weights = trafficStepWeights(service);
  if (step <= weights.length) return [];
  return [
    {
      path: at('from', 'step'),
      message:
        weights.length === 0
          ? `"${service.name}" (${service.strategy.type}) has no traffic steps`
          : `"${service.name}" has ${weights.length} traffic step(s) (weights ${weights.join(', ')})`,
    },
  ];
}

function operationProblems(
  fault: Raw,
  service: ResolvedService | undefined,
  at: (...rest: PathSegment[]) => PathSegment[],
): Problem[] {
  const problems: Problem[] = [];
  const operation = asString(fault.operation);
  if (fault.error === undefined && fault.timeout === undefined) {
    problems.push({ path: at(), message: 'give error (a named error) or timeout: true' });
  }
  if (fault.error !== undefined && fault.timeout !== undefined) {
    problems.push({ path: at('timeout'), message: 'give error or timeout, not both' });
  }
  if (fault.applied === true && fault.timeout === undefined) {
    problems.push({ path: at('applied'), message: 'applied only goes with timeout: true' });
  }
  if (operation === undefined) return problems;
  const error = asString(fault.error);
  if (operation.startsWith('cluster.') && error !== undefined && !(error in CLUSTER_ERROR_REASONS)) {
    problems.push({
      path: at('error'),
      message: `a cluster operation fails with a Kubernetes reason: ${quoted(Object.keys(CLUSTER_ERROR_REASONS))}`,
    });
  }
  if (fault.service !== undefined && SERVICELESS_OPERATIONS.has(operation)) {
    problems.push({ path: at('service'), message: `${operation} calls name no service` });
  }
  if (fault.region !== undefined && REGIONLESS_OPERATIONS.has(operation)) {
    problems.push({
      path: at('region'),
      message: `${operation} calls name no region${operation.startsWith('dns.') ? ' (Route 53 is global)' : ''}`,
    });
  }
  if (service?.traffic.type === 'replicaRatio' && SERVICES_WITH_A_LOAD_BALANCER_ONLY.has(operation)) {
    problems.push({
      path: at('service'),
      message: `"${service.name}" has ${service.traffic.type} traffic and no load balancer: ${operation} is never called for it`,
    });
  }
  return problems;
}

/** The load balancer must be one that plain alb services of the plan use, in the region when given. */
function controllerManagedProblems(
  fault: Raw,
  region: string | undefined,
  plan: ResolvedPlan,
  at: (...rest: PathSegment[]) => PathSegment[],
): Problem[] {
  const name = asString(fault.loadBalancer);
  if (name === undefined || (fault.region !== undefined && region === undefined)) return [];
  const used = new Set<string>();
  for (const candidate of plan.regions) {
    if (region !== undefined && candidate.name !== region) continue;
    for (const serviceName of candidate.services) {
      const traffic = plan.services.get(serviceName)?.traffic;
      if (traffic?.type === 'alb') used.add(traffic.loadBalancerName);
    }
  }
  if (used.has(name)) return [];
  const where = region === undefined ? 'the plan' : region;
  return [
    {
      path: at('loadBalancer'),
      message:
        used.size === 0
          ? `no plain alb service in ${where} uses a load balancer`
          : `no plain alb service in ${where} uses load balancer "${name}" (they use ${quoted([...used].sort())})`,
    },
  ];
}

function untilProblems(fault: Raw, at: (...rest: PathSegment[]) => PathSegment[]): Problem[] {
  const from = typeof fault.at === 'string' ? parseDuration(fault.at) : undefined;
  const until = typeof fault.until === 'string' ? parseDuration(fault.until) : undefined;
  if (from !== undefined && until !== undefined && until <= from) {
    return [{ path: at('until'), message: `must be later than at (${fault.at})` }];
  }
  return [];
}

/** The names a missingResource fault may take away, by kind, in a region (or every region). */
function resourceNames(plan: ResolvedPlan, kind: string, region: string | undefined): Set<string> {
  const names = new Set<string>();
  for (const entry of plan.regions) {
    if (region !== undefined && entry.name !== region) continue;
    if (kind === 'cluster') names.add(entry.cluster);
    if (kind === 'record' && entry.dns) names.add(entry.dns.setIdentifier);
    if (kind === 'alarm') for (const alarm of plan.source.rollbackAlarms ?? []) names.add(alarm);
    for (const serviceName of entry.services) {
      const service = plan.services.get(serviceName);
      if (!service) continue;
      if (kind === 'deployment') names.add(service.deployment);
      if (kind === 'container') names.add(service.container);
      if (kind === 'alarm') {
        for (const check of service.analysis?.checks ?? []) {
          if (check.type === 'cloudwatchAlarms') for (const alarm of check.alarmNames) names.add(alarm);
        }
      }
      const traffic = service.traffic;
      if (traffic.type !== 'alb') continue;
      if (kind === 'loadBalancer') names.add(traffic.loadBalancerName);
      if (kind === 'listener') names.add(String(traffic.port));
      if (kind === 'targetGroup') {
        names.add(traffic.stableTargetGroup);
        names.add(traffic.canaryTargetGroup);
      }
      if (kind === 'rule' && traffic.rule) {
        const { priority, hostHeader, pathPattern } = traffic.rule;
        for (const name of [priority === undefined ? undefined : String(priority), hostHeader, pathPattern]) {
          if (name !== undefined) names.add(name);
        }
      }
    }
  }
  return names;
}

function missingResourceProblems(
  fault: Raw,
  region: string | undefined,
  plan: ResolvedPlan,
  at: (...rest: PathSegment[]) => PathSegment[],
): Problem[] {
  const kind = asString(fault.kind);
  const name = asString(fault.name);
  if (kind === undefined || name === undefined) return [];
  const names = resourceNames(plan, kind, region);
  if (names.has(name)) return [];
  const where = region === undefined ? 'the plan' : `${region} in the plan`;
  return [
    {
      path: at('name'),
      message:
        names.size === 0
          ? `${where} names no ${kind}`
          : `"${name}" is not a ${kind} of ${where} (${kind}s: ${quoted([...names].sort())})`,
    },
  ];
}
