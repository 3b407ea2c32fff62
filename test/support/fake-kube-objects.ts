export type Json = Record<string, unknown>;

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly details?: Json,
  ) {
    super(message);
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** JSON with sorted keys, so equal objects compare and hash equal. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function templateHash(template: unknown): string {
  let hash = 2166136261;
  for (const char of canonical(template)) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash.toString(16).padStart(8, '0').slice(0, 10);
}

// ── Deployment shapes ────────────────────────────────────────────────────────

export function asObject(value: unknown): Json {
  return isObject(value) ? value : {};
}

export function metadataOf(object: Json): Json {
  if (!isObject(object.metadata)) object.metadata = {};
  return object.metadata as Json;
}

export function specOf(object: Json): Json {
  if (!isObject(object.spec)) object.spec = {};
  return object.spec as Json;
}

/** What the API server's defaulting adds to a new apps/v1 Deployment. */
export function applyDefaults(deployment: Json): void {
  const spec = specOf(deployment);
  spec.replicas ??= 1;
  spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  const template = asObject(spec.template);
  spec.template = template;
  template.metadata = { creationTimestamp: null, ...asObject(template.metadata) };
  const podSpec = asObject(template.spec);
  template.spec = podSpec;
  podSpec.restartPolicy ??= 'Always';
  podSpec.terminationGracePeriodSeconds ??= 30;
  podSpec.dnsPolicy ??= 'ClusterFirst';
  podSpec.securityContext ??= {};
  podSpec.schedulerName ??= 'default-scheduler';
  for (const list of ['initContainers', 'containers']) {
    for (const container of (podSpec[list] as Json[] | undefined) ?? []) {
      const image = String(container.image ?? '');
      container.imagePullPolicy ??=
        image.endsWith(':latest') || !image.includes(':') ? 'Always' : 'IfNotPresent';
      container.terminationMessagePath ??= '/dev/termination-log';
      container.terminationMessagePolicy ??= 'File';
      container.resources ??= {};
    }
  }
}

export function invalid(name: string, field: string, message: string): HttpProblem {
  return new HttpProblem(422, 'Invalid', `Deployment.apps "${name}" is invalid: ${field}: ${message}`, {
    name,
    group: 'apps',
    kind: 'Deployment',
    causes: [{ reason: 'FieldValueInvalid', message, field }],
  });
}

export function validate(deployment: Json, previous?: Json): void {
  const name = String(metadataOf(deployment).name ?? '');
  const spec = specOf(deployment);
  const selector = asObject(spec.selector);
  const matchLabels = asObject(selector.matchLabels);
  const template = asObject(spec.template);
  const templateLabels = asObject(asObject(template.metadata).labels);
  if (Object.keys(matchLabels).length === 0 && !Array.isArray(selector.matchExpressions)) {
    throw invalid(name, 'spec.selector', 'Required value');
  }
  if (Object.entries(matchLabels).some(([key, value]) => templateLabels[key] !== value)) {
    throw invalid(name, 'spec.template.metadata.labels', '`selector` does not match template `labels`');
  }
  const containers = asObject(template.spec).containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw invalid(name, 'spec.template.spec.containers', 'Required value');
  }
  for (const container of containers as Json[]) {
    if (!container.name || !container.image) {
      throw invalid(name, 'spec.template.spec.containers', 'name and image are required');
    }
  }
  if (previous && canonical(specOf(previous).selector) !== canonical(spec.selector)) {
    throw invalid(name, 'spec.selector', 'field is immutable');
  }
  if (typeof spec.replicas === 'number' && (spec.replicas < 0 || !Number.isInteger(spec.replicas))) {
    throw invalid(name, 'spec.replicas', 'must be greater than or equal to 0');
  }
}

export function notFound(name: string): HttpProblem {
  return new HttpProblem(404, 'NotFound', `deployments.apps "${name}" not found`, {
    name,
    group: 'apps',
    kind: 'deployments',
  });
}

export function conflict(name: string): HttpProblem {
  return new HttpProblem(
    409,
    'Conflict',
    `Operation cannot be fulfilled on deployments.apps "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: 'apps', kind: 'deployments' },
  );
}

export function statusBody(problem: HttpProblem): Json {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: problem.message,
    reason: problem.reason,
    ...(problem.details ? { details: problem.details } : {}),
    code: problem.status,
  };
}

/** The server's one resourceVersion counter: every write of any kind takes the next one. */
export class ResourceVersions {
  private current = 1000;

  next(): string {
    this.current += 1;
    return String(this.current);
  }

  /** The last one given, as a list's metadata carries it. */
  latest(): string {
    return String(this.current);
  }
}
