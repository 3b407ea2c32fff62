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
 * - lists paged by `limit` and `continue` (deployments, services, ingresses; see fake-kube-lists.ts),
 *   core/v1 Services (list) and Namespaces (get: those seeded, or holding a seeded object), and
 *   403s worded as RBAC words them for the requests `forbid` names
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
 *
 * This file is the HTTP front (authentication, injected failures, routing, recording); the
 * resources are in fake-kube-deployments.ts (with the controller), fake-kube-ingresses.ts and
 * fake-kube-pods.ts, access reviews in fake-kube-access.ts, patches in fake-kube-patches.ts.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type AccessRule, reviewSelfAccess } from './fake-kube-access';
import { FakeDeployments, type PodFault } from './fake-kube-deployments';
import { FakeIngresses } from './fake-kube-ingresses';
import { FakeServices, type Forbidden, forbiddenProblem, pagedList } from './fake-kube-lists';
import { HttpProblem, type Json, ResourceVersions, statusBody } from './fake-kube-objects';
import { listPods } from './fake-kube-pods';

export type { AccessRule } from './fake-kube-access';
export type { PodFault } from './fake-kube-deployments';
export type { Forbidden } from './fake-kube-lists';
export { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './fake-kube-patches';
export { podIpOf } from './fake-kube-pods';

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

export interface InjectedFailure {
  status: 429 | 500 | 502 | 503 | 504;
  /** How many matching requests fail (default 1). */
  count?: number;
  method?: string;
  /** Matches when the request path contains this. */
  pathIncludes?: string;
}

export interface FakeKubeApiServerOptions {
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** What SelfSubjectAccessReviews are answered from (see the file's comment). */
  accessRules?: AccessRule[];
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

const APPS_V1_DEPLOYMENTS = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments(?:\/([^/]+)(\/scale)?)?$/;
const NETWORKING_V1_INGRESSES = /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/ingresses\/([^/]+)$/;
const NETWORKING_V1_INGRESS_LIST = /^\/apis\/networking\.k8s\.io\/v1\/namespaces\/([^/]+)\/ingresses$/;
const CORE_V1_SERVICES = /^\/api\/v1\/namespaces\/([^/]+)\/services$/;
const CORE_V1_NAMESPACE = /^\/api\/v1\/namespaces\/([^/]+)$/;

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

  private readonly versions = new ResourceVersions();
  private readonly deployments = new FakeDeployments(this.versions);
  private readonly ingresses = new FakeIngresses(this.versions);
  private readonly services = new FakeServices();
  private readonly namespaces = new Set<string>();
  private readonly forbidden: Forbidden[] = [];
  private readonly failures: Array<Required<Pick<InjectedFailure, 'status' | 'count'>> & InjectedFailure> =
    [];

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
    return this.deployments.seed(deployment, options);
  }

  /** Stores an Ingress as the controller left it: `status` is kept as given (the controller writes it). */
  seedIngress(ingress: Json): Json {
    return this.ingresses.seed(ingress);
  }

  /** Stores a core/v1 Service (listed, never changed). */
  seedService(service: Json): Json {
    return this.services.seed(service, this.versions.next());
  }

  /** A Namespace that exists though nothing is in it (one holding a seeded object exists anyway). */
  seedNamespace(name: string): void {
    this.namespaces.add(name);
  }

  /** Requests that match are refused 403, as RBAC refuses a verb the user was not granted. */
  forbid(rule: Forbidden): void {
    this.forbidden.push(rule);
  }

  /** A copy of the stored Ingress, or undefined. */
  getIngress(namespace: string, name: string): Json | undefined {
    return this.ingresses.get(namespace, name);
  }

  /** A copy of the stored Deployment, or undefined. */
  get(namespace: string, name: string): Json | undefined {
    return this.deployments.get(namespace, name);
  }

  /** Pods running any container with this image behave as `fault` says. */
  failPodsWithImage(image: string, fault: PodFault): void {
    this.deployments.podFaults.set(image, fault);
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
    this.deployments.advance(steps);
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
      if (
        this.forbidden.some(
          (rule) => (rule.method ?? method) === method && url.pathname.includes(rule.pathIncludes),
        )
      ) {
        throw forbiddenProblem(method, url.pathname, this.user);
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

  private route(
    method: string,
    path: string,
    contentType: string | undefined,
    body: unknown,
    query: Record<string, string> = {},
  ): [number, Json] {
    if (path === SELF_SUBJECT_ACCESS_REVIEWS) return reviewSelfAccess(this, method, body);
    const pods = CORE_V1_PODS.exec(path);
    if (pods) {
      if (method !== 'GET')
        throw new HttpProblem(405, 'MethodNotAllowed', `${method} is not allowed on pods`);
      return [
        200,
        listPods(
          this.deployments.byKey.values(),
          decodeURIComponent(pods[1]!),
          query.labelSelector ?? '',
          this.versions.latest(),
        ),
      ];
    }
    const listed = this.list(method, path, query);
    if (listed) return [200, listed];
    const ingress = NETWORKING_V1_INGRESSES.exec(path);
    if (ingress) {
      return this.ingresses.route(
        method,
        decodeURIComponent(ingress[1]!),
        decodeURIComponent(ingress[2]!),
        contentType,
        body,
      );
    }
    const match = APPS_V1_DEPLOYMENTS.exec(path);
    if (!match) throw new HttpProblem(404, 'NotFound', 'the server could not find the requested resource');
    return this.deployments.route(
      method,
      decodeURIComponent(match[1]!),
      match[2] === undefined ? undefined : decodeURIComponent(match[2]),
      match[3] !== undefined,
      contentType,
      body,
    );
  }

  /** GET of a list this fake pages, or of a Namespace; undefined for every other request. */
  private list(method: string, path: string, query: Record<string, string>): Json | undefined {
    if (method !== 'GET') return undefined;
    const version = this.versions.latest();
    const namespace = CORE_V1_NAMESPACE.exec(path);
    if (namespace) {
      const name = decodeURIComponent(namespace[1]!);
      if (!this.namespaceExists(name))
        throw new HttpProblem(404, 'NotFound', `namespaces "${name}" not found`, {
          name,
          kind: 'namespaces',
        });
      return { kind: 'Namespace', apiVersion: 'v1', metadata: { name }, status: { phase: 'Active' } };
    }
    const services = CORE_V1_SERVICES.exec(path);
    if (services) {
      const items = this.services.inNamespace(decodeURIComponent(services[1]!));
      return pagedList('ServiceList', 'v1', items, query, version);
    }
    const ingresses = NETWORKING_V1_INGRESS_LIST.exec(path);
    if (ingresses) {
      const items = this.ingresses.inNamespace(decodeURIComponent(ingresses[1]!));
      return pagedList('IngressList', 'networking.k8s.io/v1', items, query, version);
    }
    const deployments = APPS_V1_DEPLOYMENTS.exec(path);
    if (deployments && deployments[2] === undefined) {
      const items = this.deployments.inNamespace(decodeURIComponent(deployments[1]!));
      return pagedList('DeploymentList', 'apps/v1', items, query, version);
    }
    return undefined;
  }

  private namespaceExists(name: string): boolean {
    return (
      this.namespaces.has(name) ||
      this.deployments.inNamespace(name).length > 0 ||
      this.services.inNamespace(name).length > 0 ||
      this.ingresses.inNamespace(name).length > 0
    );
  }
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
