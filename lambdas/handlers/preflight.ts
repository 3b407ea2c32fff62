/**
 * Preflight: before a release touches any workload or traffic, ask the account and the clusters
 * whether everything the plan names is there and usable. It runs as the release's first step
 * (preflightRelease), and on its own for `switchyard preflight` and `POST /plans/preflight`
 * (preflightPlan, which the API invokes). Read only: it changes nothing, so a refused release has nothing to undo.
 *
 * What counts as a problem is what would otherwise stop the release half-way: a missing
 * resource, a resource that is not what the plan says, or a role without access. Transient
 * errors (throttling, an API server hiccup) are not problems: they propagate, so the state
 * machine retries them.
 */
import * as z from 'zod';
import { loadReleaseContext } from '../app/release-context';
import { releaseLockAndDispatch } from '../app/release-queue';
import {
  InvalidInputError,
  NotFoundError,
  PlanInvalidError,
  SwitchyardError,
  TransientError,
} from '../core/errors';
import { checkPlan } from '../core/plan/check';
import {
  type ResolvedPlan,
  type ResolvedRegion,
  type ResolvedService,
  resolvePlan,
} from '../core/plan/resolve';
import {
  alarmsRead,
  clusterAccessProblem,
  missingAlarmProblems,
  missingSetIdentifiers,
  type PreflightProblem,
  PreflightReport,
  preflightReport,
  refusalReason,
  rollbackAlarmsRead,
  sharedTargetsProblem,
  sortProblems,
  stableTrafficProblem,
  targetGroupMismatches,
  trafficResource,
  ungrantedChanges,
} from '../core/preflight';
import { trafficTarget, workloadTarget } from '../core/targets';
import type { Ports } from '../ports';
import { defineHandler } from './define';

/** What preflight reads through: traffic and DNS only by their readers, so it can change neither. */
export interface PreflightPorts {
  cluster: Ports['cluster'];
  traffic: Ports['trafficReader'];
  dns: Ports['dnsReader'];
  inventory: Ports['inventory'];
}

function preflightPorts(ports: Ports): PreflightPorts {
  return {
    cluster: ports.cluster,
    traffic: ports.trafficReader,
    dns: ports.dnsReader,
    inventory: ports.inventory,
  };
}

/** What preflight itself reads in a namespace: Deployments, and the Ingresses of albIngress traffic. */
const READ_DEPLOYMENTS = { verb: 'get', group: 'apps', resource: 'deployments' } as const;
const READ_INGRESSES = { verb: 'get', group: 'networking.k8s.io', resource: 'ingresses' } as const;

class Findings {
  readonly problems: PreflightProblem[] = [];
  checks = 0;

  add(problem: PreflightProblem): void {
    this.problems.push(problem);
  }

  /**
   * Runs one check. A resource that is missing or wrong becomes a problem at `path` (or at the
   * plan field the error names); a transient error propagates to be retried.
   */
  async check(
    path: string,
    region: string | undefined,
    resource: string | ((planField: string | undefined) => string),
    work: () => Promise<string | undefined>,
  ): Promise<boolean> {
    this.checks += 1;
    const named = (field?: string) => (typeof resource === 'string' ? resource : resource(field));
    try {
      const problem = await work();
      if (problem !== undefined) {
        this.add({ path, ...(region && { region }), resource: named(), message: `${named()} ${problem}` });
      }
      return problem === undefined;
    } catch (error) {
      if (error instanceof TransientError || !(error instanceof SwitchyardError)) throw error;
      if (!(error instanceof NotFoundError || error instanceof InvalidInputError)) throw error;
      // The adapters' messages name the resource themselves.
      this.add({
        path: error.planField ? `${path}.${error.planField}` : path,
        ...(region && { region }),
        resource: named(error.planField),
        message: error.message,
      });
      return false;
    }
  }
}

/** Checks everything the plan names, region by region; resolves with every problem found. */
export async function runPreflight(plan: ResolvedPlan, ports: PreflightPorts): Promise<PreflightReport> {
  const findings = new Findings();
  const grants = ports.inventory.grants();
  findings.checks += 1;
  for (const problem of ungrantedChanges(plan.source, grants)) findings.add(problem);
  await Promise.all(plan.regions.map((region) => checkRegion(plan, region, ports, findings)));
  await checkDns(plan, ports, findings, grants.hostedZoneIds);
  return preflightReport(plan.releaseId, findings.checks, sortProblems(findings.problems));
}

async function checkRegion(
  plan: ResolvedPlan,
  region: ResolvedRegion,
  ports: PreflightPorts,
  findings: Findings,
): Promise<void> {
  const regionPath = `regions[${plan.regions.indexOf(region)}]`;
  const clusterName = `EKS cluster "${region.cluster}" (${region.name})`;
  const services = region.services.flatMap((name) => plan.services.get(name) ?? []);
  const namespaces = [...new Set(services.map((service) => service.namespace))].sort();

  const reachable = await findings.check(`${regionPath}.cluster`, region.name, clusterName, async () => {
    const roles = ports.inventory.clusterRoleArns();
    return clusterAccessProblem(
      await ports.inventory.clusterAccess(region.name, region.cluster, roles),
      roles,
      namespaces,
    );
  });
  if (!reachable) return;

  // Its own identity, the only one a SelfSubjectAccessReview can speak for: it must read what
  // it is about to check.
  const ingressNamespaces = new Set(
    services.flatMap((service) =>
      service.traffic.type === 'albIngress' ? [service.traffic.namespace ?? service.namespace] : [],
    ),
  );
  const questions = [
    ...namespaces.map((namespace) => ({ namespace, ...READ_DEPLOYMENTS })),
    ...[...ingressNamespaces].sort().map((namespace) => ({ namespace, ...READ_INGRESSES })),
  ];
  for (const { namespace, ...question } of questions) {
    await findings.check(
      `${regionPath}.cluster`,
      region.name,
      `${clusterName}, namespace ${namespace}`,
      async () => {
        const answer = await ports.inventory.mayI(
          { region: region.name, cluster: region.cluster },
          { namespace, ...question },
        );
        return answer.allowed
          ? undefined
          : `does not let preflight ${question.verb} ${question.resource}${answer.reason ? ` (${answer.reason})` : ''}`;
      },
    );
  }

  await Promise.all([
    ...services.map((service) => checkService(plan, region, service, ports, findings)),
    checkAlarms(plan, region, services, ports, findings),
  ]);
}

async function checkService(
  plan: ResolvedPlan,
  region: ResolvedRegion,
  service: ResolvedService,
  ports: PreflightPorts,
  findings: Findings,
): Promise<void> {
  const index = plan.source.services.findIndex((entry) => entry.name === service.name);
  const path = `services[${index}]`;
  const target = workloadTarget(region, service);
  const deploymentName = `Deployment ${service.namespace}/${service.deployment} in ${region.cluster} (${region.name})`;
  await findings.check(
    `${path}.${plan.source.services[index]?.deployment ? 'deployment' : 'name'}`,
    region.name,
    deploymentName,
    async () => {
      const view = await ports.cluster.readDeployment(target);
      if (view === undefined) return 'does not exist';
      if (!(service.container in view.images)) {
        findings.add({
          path: `${path}.${plan.source.services[index]?.container ? 'container' : 'name'}`,
          region: region.name,
          resource: deploymentName,
          message: `${deploymentName} has no container "${service.container}" (containers: ${Object.keys(view.images).join(', ') || 'none'})`,
        });
      }
      return undefined;
    },
  );

  const traffic = trafficTarget(region, service);
  if (traffic === undefined || service.traffic.type === 'replicaRatio') return;
  const trafficPath = `${path}.traffic`;
  const where = `the traffic of ${service.name} (${region.name})`;
  const plannedTraffic = service.traffic;
  const resourceOf = (field: string | undefined) =>
    trafficResource(plannedTraffic, field, region.name) ?? where;
  let resolved: Awaited<ReturnType<PreflightPorts['traffic']['resolve']>> | undefined;
  const found = await findings.check(trafficPath, region.name, resourceOf, async () => {
    resolved = await ports.traffic.resolve(traffic);
    return undefined;
  });
  if (!found || resolved === undefined) return;
  const groups = resolved;

  await findings.check(trafficPath, region.name, where, async () =>
    stableTrafficProblem(await ports.traffic.getWeights(traffic)),
  );

  const names =
    service.traffic.type === 'alb'
      ? { stable: service.traffic.stableTargetGroup, canary: service.traffic.canaryTargetGroup }
      : { stable: service.traffic.stableService, canary: service.traffic.canaryService };
  await findings.check(
    `${trafficPath}.${service.traffic.type === 'alb' ? 'canaryTargetGroup' : 'canaryService'}`,
    region.name,
    `target group of ${names.canary} (${region.name})`,
    async () => {
      const described = await ports.inventory.targetGroups(region.name, [
        groups.stableTargetGroupArn,
        groups.canaryTargetGroupArn,
      ]);
      const stable = described.find((group) => group.arn === groups.stableTargetGroupArn);
      const canary = described.find((group) => group.arn === groups.canaryTargetGroupArn);
      if (stable === undefined || canary === undefined) return 'no longer exists';
      const mismatches = targetGroupMismatches(stable, canary);
      return mismatches.length > 0
        ? `cannot share a forward action with the stable group: ${mismatches.join(', ')}`
        : undefined;
    },
  );

  await findings.check(
    trafficPath,
    region.name,
    `target groups of ${service.name} (${region.name})`,
    async () => {
      const health = await ports.traffic.targetHealth(traffic);
      return sharedTargetsProblem(health.stable, health.canary);
    },
  );
}

/** Every alarm the region's services and the release read, asked about in one DescribeAlarms listing. */
async function checkAlarms(
  plan: ResolvedPlan,
  region: ResolvedRegion,
  services: readonly ResolvedService[],
  ports: PreflightPorts,
  findings: Findings,
): Promise<void> {
  const wanted = [rollbackAlarmsRead(plan), ...services.map((service) => alarmsRead(plan, service))].filter(
    (alarms) => alarms.length > 0,
  );
  if (wanted.length === 0) return;
  // One check per service that reads alarms (and one for the release's), as the report counts them.
  findings.checks += wanted.length;
  const existing = new Set(
    await ports.inventory.existingAlarms(
      region.name,
      wanted.flat().map((entry) => entry.name),
    ),
  );
  for (const problem of missingAlarmProblems(region.name, wanted.flat(), existing)) findings.add(problem);
}

async function checkDns(
  plan: ResolvedPlan,
  ports: PreflightPorts,
  findings: Findings,
  zones: readonly string[] | undefined,
): Promise<void> {
  const record = plan.source.dns;
  if (record === undefined) return;
  // A zone outside the stack's grants is already a problem, and reading it would be AccessDenied.
  if (zones !== undefined && !zones.includes(record.hostedZoneId)) return;
  const recordName = `Route 53 record ${record.recordName} (zone ${record.hostedZoneId})`;
  let weights: Record<string, number> | undefined;
  const found = await findings.check('dns.recordName', undefined, recordName, async () => {
    weights = await ports.dns.getWeights(record);
    return Object.keys(weights).length === 0 ? 'has no weighted records' : undefined;
  });
  if (!found || weights === undefined) return;
  const missing = missingSetIdentifiers(plan.source.regions, weights, recordName);
  findings.checks += missing.checks;
  for (const problem of missing.problems) findings.add(problem);
}

// ── handlers ─────────────────────────────────────────────────────────────────

/** The release's first step after its lock: the report, which the state machine branches on. */
export const preflightRelease = defineHandler({
  name: 'preflightRelease',
  ports: ['store', 'clock', 'cluster', 'trafficReader', 'dnsReader', 'inventory'],
  input: z.object({ releaseId: z.string().min(1) }).passthrough(),
  async run({ releaseId }, ports) {
    const context = await loadReleaseContext(ports.store, releaseId);
    const report = await runPreflight(context.plan, preflightPorts(ports));
    await ports.store.appendAudit({
      releaseId,
      key: 'release/preflight',
      at: ports.clock.now().toISOString(),
      action: report.ok ? 'preflight.passed' : 'preflight.refused',
      actor: 'switchyard',
      detail: {
        checks: report.checks,
        ...(!report.ok && {
          problems: report.problems,
          ...(report.moreProblems && { moreProblems: report.moreProblems }),
        }),
      },
    });
    return report;
  },
});

/** A release preflight refused: REFUSED with the first problem as its reason, its lock let go. */
export const refuseAfterPreflight = defineHandler({
  name: 'refuseAfterPreflight',
  ports: ['store', 'clock', 'events', 'workflow'],
  input: z
    .object({
      releaseId: z.string().min(1),
      preflight: PreflightReport,
    })
    .passthrough(),
  async run({ releaseId, preflight }, ports) {
    const reason = refusalReason(preflight);
    await ports.store.setReleaseStatus(releaseId, 'REFUSED', { reason, from: ['RUNNING', 'REFUSED'] });
    await releaseLockAndDispatch(ports, releaseId);
    await ports.events.publish([
      { detailType: 'Release Refused', releaseId, detail: { reason, problems: preflight.problems.length } },
    ]);
    return { releaseId, status: 'REFUSED', error: 'PreflightRefused', cause: reason };
  },
});

/** Preflight of a plan on its own, for the API: the plan is checked first, so only a valid one is read against. */
export const preflightPlan = defineHandler({
  name: 'preflightPlan',
  ports: ['cluster', 'trafficReader', 'dnsReader', 'inventory'],
  input: z.object({ plan: z.unknown() }).strict(),
  async run({ plan }, ports) {
    const checked = checkPlan(plan);
    if (!checked.ok) throw new PlanInvalidError(checked.problems);
    return runPreflight(resolvePlan(checked.plan), preflightPorts(ports));
  },
});
