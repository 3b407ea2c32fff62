/**
 * How the Kubernetes adapters call an EKS cluster's API server through @kubernetes/client-node:
 * one API client per connection, a refused token replaced once, and failures turned into the
 * named errors the state machines retry or catch. Shared by the Deployment (cluster.ts), Ingress
 * (ingress-api.ts) and access review (access-review.ts) adapters.
 */

import { InvalidInputError, NotFoundError, SwitchyardError, TransientClusterError } from '../../core/errors';
import {
  type ApiConstructor,
  ApiException,
  type ApiType,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from './client-node';
import {
  type ClusterLocation,
  type Connect,
  type KubeConnection,
  NETWORK_ERROR_CODES,
} from './eks-connection';

/** Attributes our writes in managedFields. */
export const FIELD_MANAGER = 'switchyard';

// client-node sends a patch as JSON Patch unless told otherwise:
// https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/
export const strategicMergePatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Calls one API of the clusters `connect` reaches. Create once per adapter: it keeps one client
 * per connection, and connections (with their tokens) are cached by `connect`.
 */
export class KubernetesApiCaller<Api extends ApiType> {
  private readonly clients = new WeakMap<KubeConnection, Api>();

  constructor(
    private readonly connect: Connect,
    /** An API class of client-node: AppsV1Api, NetworkingV1Api… */
    private readonly apiClass: ApiConstructor<Api>,
  ) {}

  /** Runs one API call; a refused token is replaced once, and failures become named errors. */
  async call<T>(location: ClusterLocation, subject: string, action: (api: Api) => Promise<T>): Promise<T> {
    const where = { region: location.region, cluster: location.cluster };
    try {
      try {
        return await action(this.api(await this.connect(where)));
      } catch (error) {
        if (!(error instanceof ApiException) || error.code !== 401) throw error;
        // A token can be refused before its time (revoked session, clock skew): sign anew once.
        return await action(this.api(await this.connect(where, { forceRefresh: true })));
      }
    } catch (error) {
      throw toClusterError(error, subject);
    }
  }

  private api(connection: KubeConnection): Api {
    let api = this.clients.get(connection);
    if (!api) {
      const config = new KubeConfig();
      config.loadFromOptions({
        clusters: [
          {
            name: 'cluster',
            server: connection.server,
            caData: connection.caData,
            skipTLSVerify: connection.skipTLSVerify ?? false,
          },
        ],
        users: [{ name: 'switchyard', token: connection.token }],
        contexts: [{ name: 'switchyard', cluster: 'cluster', user: 'switchyard' }],
        currentContext: 'switchyard',
      });
      api = config.makeApiClient(this.apiClass);
      this.clients.set(connection, api);
    }
    return api;
  }
}

/** The `message` of the Kubernetes Status object in an error response, when there is one. */
export function statusMessage(body: unknown): string | undefined {
  if (typeof body !== 'string' || body === '') return undefined;
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return body.slice(0, 500);
  }
}

export function toClusterError(error: unknown, subject: string): Error {
  if (error instanceof SwitchyardError) return error;
  if (error instanceof ApiException) {
    const code = error.code;
    const detail = statusMessage(error.body);
    const said = detail ? `: ${detail}` : '';
    if (code === 404) return new NotFoundError(`${subject} not found${said}`);
    // 409 is a stale resourceVersion or a create racing another: reading again resolves both.
    if (code === 429 || code === 409 || code >= 500) {
      return new TransientClusterError(`${subject}: the API server answered ${code}${said}`);
    }
    if (code === 400 || code === 422) {
      return new InvalidInputError(`${subject} refused the change (${code})${said}`);
    }
    if (code === 401 || code === 403) {
      return new Error(
        `${subject}: the API server answered ${code}${said}; check the EKS access entry and RBAC of this role`,
        { cause: error },
      );
    }
    return new Error(`${subject}: the API server answered ${code}${said}`, { cause: error });
  }
  if (error instanceof Error) {
    // node-fetch reports a failed connection as a FetchError carrying the system error's code,
    // and a timeout as an AbortError.
    const { code } = error as Error & { code?: string };
    if (error.name === 'AbortError' || NETWORK_ERROR_CODES.has(code ?? '')) {
      return new TransientClusterError(`${subject}: ${error.message}`);
    }
    return new Error(`${subject}: ${error.message}`, { cause: error });
  }
  return new Error(`${subject}: ${String(error)}`);
}
