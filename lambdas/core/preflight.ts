/**
 * Preflight's judgements, free of I/O: whether an EKS access entry lets a role change
 * Deployments in a namespace, whether two target groups can take one service's traffic, and
 * how a refusal is reported. The reads live in handlers/preflight.ts.
 */
import * as z from 'zod';
import type { AccessEntryView, RegisteredTarget, SwitchyardGrants, TargetGroupView } from '../ports';
import { normalizeName } from './dns-names';
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
