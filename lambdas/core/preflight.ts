/**
 * Preflight's judgements, free of I/O: whether an EKS access entry lets a role change
 * Deployments in a namespace, whether two target groups can take one service's traffic, and
 * how a refusal is reported, and what each answer read means. The reads live in
 * handlers/preflight.ts.
 */
import * as z from 'zod';
import type {
  AccessEntryView,
  ClusterAccessView,
  RegisteredTarget,
  SwitchyardGrants,
  TargetGroupView,
  Weights,
} from '../ports';
import { normalizeName } from './dns-names';
import type { ResolvedPlan, ResolvedService } from './plan/resolve';
import type { ReleasePlan } from './plan/schema';

/** One thing that would stop the release, where the plan names it and what it is in the account. */
export const PreflightProblem = z.object({
  /** Where in the plan document, e.g. `services[3].traffic.canaryTargetGroup`. */
  path: z.string(),
  region: z.string().optional(),
  /** The AWS or Kubernetes resource, e.g. `target group "auth-canary" (us-east-1)`. */
  resource: z.string(),
  /** What is wrong, naming the resource. */
  message: z.string(),
});
export type PreflightProblem = z.infer<typeof PreflightProblem>;

export const PreflightReport = z.object({
  releaseId: z.string(),
  ok: z.boolean(),
  /** How many questions were put to the account and the clusters. */
  checks: z.number(),
  problems: z.array(PreflightProblem),
  /** Problems beyond MAX_PREFLIGHT_PROBLEMS are counted, not listed. */
  moreProblems: z.number().optional(),
});
export type PreflightReport = z.infer<typeof PreflightReport>;

/** A report carries at most this many problems, so it fits a Step Functions state (256 KB). */
export const MAX_PREFLIGHT_PROBLEMS = 100;

export function preflightReport(
  releaseId: string,
  checks: number,
  problems: readonly PreflightProblem[],
): PreflightReport {
  const listed = problems.slice(0, MAX_PREFLIGHT_PROBLEMS);
  return {
    releaseId,
    ok: problems.length === 0,
    checks,
    problems: listed,
    ...(problems.length > listed.length && { moreProblems: problems.length - listed.length }),
  };
}

/** Problems in plan order: by path, then region. */
export function sortProblems(problems: readonly PreflightProblem[]): PreflightProblem[] {
  return [...problems].sort(
    (a, b) => a.path.localeCompare(b.path) || (a.region ?? '').localeCompare(b.region ?? ''),
  );
}

/** One line per problem, as the CLI and a refused release's reason print them. */
export function describePreflightProblem(problem: PreflightProblem): string {
  return `${problem.path}${problem.region ? ` (${problem.region})` : ''}: ${problem.message}`;
}

export function refusalReason(report: PreflightReport): string {
  const count = report.problems.length + (report.moreProblems ?? 0);
  const first = report.problems[0];
  return `refused by preflight: nothing changed; ${count} problem${count === 1 ? '' : 's'}${first ? ` (first: ${describePreflightProblem(first)})` : ''}`;
}

// ── EKS access ───────────────────────────────────────────────────────────────

/**
 * EKS access policies that allow creating, updating, patching and scaling Deployments
 * (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html): View does not.
 */
export const DEPLOYMENT_WRITING_POLICIES: readonly string[] = [
  'AmazonEKSClusterAdminPolicy',
  'AmazonEKSAdminPolicy',
  'AmazonEKSEditPolicy',
];

/**
 * The namespaces of `wanted` that an access entry does not let its principal change Deployments
 * in. A namespace scope may end in `*`, matching by prefix
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_AccessScope.html). An entry with
 * Kubernetes groups is taken at its word: what the groups may do is RBAC's to say, and the EKS
 * API cannot see it.
 */
export function namespacesNotCovered(entry: AccessEntryView, wanted: readonly string[]): string[] {
  if (entry.kubernetesGroups.length > 0) return [];
  const writing = entry.accessPolicies.filter((policy) =>
    DEPLOYMENT_WRITING_POLICIES.includes(policy.policyArn.split('/').at(-1) ?? ''),
  );
  if (writing.some((policy) => policy.scope.type === 'cluster')) return [];
  const patterns = writing.flatMap((policy) =>
    policy.scope.type === 'namespace' ? policy.scope.namespaces : [],
  );
  return wanted.filter((namespace) => !patterns.some((pattern) => namespaceMatches(pattern, namespace)));
}

/**
 * What keeps Switchyard's roles from changing Deployments of `namespaces` in a cluster, in
 * words, or undefined when nothing does.
 */
export function clusterAccessProblem(
  access: ClusterAccessView | undefined,
  roles: readonly string[],
  namespaces: readonly string[],
): string | undefined {
  if (access === undefined) return 'does not exist';
  if (access.status !== 'ACTIVE') return `is ${access.status}, not ACTIVE`;
  // Access entries need the API authentication mode
  // (https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html#set-cam).
  if (access.authenticationMode === 'CONFIG_MAP') {
    return 'authenticates only through the aws-auth ConfigMap (authenticationMode CONFIG_MAP): set it to API_AND_CONFIG_MAP or API so access entries apply';
  }
  const lacking: string[] = [];
  for (const role of roles) {
    const entry = access.entries.find((candidate) => candidate.principalArn === role);
    if (entry === undefined) {
      lacking.push(`${role} has no access entry`);
      continue;
    }
    const uncovered = namespacesNotCovered(entry, namespaces);
    if (uncovered.length > 0) {
      lacking.push(
        `${role} has no access policy that lets it change Deployments in namespace${uncovered.length > 1 ? 's' : ''} ${uncovered.join(', ')} (AmazonEKSEditPolicy or broader, scoped to them)`,
      );
    }
  }
  return lacking.length > 0 ? lacking.join('; ') : undefined;
}

function namespaceMatches(pattern: string, namespace: string): boolean {
  return pattern.endsWith('*') ? namespace.startsWith(pattern.slice(0, -1)) : pattern === namespace;
}

// ── target groups ────────────────────────────────────────────────────────────

/**
 * What keeps two target groups from sharing one weighted forward action: an ALB forwards to
 * groups of one VPC, and the canary must answer on the stable's protocol and port
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#forward-actions).
 */
export function targetGroupMismatches(stable: TargetGroupView, canary: TargetGroupView): string[] {
  const fields = [
    ['VPC', stable.vpcId, canary.vpcId],
    ['protocol', stable.protocol, canary.protocol],
    ['port', stable.port, canary.port],
  ] as const;
  return fields
    .filter(([, a, b]) => a !== b)
    .map(
      ([field, a, b]) =>
        `${field} ${String(b ?? 'unknown')} (stable "${stable.name}" has ${String(a ?? 'unknown')})`,
    );
}

/** A release shifts weight away from stable: a service whose stable side takes nothing is not what the plan says. */
export function stableTrafficProblem(weights: Weights): string | undefined {
  return weights.stable > 0
    ? undefined
    : `sends no traffic to the stable target group (stable/canary ${weights.stable}/${weights.canary})`;
}

/** Targets registered in both groups, in words (the first five), or undefined when they are apart. */
export function sharedTargetsProblem(
  stable: { name: string; targets: readonly RegisteredTarget[] },
  canary: { name: string; targets: readonly RegisteredTarget[] },
): string | undefined {
  const shared = sharedTargets(stable.targets, canary.targets);
  return shared.length > 0
    ? `share targets: ${shared.slice(0, 5).join(', ')}${shared.length > 5 ? ` and ${shared.length - 5} more` : ''} are registered in both ${stable.name} and ${canary.name}`
    : undefined;
}

/** Targets registered in both groups, as `ip:port`: stable and canary must be apart. */
export function sharedTargets(
  stable: readonly RegisteredTarget[],
  canary: readonly RegisteredTarget[],
): string[] {
  const key = (target: RegisteredTarget) =>
    `${target.id}${target.port === undefined ? '' : `:${target.port}`}`;
  const inStable = new Set(stable.map(key));
  return [...new Set(canary.map(key).filter((target) => inStable.has(target)))];
}

/**
 * What the plan would change that Switchyard's own IAM does not let it change: a plain alb
 * service on a load balancer outside the stack's loadBalancerNames, a DNS record outside its
 * hostedZoneIds or dnsRecordNames. Found here, the release is refused before anything moves,
 * instead of meeting AccessDenied half-way (albIngress rules are the controller's to change).
 */
export function ungrantedChanges(plan: ReleasePlan, grants: SwitchyardGrants): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const { loadBalancerNames, hostedZoneIds, dnsRecordNames } = grants;
  if (loadBalancerNames !== undefined) {
    const granted = new Set(loadBalancerNames);
    plan.services.forEach((service, index) => {
      if (service.traffic.type !== 'alb' || granted.has(service.traffic.loadBalancerName)) return;
      const resource = `load balancer "${service.traffic.loadBalancerName}"`;
      problems.push({
        path: `services[${index}].traffic.loadBalancerName`,
        resource,
        message: `Switchyard may not change the listener rules of ${resource}: it is not among the stack's loadBalancerNames (${listed(loadBalancerNames)}); add it (context switchyard:loadBalancerNames) and deploy the stack again`,
      });
    });
  }
  const record = plan.dns;
  if (record === undefined) return problems;
  const resource = `Route 53 record ${record.recordName} (zone ${record.hostedZoneId})`;
  if (hostedZoneIds !== undefined && !hostedZoneIds.includes(record.hostedZoneId)) {
    problems.push({
      path: 'dns.hostedZoneId',
      resource,
      message: `Switchyard may not read or change records in hosted zone ${record.hostedZoneId}: it is not among the stack's hostedZoneIds (${listed(hostedZoneIds)}); add it (context switchyard:hostedZoneIds) and deploy the stack again`,
    });
  } else if (
    dnsRecordNames !== undefined &&
    !dnsRecordNames.some((name) => normalizeName(name) === normalizeName(record.recordName))
  ) {
    problems.push({
      path: 'dns.recordName',
      resource,
      message: `Switchyard may not change ${record.recordName}: it is not among the stack's dnsRecordNames (${listed(dnsRecordNames)}); add it (context switchyard:dnsRecordNames) and deploy the stack again`,
    });
  }
  return problems;
}

const listed = (names: readonly string[]) => (names.length === 0 ? 'none' : names.join(', '));

/** The resource a field of a service's traffic names, as a problem reports it. */
export function trafficResource(
  traffic: ResolvedService['traffic'],
  field: string | undefined,
  region: string,
): string | undefined {
  if (traffic.type !== 'alb') return undefined;
  switch (field) {
    case 'loadBalancerName':
      return `load balancer "${traffic.loadBalancerName}" (${region})`;
    case 'port':
      return `listener port ${traffic.port} of load balancer "${traffic.loadBalancerName}" (${region})`;
    case 'rule':
      return `listener rule of port ${traffic.port} of load balancer "${traffic.loadBalancerName}" (${region})`;
    case 'stableTargetGroup':
      return `target group "${traffic.stableTargetGroup}" (${region})`;
    case 'canaryTargetGroup':
      return `target group "${traffic.canaryTargetGroup}" (${region})`;
    default:
      return undefined;
  }
}

// ── alarms and DNS ───────────────────────────────────────────────────────────

/** An alarm the release reads, at its path in the plan, and who reads it. */
export interface AlarmRead {
  path: string;
  name: string;
  readBy: string;
}

/** The plan's `rollbackAlarms`: read in every region for the whole release. */
export function rollbackAlarmsRead(plan: Pick<ResolvedPlan, 'source'>): AlarmRead[] {
  return (plan.source.rollbackAlarms ?? []).map((name, index) => ({
    path: `rollbackAlarms[${index}]`,
    name,
    readBy: 'the release rolls back when it enters ALARM',
  }));
}

/** The alarms a service's analysis reads, each at its path in the plan. */
export function alarmsRead(plan: ResolvedPlan, service: ResolvedService): AlarmRead[] {
  if (service.analysis === undefined) return [];
  const index = plan.source.services.findIndex((entry) => entry.name === service.name);
  const analysisPath = plan.source.services[index]?.analysis
    ? `services[${index}].analysis`
    : 'defaults.analysis';
  return service.analysis.checks.flatMap((check, checkIndex) =>
    check.type === 'cloudwatchAlarms'
      ? check.alarmNames.map((name, nameIndex) => ({
          path: `${analysisPath}.checks[${checkIndex}].alarmNames[${nameIndex}]`,
          name,
          readBy: `${service.name}'s analysis reads it`,
        }))
      : [],
  );
}

/** Alarms read that the region does not have, one problem each. */
export function missingAlarmProblems(
  region: string,
  wanted: readonly AlarmRead[],
  existing: ReadonlySet<string>,
): PreflightProblem[] {
  return wanted
    .filter((entry) => !existing.has(entry.name))
    .map((entry) => ({
      path: entry.path,
      region,
      resource: `CloudWatch alarm "${entry.name}" (${region})`,
      message: `CloudWatch alarm "${entry.name}" does not exist in ${region} (${entry.readBy})`,
    }));
}

/**
 * Each region with a DNS set identifier is one check: a problem when the record has no weighted
 * record of that identifier.
 */
export function missingSetIdentifiers(
  regions: ReleasePlan['regions'],
  present: Readonly<Record<string, number>>,
  recordName: string,
): { checks: number; problems: PreflightProblem[] } {
  let checks = 0;
  const problems: PreflightProblem[] = [];
  regions.forEach((region, index) => {
    if (region.dns === undefined) return;
    checks += 1;
    if (region.dns.setIdentifier in present) return;
    problems.push({
      path: `regions[${index}].dns.setIdentifier`,
      region: region.name,
      resource: recordName,
      message: `${recordName} has no weighted record with set identifier "${region.dns.setIdentifier}" (it has: ${Object.keys(present).join(', ')})`,
    });
  });
  return { checks, problems };
}
