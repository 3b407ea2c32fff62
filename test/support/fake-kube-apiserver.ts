/**
 * A small, real Kubernetes API server for apps/v1 Deployments and networking.k8s.io/v1 Ingresses
 * on 127.0.0.1 (plain HTTP, or HTTPS with a given certificate), so the Kubernetes adapters run
 * through the real @kubernetes/client-node against it.
 *
 * What it serves, as the real API server does:
 * - GET (list), POST on /apis/apps/v1/namespaces/{ns}/deployments
 * - GET (list, with labelSelector) on /api/v1/namespaces/{ns}/pods: the Deployments' pods
 * - GET, PUT, PATCH, DELETE on …/deployments/{name}; GET, PUT, PATCH on …/deployments/{name}/scale
 * - defaulting on create (replicas 1, RollingUpdate 25 %/25 %, progressDeadlineSeconds 600, …),
 *   metadata.generation bumped on every spec change, resourceVersion on every write,
 *   status fields omitted when zero (omitempty)
 * - validation answered with a Status object: 422 when the selector does not match the template
 *   labels or changes (it is immutable), 409 on a stale resourceVersion or an existing name,
 *   404 for a missing Deployment, 401 without the expected bearer token
 * - PATCH by Content-Type: application/strategic-merge-patch+json (merge keys of the pod spec:
 *   containers by name, env by name, volumeMounts by mountPath…, `$patch: delete|replace`,
 *   null deletes), application/merge-patch+json (RFC 7386), application/json-patch+json
 *   (RFC 6902 add/remove/replace/test); any other type is refused with 415
 * - Ingresses: GET and PATCH on /apis/networking.k8s.io/v1/namespaces/{ns}/ingresses/{name}, with
 *   the same patch types, a resourceVersion precondition (409), annotation values that must be
 *   strings (400), status kept from what `seedIngress` gave (the main resource cannot write it),
 *   and a patch that changes nothing leaving the resourceVersion as it is
 * - SelfSubjectAccessReviews: POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews answered
 *   201 with the object and its status filled in from `accessRules`, tried in order as an
 *   authorizer chain is (the first rule that matches decides; none matching is "no opinion":
 *   `allowed: false` and no `denied`, as omitempty leaves it out); 422 unless exactly one of
 *   resourceAttributes and nonResourceAttributes is given; 403 when the review itself is not
 *   allowed (`basicUser: false` and no rule allowing it). The rules answer reviews only: other
 *   requests are not authorized against them
 *
 * The Deployment controller is simulated and moves only when a test calls `advance()`: each call
 * takes every Deployment ONE step (observe the new generation; make new pods ready; create one
 * new pod; terminate one old pod; or, for a faulty image, declare ProgressDeadlineExceeded), so
 * tests can see every intermediate status kubectl would (maxSurge and maxUnavailable are not
 * modelled). `failPodsWithImage` makes pods of an image never become ready, and optionally run
 * past the progress deadline; `failNext` answers the next matching requests with 429 or 5xx.
 * Every request is recorded (method, path, query, content type, body, answer).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  applyDefaults,
  asObject,
  canonical,
  clone,
  conflict,
  HttpProblem,
  invalid,
  isObject,
  type Json,
  metadataOf,
  notFound,
  specOf,
  statusBody,
  templateHash,
  validate,
} from './fake-kube-objects';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PATCH_TYPES } from './fake-kube-patches';

export { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './fake-kube-patches';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  authorization: string | undefined;
  body: unknown;
  /** The status code the fake answered with. */
  status: number;
}

/** neverReady: new pods stay unready forever; progressDeadlineExceeded: and the deadline passes. */
export type PodFault = 'neverReady' | 'progressDeadlineExceeded';

export interface InjectedFailure {
  status: 429 | 500 | 502 | 503 | 504;
  /** How many matching requests fail (default 1). */
  count?: number;
  method?: string;
  /** Matches when the request path contains this. */
  pathIncludes?: string;
}

/**
 * One authorization rule SelfSubjectAccessReviews are answered from. `verb`, `group` and
 * `resource` match exactly, or anything with "*" as in RBAC; "" is the core API group.
 */
export interface AccessRule {
  /** Only this namespace (a RoleBinding); absent, every namespace and the cluster scope (a ClusterRoleBinding). */
  namespace?: string;
  verb: string;
  group: string;
  resource: string;
  /** Default allow. RBAC only ever allows; a webhook authorizer (EKS access policies) may deny. */
  effect?: 'allow' | 'deny';
  /** status.reason when this rule decides. */
  reason?: string;
}

export interface FakeKubeApiServerOptions {
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** What SelfSubjectAccessReviews are answered from (see the file's comment). */
  accessRules?: AccessRule[];
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** The simulated pods behind one Deployment: the current template's and all older ones. */
interface PodState {
  templateHash: string;
  newPods: number;
  newReady: number;
  oldPods: number;
  deadlineExceeded: boolean;
}

interface Stored {
  object: Json;
  pods: PodState;
}

const APPS_V1_DEPLOYMENTS = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments(?:\/([^/]+)(\/scale)?)?$/;
const NETWORKING_V1_INGRESSES = /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/ingresses\/([^/]+)$/;

const CORE_V1_PODS = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/;
const SELF_SUBJECT_ACCESS_REVIEWS = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

// ── the server ───────────────────────────────────────────────────────────────

export class FakeKubeApiServer {
  /** Every request in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token: string | undefined;
  /** SelfSubjectAccessReviews are answered from these, in order. */
  accessRules: AccessRule[];
  /**
   * Whether the default ClusterRoleBinding system:basic-user (every authenticated user may
   * create selfsubjectaccessreviews) is in place; false as where an administrator removed it.
   */
  basicUser = true;
  /** When set, every review's status carries it, as RBAC reports a binding to a missing role. */
  accessEvaluationError: string | undefined;
  /** The authenticated user's name, as a refusal names it. */
  user = 'switchyard';

  private readonly deployments = new Map<string, Stored>();
  private readonly ingresses = new Map<string, Json>();
  private readonly podFaults = new Map<string, PodFault>();
  private readonly failures: Array<Required<Pick<InjectedFailure, 'status' | 'count'>> & InjectedFailure> =
    [];
  private resourceVersion = 1000;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    options: Pick<FakeKubeApiServerOptions, 'token' | 'accessRules'>,
  ) {
    this.token = options.token;
    this.accessRules = [...(options.accessRules ?? [])];
  }

  static async start(options: FakeKubeApiServerOptions = {}): Promise<FakeKubeApiServer> {
    let fake: FakeKubeApiServer | undefined;
    const listener = (request: IncomingMessage, response: ServerResponse) => {
      void fake!.handle(request, response);
    };
    const server = options.tls ? createTlsServer(options.tls, listener) : createServer(listener);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    fake = new FakeKubeApiServer(server, `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`, options);
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * Stores a Deployment as if created through the API; with `rolledOut` (the default) its pods
   * are already running and ready, as for a workload that has been serving for a while.
   */
  seed(deployment: Json, options: { rolledOut?: boolean } = {}): Json {
    const object = clone(deployment);
    const metadata = metadataOf(object);
    const namespace = String(metadata.namespace ?? 'default');
    metadata.namespace = namespace;
    this.create(namespace, object);
    const stored = this.stored(namespace, String(metadata.name))!;
    if (options.rolledOut ?? true) {
      const replicas = Number(specOf(stored.object).replicas);
      stored.pods = { ...stored.pods, newPods: replicas, newReady: replicas };
      asObject(stored.object.status).observedGeneration = metadataOf(stored.object).generation;
      this.refreshStatus(stored);
    }
    return clone(stored.object);
  }

  /** Stores an Ingress as the controller left it: `status` is kept as given (the controller writes it). */
  seedIngress(ingress: Json): Json {
    const object = clone(ingress);
    const metadata = metadataOf(object);
    const namespace = String(metadata.namespace ?? 'default');
    Object.assign(metadata, {
      namespace,
      uid: randomUUID(),
      generation: 1,
      creationTimestamp: new Date().toISOString(),
      resourceVersion: this.nextResourceVersion(),
    });
    object.apiVersion = 'networking.k8s.io/v1';
    object.kind = 'Ingress';
    this.ingresses.set(`${namespace}/${String(metadata.name)}`, object);
    return clone(object);
  }

  /** A copy of the stored Ingress, or undefined. */
  getIngress(namespace: string, name: string): Json | undefined {
    const stored = this.ingresses.get(`${namespace}/${name}`);
    return stored && clone(stored);
  }

  /** A copy of the stored Deployment, or undefined. */
  get(namespace: string, name: string): Json | undefined {
    const stored = this.stored(namespace, name);
    return stored && clone(stored.object);
  }

  /** Pods running any container with this image behave as `fault` says. */
  failPodsWithImage(image: string, fault: PodFault): void {
    this.podFaults.set(image, fault);
  }

  /** The next `count` requests that match answer `status` with a Status body. */
  failNext(failure: InjectedFailure): void {
    this.failures.push({ count: 1, ...failure });
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Moves every Deployment's controller one step (see the file's comment). */
  advance(steps = 1): void {
    for (let i = 0; i < steps; i++) {
      for (const stored of this.deployments.values()) this.step(stored);
    }
  }

  // ── controller ─────────────────────────────────────────────────────────────

  private faultOf(stored: Stored): PodFault | undefined {
    const podSpec = asObject(asObject(specOf(stored.object).template).spec);
    const containers = [
      ...((podSpec.initContainers as Json[]) ?? []),
      ...((podSpec.containers as Json[]) ?? []),
    ];
    let fault: PodFault | undefined;
    for (const container of containers) {
      const found = this.podFaults.get(String(container.image));
      if (found === 'progressDeadlineExceeded' || (found && !fault)) fault = found;
    }
    return fault;
  }

  private step(stored: Stored): void {
    const metadata = metadataOf(stored.object);
    const spec = specOf(stored.object);
    const status = asObject(stored.object.status);
    stored.object.status = status;
    const pods = stored.pods;
    const desired = Number(spec.replicas ?? 1);
    const fault = this.faultOf(stored);
    const generation = Number(metadata.generation);

    if (Number(status.observedGeneration ?? 0) < generation) {
      const hash = templateHash(spec.template);
      if (hash !== pods.templateHash) {
        // A new ReplicaSet: every running pod now belongs to an old one.
        stored.pods = {
          templateHash: hash,
          newPods: 0,
          newReady: 0,
          oldPods: pods.oldPods + pods.newPods,
          deadlineExceeded: false,
        };
      }
      status.observedGeneration = generation;
    } else if (pods.newReady < pods.newPods && !fault) {
      pods.newReady = pods.newPods;
    } else if (pods.newPods < desired) {
      pods.newPods += 1;
    } else if (pods.newPods > desired) {
      pods.newPods = desired;
      pods.newReady = Math.min(pods.newReady, desired);
    } else if (pods.oldPods > 0 && pods.newReady === pods.newPods) {
      pods.oldPods -= 1;
    } else if (fault === 'progressDeadlineExceeded' && pods.newReady < pods.newPods) {
      pods.deadlineExceeded = true;
    } else {
      return;
    }
    this.refreshStatus(stored);
  }

  private refreshStatus(stored: Stored): void {
    const { pods } = stored;
    const metadata = metadataOf(stored.object);
    const spec = specOf(stored.object);
    const previous = asObject(stored.object.status);
    const desired = Number(spec.replicas ?? 1);
    const replicas = pods.newPods + pods.oldPods;
    const ready = pods.newReady + pods.oldPods;
    const replicaSet = `${String(metadata.name)}-${pods.templateHash}`;
    const complete =
      Number(previous.observedGeneration ?? 0) >= Number(metadata.generation) &&
      pods.newPods === desired &&
      pods.newReady === desired &&
      pods.oldPods === 0;
    const now = new Date().toISOString();
    const progressing = pods.deadlineExceeded
      ? {
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: `ReplicaSet "${replicaSet}" has timed out progressing.`,
        }
      : complete
        ? {
            status: 'True',
            reason: 'NewReplicaSetAvailable',
            message: `ReplicaSet "${replicaSet}" has successfully progressed.`,
          }
        : {
            status: 'True',
            reason: 'ReplicaSetUpdated',
            message: `ReplicaSet "${replicaSet}" is progressing.`,
          };
    const available =
      ready >= desired
        ? {
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.',
          }
        : {
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
          };
    // Zero counts are omitted, as the real API's omitempty does.
    const counts: Json = {
      replicas,
      updatedReplicas: pods.newPods,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: Math.max(0, replicas - ready),
    };
    stored.object.status = {
      ...(previous.observedGeneration !== undefined
        ? { observedGeneration: previous.observedGeneration }
        : {}),
      ...Object.fromEntries(Object.entries(counts).filter(([, value]) => value !== 0)),
      conditions: [
        { type: 'Available', ...available, lastUpdateTime: now, lastTransitionTime: now },
        { type: 'Progressing', ...progressing, lastUpdateTime: now, lastTransitionTime: now },
      ],
    };
    metadata.resourceVersion = this.nextResourceVersion();
  }

  // ── storage ────────────────────────────────────────────────────────────────

  private nextResourceVersion(): string {
    this.resourceVersion += 1;
    return String(this.resourceVersion);
  }

  private stored(namespace: string, name: string): Stored | undefined {
    return this.deployments.get(`${namespace}/${name}`);
  }

  private require(namespace: string, name: string): Stored {
    const stored = this.stored(namespace, name);
    if (!stored) throw notFound(name);
    return stored;
  }

  private create(namespace: string, body: unknown): Json {
    if (!isObject(body)) throw new HttpProblem(400, 'BadRequest', 'the request body must be a Deployment');
    const object = clone(body);
    const metadata = metadataOf(object);
    if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
      throw new HttpProblem(
        400,
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    const name = String(metadata.name ?? '');
    if (!name) throw invalid('', 'metadata.name', 'Required value: name or generateName is required');
    if (this.stored(namespace, name)) {
      throw new HttpProblem(409, 'AlreadyExists', `deployments.apps "${name}" already exists`, {
        name,
        group: 'apps',
        kind: 'deployments',
      });
    }
    applyDefaults(object);
    validate(object);
    object.apiVersion = 'apps/v1';
    object.kind = 'Deployment';
    Object.assign(metadata, {
      namespace,
      uid: randomUUID(),
      generation: 1,
      creationTimestamp: new Date().toISOString(),
      resourceVersion: this.nextResourceVersion(),
    });
    object.status = {};
    const stored: Stored = {
      object,
      pods: {
        templateHash: templateHash(specOf(object).template),
        newPods: 0,
        newReady: 0,
        oldPods: 0,
        deadlineExceeded: false,
      },
    };
    this.deployments.set(`${namespace}/${name}`, stored);
    return clone(object);
  }

  /** Stores `next` as the new version of `stored`: server fields kept, generation bumped on spec change. */
  private update(stored: Stored, next: Json, expectedResourceVersion: unknown): Json {
    const current = stored.object;
    const currentMetadata = metadataOf(current);
    const name = String(currentMetadata.name);
    if (
      expectedResourceVersion !== undefined &&
      expectedResourceVersion !== currentMetadata.resourceVersion
    ) {
      throw conflict(name);
    }
    const object = clone(next);
    const metadata = metadataOf(object);
    if (metadata.name !== undefined && metadata.name !== name) {
      throw new HttpProblem(
        400,
        'BadRequest',
        `the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    applyDefaults(object);
    validate(object, current);
    const specChanged = canonical(specOf(object)) !== canonical(specOf(current));
    object.apiVersion = 'apps/v1';
    object.kind = 'Deployment';
    Object.assign(metadata, {
      name,
      namespace: currentMetadata.namespace,
      uid: currentMetadata.uid,
      creationTimestamp: currentMetadata.creationTimestamp,
      generation: Number(currentMetadata.generation) + (specChanged ? 1 : 0),
      resourceVersion: this.nextResourceVersion(),
    });
    // The main resource cannot write status.
    object.status = current.status;
    stored.object = object;
    return clone(object);
  }

  private scaleOf(stored: Stored): Json {
    const metadata = metadataOf(stored.object);
    const selector = asObject(asObject(specOf(stored.object).selector).matchLabels);
    const status = asObject(stored.object.status);
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: metadata.name,
        namespace: metadata.namespace,
        uid: metadata.uid,
        resourceVersion: metadata.resourceVersion,
        creationTimestamp: metadata.creationTimestamp,
      },
      spec: { replicas: specOf(stored.object).replicas },
      status: {
        replicas: status.replicas ?? 0,
        selector: Object.entries(selector)
          .map(([key, value]) => `${key}=${String(value)}`)
          .join(','),
      },
    };
  }

  private patched(current: Json, contentType: string | undefined, body: unknown): Json {
    const type = contentType?.split(';')[0]?.trim();
    switch (type) {
      case 'application/strategic-merge-patch+json':
        return asObject(applyStrategicMergePatch(current, body));
      case 'application/merge-patch+json':
        return asObject(applyMergePatch(current, body));
      case 'application/json-patch+json':
        return asObject(applyJsonPatch(current, body));
      default:
        throw new HttpProblem(
          415,
          'UnsupportedMediaType',
          `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
        );
    }
  }

  // ── HTTP ───────────────────────────────────────────────────────────────────

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: request.headers['content-type'],
      authorization: request.headers.authorization,
      body: undefined,
      status: 0,
    };
    this.requests.push(record);
    let status = 200;
    let payload: Json;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    try {
      const text = await readBody(request);
      if (text !== '') {
        try {
          record.body = JSON.parse(text);
        } catch {
          throw new HttpProblem(400, 'BadRequest', 'the request body is not valid JSON');
        }
      }
      if (this.token !== undefined && request.headers.authorization !== `Bearer ${this.token}`) {
        throw new HttpProblem(401, 'Unauthorized', 'Unauthorized');
      }
      const failure = this.failures.find(
        (f) =>
          (f.method === undefined || f.method === method) &&
          (f.pathIncludes === undefined || url.pathname.includes(f.pathIncludes)),
      );
      if (failure) {
        failure.count -= 1;
        if (failure.count <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
        if (failure.status === 429) headers['retry-after'] = '1';
        const reason =
          failure.status === 429
            ? 'TooManyRequests'
            : failure.status === 503
              ? 'ServiceUnavailable'
              : 'InternalError';
        throw new HttpProblem(failure.status, reason, `injected failure ${failure.status}`);
      }
      [status, payload] = this.route(method, url.pathname, record.contentType, record.body, record.query);
    } catch (error) {
      const problem =
        error instanceof HttpProblem
          ? error
          : new HttpProblem(500, 'InternalError', `fake API server: ${String(error)}`);
      status = problem.status;
      payload = statusBody(problem);
    }
    record.status = status;
    response.writeHead(status, headers);
    response.end(JSON.stringify(payload));
  }

  /**
   * The pods of every Deployment in the namespace (its current and older ones, all with the
   * current template's labels), filtered by a label selector as the API server parses it:
   * `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`.
   */
  private listPods(namespace: string, labelSelector: string): Json {
    const matches = parseLabelSelector(labelSelector);
    const items: Json[] = [];
    for (const stored of this.deployments.values()) {
      const metadata = metadataOf(stored.object);
      if (metadata.namespace !== namespace) continue;
      const template = asObject(specOf(stored.object).template);
      const labels = (asObject(template.metadata).labels ?? {}) as Record<string, string>;
      if (!matches(labels)) continue;
      const count = stored.pods.newPods + stored.pods.oldPods;
      for (let index = 0; index < count; index += 1) {
        items.push({
          metadata: {
            name: `${String(metadata.name)}-${stored.pods.templateHash}-${index}`,
            namespace,
            labels,
          },
          status: { phase: 'Running', podIP: podIpOf(String(metadata.name), index) },
        });
      }
    }
    return {
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(this.resourceVersion) },
      items,
    };
  }

  private route(
    method: string,
    path: string,
    contentType: string | undefined,
    body: unknown,
    query: Record<string, string> = {},
  ): [number, Json] {
    if (path === SELF_SUBJECT_ACCESS_REVIEWS) return this.reviewSelfAccess(method, body);
    const pods = CORE_V1_PODS.exec(path);
    if (pods) {
      if (method !== 'GET')
        throw new HttpProblem(405, 'MethodNotAllowed', `${method} is not allowed on pods`);
      return [200, this.listPods(decodeURIComponent(pods[1]!), query.labelSelector ?? '')];
    }
    const ingress = NETWORKING_V1_INGRESSES.exec(path);
    if (ingress) {
      return this.routeIngress(
        method,
        decodeURIComponent(ingress[1]!),
        decodeURIComponent(ingress[2]!),
        contentType,
        body,
      );
    }
    const match = APPS_V1_DEPLOYMENTS.exec(path);
    if (!match) throw new HttpProblem(404, 'NotFound', 'the server could not find the requested resource');
    const namespace = decodeURIComponent(match[1]!);
    const name = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const scale = match[3] !== undefined;

    if (name === undefined) {
      if (method === 'GET') {
        const items = [...this.deployments.values()]
          .map((stored) => stored.object)
          .filter((object) => metadataOf(object).namespace === namespace)
          .map(clone);
        return [
          200,
          {
            kind: 'DeploymentList',
            apiVersion: 'apps/v1',
            metadata: { resourceVersion: String(this.resourceVersion) },
            items,
          },
        ];
      }
      if (method === 'POST') return [201, this.create(namespace, body)];
      throw new HttpProblem(405, 'MethodNotAllowed', `${method} is not allowed on this resource`);
    }

    const stored = this.require(namespace, name);
    if (scale) {
      if (method === 'GET') return [200, this.scaleOf(stored)];
      if (method !== 'PATCH' && method !== 'PUT') {
        throw new HttpProblem(405, 'MethodNotAllowed', `${method} is not allowed on this resource`);
      }
      const current = this.scaleOf(stored);
      const next = method === 'PATCH' ? this.patched(current, contentType, body) : asObject(body);
      const replicas = asObject(next.spec).replicas;
      if (typeof replicas !== 'number') throw invalid(name, 'spec.replicas', 'Required value');
      const updated = clone(stored.object);
      specOf(updated).replicas = replicas;
      // Scale's resourceVersion is the Deployment's: one sent in the write is a precondition.
      this.update(stored, updated, metadataOf(next).resourceVersion);
      return [200, this.scaleOf(stored)];
    }

    switch (method) {
      case 'GET':
        return [200, clone(stored.object)];
      case 'PUT': {
        if (!isObject(body))
          throw new HttpProblem(400, 'BadRequest', 'the request body must be a Deployment');
        return [200, this.update(stored, body, metadataOf(clone(body)).resourceVersion)];
      }
      case 'PATCH': {
        const next = this.patched(stored.object, contentType, body);
        // A resourceVersion in the patch is a precondition; the patched copy carries it.
        return [200, this.update(stored, next, metadataOf(next).resourceVersion)];
      }
      case 'DELETE': {
        const metadata = metadataOf(stored.object);
        this.deployments.delete(`${namespace}/${name}`);
        return [
          200,
          {
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Success',
            details: { name, group: 'apps', kind: 'deployments', uid: metadata.uid },
          },
        ];
      }
      default:
        throw new HttpProblem(405, 'MethodNotAllowed', `${method} is not allowed on this resource`);
    }
  }

  /** The first rule that decides these resource attributes, or undefined for no opinion. */
  private accessRuleFor(attributes: Json): AccessRule | undefined {
    const matches = (pattern: string, value: unknown) => pattern === '*' || pattern === String(value ?? '');
    return this.accessRules.find(
      (rule) =>
        (rule.namespace === undefined || rule.namespace === String(attributes.namespace ?? '')) &&
        matches(rule.verb, attributes.verb) &&
        matches(rule.group, attributes.group) &&
        matches(rule.resource, attributes.resource),
    );
  }

  private reviewSelfAccess(method: string, body: unknown): [number, Json] {
    if (method !== 'POST') {
      throw new HttpProblem(405, 'MethodNotAllowed', `${method} is not allowed on selfsubjectaccessreviews`);
    }
    // Creating the review is itself authorized: by a rule, or else by system:basic-user.
    const own = this.accessRuleFor({
      verb: 'create',
      group: 'authorization.k8s.io',
      resource: 'selfsubjectaccessreviews',
    });
    if (own ? own.effect === 'deny' : !this.basicUser) {
      throw new HttpProblem(
        403,
        'Forbidden',
        `selfsubjectaccessreviews.authorization.k8s.io is forbidden: User "${this.user}" cannot create resource "selfsubjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope`,
        { group: 'authorization.k8s.io', kind: 'selfsubjectaccessreviews' },
      );
    }
    if (!isObject(body)) {
      throw new HttpProblem(400, 'BadRequest', 'the request body must be a SelfSubjectAccessReview');
    }
    const spec = asObject(body.spec);
    const given = ['resourceAttributes', 'nonResourceAttributes'].filter((key) => isObject(spec[key]));
    if (given.length !== 1) {
      const [field, reason, message] =
        given.length === 0
          ? [
              'spec.resourceAttributes',
              'FieldValueRequired',
              'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
            ]
          : [
              'spec.nonResourceAttributes',
              'FieldValueInvalid',
              'Invalid value: cannot be specified in combination with resourceAttributes',
            ];
      throw new HttpProblem(
        422,
        'Invalid',
        `SelfSubjectAccessReview.authorization.k8s.io "" is invalid: ${field}: ${message}`,
        {
          group: 'authorization.k8s.io',
          kind: 'SelfSubjectAccessReview',
          causes: [{ reason, message, field }],
        },
      );
    }
    // Non-resource URLs have no rules here: no opinion.
    const rule = isObject(spec.resourceAttributes) ? this.accessRuleFor(spec.resourceAttributes) : undefined;
    const denied = rule?.effect === 'deny';
    const status: Json = { allowed: rule !== undefined && !denied };
    if (denied) status.denied = true;
    if (rule?.reason) status.reason = rule.reason;
    if (this.accessEvaluationError) status.evaluationError = this.accessEvaluationError;
    return [
      201,
      {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec: clone(spec),
        status,
      },
    ];
  }

  private routeIngress(
    method: string,
    namespace: string,
    name: string,
    contentType: string | undefined,
    body: unknown,
  ): [number, Json] {
    const key = `${namespace}/${name}`;
    const current = this.ingresses.get(key);
    if (!current) {
      throw new HttpProblem(404, 'NotFound', `ingresses.networking.k8s.io "${name}" not found`, {
        name,
        group: 'networking.k8s.io',
        kind: 'ingresses',
      });
    }
    if (method === 'GET') return [200, clone(current)];
    if (method !== 'PATCH') {
      throw new HttpProblem(405, 'MethodNotAllowed', `${method} is not allowed on this resource`);
    }
    const next = this.patched(current, contentType, body);
    const metadata = metadataOf(next);
    const currentMetadata = metadataOf(current);
    if (metadata.resourceVersion !== currentMetadata.resourceVersion) {
      throw new HttpProblem(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ingresses.networking.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: 'networking.k8s.io', kind: 'ingresses' },
      );
    }
    for (const [annotation, value] of Object.entries(asObject(metadata.annotations))) {
      if (typeof value !== 'string') {
        throw new HttpProblem(
          400,
          'BadRequest',
          `json: cannot unmarshal ${typeof value} into Go struct field ObjectMeta.metadata.annotations of type string (${annotation})`,
        );
      }
    }
    // Identity and status are the server's; the main resource cannot change them.
    Object.assign(metadata, {
      name,
      namespace,
      uid: currentMetadata.uid,
      creationTimestamp: currentMetadata.creationTimestamp,
      generation: currentMetadata.generation,
    });
    next.status = current.status;
    next.apiVersion = current.apiVersion;
    next.kind = current.kind;
    if (canonical(next) !== canonical(current)) {
      if (canonical(next.spec) !== canonical(current.spec))
        metadata.generation = Number(currentMetadata.generation) + 1;
      metadata.resourceVersion = this.nextResourceVersion();
      this.ingresses.set(key, next);
    }
    return [200, clone(this.ingresses.get(key)!)];
  }
}

/** A stable address per Deployment and pod index. */
export function podIpOf(deployment: string, index: number): string {
  let hash = 0;
  for (const char of deployment) hash = (hash * 31 + char.charCodeAt(0)) & 0xffff;
  return `10.${hash >> 8}.${hash & 0xff}.${index + 1}`;
}

function parseLabelSelector(text: string): (labels: Record<string, string>) => boolean {
  // Split on commas outside parentheses.
  const terms = text
    .split(/,(?![^(]*\))/)
    .map((term) => term.trim())
    .filter(Boolean);
  const tests = terms.map((term): ((labels: Record<string, string>) => boolean) => {
    let found = /^(\S+?)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (found) {
      const values = found[3]!.split(',').map((value) => value.trim());
      const [key, operator] = [found[1]!, found[2]!];
      return (labels) =>
        operator === 'in'
          ? values.includes(labels[key] ?? '\u0000')
          : !values.includes(labels[key] ?? '\u0000');
    }
    found = /^(\S+?)\s*(!=|==|=)\s*(\S*)$/.exec(term);
    if (found) {
      const [key, operator, value] = [found[1]!, found[2]!, found[3]!];
      return (labels) => (operator === '!=' ? labels[key] !== value : labels[key] === value);
    }
    if (term.startsWith('!')) return (labels) => !(term.slice(1) in labels);
    return (labels) => term in labels;
  });
  return (labels) => tests.every((test) => test(labels));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function startFakeKubeApiServer(options: FakeKubeApiServerOptions = {}): Promise<FakeKubeApiServer> {
  return FakeKubeApiServer.start(options);
}

/** The URL of a port nothing listens on any more (a fake started and closed): a refused connection. */
export async function unreachableApiServerUrl(): Promise<string> {
  const closed = await startFakeKubeApiServer();
  await closed.close();
  return closed.url;
}

/**
 * test/adapters/kubernetes/fixtures/: a test CA (ca.crt), a server certificate it signed for
 * 127.0.0.1 (server.crt, server.key), and an unrelated CA (other-ca.crt); made once with openssl,
 * valid until 2126.
 */
export type TlsFixture = 'ca.crt' | 'other-ca.crt' | 'server.crt' | 'server.key';

export function readTlsFixture(name: TlsFixture): Promise<Buffer> {
  return readFile(new URL(`../adapters/kubernetes/fixtures/${name}`, import.meta.url));
}

/** A fake on HTTPS with the fixtures' server certificate, as an EKS endpoint is reached. */
export async function startTlsFakeKubeApiServer(
  options: Omit<FakeKubeApiServerOptions, 'tls'> = {},
): Promise<FakeKubeApiServer> {
  const [key, cert] = await Promise.all([readTlsFixture('server.key'), readTlsFixture('server.crt')]);
  return startFakeKubeApiServer({ ...options, tls: { key, cert } });
}

/** What DescribeCluster answers for an ACTIVE cluster served by `server`, whose CA is `ca`. */
export async function describedCluster(server: FakeKubeApiServer, ca: TlsFixture = 'ca.crt') {
  return {
    cluster: {
      status: 'ACTIVE' as const,
      endpoint: server.url,
      certificateAuthority: { data: (await readTlsFixture(ca)).toString('base64') },
    },
  };
}
