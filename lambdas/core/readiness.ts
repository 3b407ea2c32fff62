/**
 * The readiness gate: a workload gets traffic only when its pod template is safe to run.
 * Each container is scored on the checks below (weights add up to 100); the pod's score is its
 * weakest container's. Blockers stop the gate whatever the score.
 */
type Json = Record<string, unknown>;

export interface ReadinessFinding {
  container: string;
  check: ReadinessCheck;
  ok: boolean;
  detail: string;
}

export type ReadinessCheck =
  | 'runAsNonRoot'
  | 'readOnlyRootFilesystem'
  | 'noPrivilegeEscalation'
  | 'dropAllCapabilities'
  | 'resourceRequests'
  | 'resourceLimits'
  | 'livenessProbe'
  | 'readinessProbe';

const WEIGHTS: Record<ReadinessCheck, number> = {
  runAsNonRoot: 15,
  readOnlyRootFilesystem: 15,
  noPrivilegeEscalation: 15,
  dropAllCapabilities: 15,
  resourceRequests: 10,
  resourceLimits: 10,
  livenessProbe: 10,
  readinessProbe: 10,
};

export interface ReadinessReport {
  score: number;
  passed: boolean;
  blockers: string[];
  findings: ReadinessFinding[];
}

const record = (value: unknown): Json =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

export function scoreReadiness(
  podTemplate: Json,
  policy: { minScore: number; enforce: boolean },
): ReadinessReport {
  const podSpec = record(podTemplate.spec);
  const podSecurity = record(podSpec.securityContext);
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers.map(record) : [];
  const findings: ReadinessFinding[] = [];
  const blockers: string[] = [];
  let score = containers.length === 0 ? 0 : 100;
  if (containers.length === 0) blockers.push('the pod template has no containers');

  for (const container of containers) {
    const name = String(container.name ?? '?');
    const security = record(container.securityContext);
    const resources = record(container.resources);
    const requests = record(resources.requests);
    const limits = record(resources.limits);
    const dropped = (record(security.capabilities).drop as unknown[] | undefined) ?? [];
    const runAsNonRoot = security.runAsNonRoot ?? podSecurity.runAsNonRoot;
    const runAsUser = security.runAsUser ?? podSecurity.runAsUser;
    const checks: Array<[ReadinessCheck, boolean, string]> = [
      ['runAsNonRoot', runAsNonRoot === true && runAsUser !== 0, 'securityContext.runAsNonRoot: true'],
      [
        'readOnlyRootFilesystem',
        security.readOnlyRootFilesystem === true,
        'securityContext.readOnlyRootFilesystem: true',
      ],
      [
        'noPrivilegeEscalation',
        security.allowPrivilegeEscalation === false,
        'securityContext.allowPrivilegeEscalation: false',
      ],
      [
        'dropAllCapabilities',
        dropped.some((cap) => String(cap).toUpperCase() === 'ALL'),
        'securityContext.capabilities.drop: [ALL]',
      ],
      [
        'resourceRequests',
        requests.cpu !== undefined && requests.memory !== undefined,
        'resources.requests for cpu and memory',
      ],
      ['resourceLimits', limits.memory !== undefined, 'resources.limits.memory'],
      ['livenessProbe', container.livenessProbe !== undefined, 'a livenessProbe'],
      ['readinessProbe', container.readinessProbe !== undefined, 'a readinessProbe'],
    ];
    let containerScore = 0;
    for (const [check, ok, wanted] of checks) {
      if (ok) containerScore += WEIGHTS[check];
      findings.push({ container: name, check, ok, detail: ok ? wanted : `missing ${wanted}` });
    }
    score = Math.min(score, containerScore);
    if (security.privileged === true) blockers.push(`container ${name} is privileged`);
    if (runAsUser === 0) blockers.push(`container ${name} runs as root (runAsUser: 0)`);
    if (security.allowPrivilegeEscalation === true)
      blockers.push(`container ${name} allows privilege escalation`);
    if (container.readinessProbe === undefined)
      blockers.push(`container ${name} has no readinessProbe: traffic could reach it before it is ready`);
  }
  const meets = score >= policy.minScore && blockers.length === 0;
  return { score, passed: meets || !policy.enforce, blockers, findings };
}

/** Why a report fails the gate, in words (its blockers, else its score), or undefined when it passes. */
export function readinessGateFailure(report: ReadinessReport, minScore: number): string | undefined {
  if (report.passed) return undefined;
  return report.blockers.length > 0 ? report.blockers.join('; ') : `score ${report.score} below ${minScore}`;
}
