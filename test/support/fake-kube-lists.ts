/**
 * The fake API server's lists as the real one pages them, its core/v1 Services and Namespaces,
 * and RBAC refusals (403) worded as the real authorizer words them.
 *
 * Paging (https://kubernetes.io/docs/reference/using-api/api-concepts/#retrieving-large-results-sets-in-chunks):
 * `limit` caps the items of one answer; when more remain, `metadata.continue` carries an opaque
 * token to send back as `continue`, and `metadata.remainingItemCount` says how many are left.
 * Items come in key order (namespace, then name), as etcd returns them. Unlike the real server the
 * fake does not hold a snapshot: a page continued after a write sees the write. A token that is
 * not one of the fake's is a 400, as the real server answers it.
 */
import { clone, HttpProblem, type Json, metadataOf } from './fake-kube-objects';

export function pagedList(
  kind: string,
  apiVersion: string,
  items: readonly Json[],
  query: Record<string, string>,
  resourceVersion: string,
): Json {
  const sorted = [...items].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  const after = query.continue ? continueKey(query.continue) : undefined;
  const from = after === undefined ? sorted : sorted.filter((item) => keyOf(item) > after);
  const limit = query.limit === undefined || query.limit === '0' ? undefined : Number(query.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new HttpProblem(400, 'BadRequest', `invalid limit "${query.limit}"`);
  }
  const page = limit === undefined ? from : from.slice(0, limit);
  const remaining = from.length - page.length;
  const metadata: Json = { resourceVersion };
  if (remaining > 0) {
    metadata.continue = Buffer.from(JSON.stringify({ v: 'fake/v1', after: keyOf(page.at(-1)!) })).toString(
      'base64url',
    );
    metadata.remainingItemCount = remaining;
  }
  return { kind, apiVersion, metadata, items: page.map(clone) };
}

function keyOf(item: Json): string {
  const metadata = metadataOf(item);
  return `${String(metadata.namespace ?? '')}/${String(metadata.name ?? '')}`;
}

function continueKey(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      v?: string;
      after?: unknown;
    };
    if (parsed.v === 'fake/v1' && typeof parsed.after === 'string') return parsed.after;
  } catch {
    // Falls through to the refusal.
  }
  throw new HttpProblem(
    400,
    'BadRequest',
    'continue key is not valid: incorrect encoded start resourceVersion',
  );
}

/** core/v1 Services, seeded as a chart would have made them; listed per namespace. */
export class FakeServices {
  private readonly byKey = new Map<string, Json>();

  seed(service: Json, resourceVersion: string): Json {
    const object = clone(service);
    const metadata = metadataOf(object);
    metadata.namespace ??= 'default';
    metadata.resourceVersion = resourceVersion;
    object.apiVersion = 'v1';
    object.kind = 'Service';
    this.byKey.set(keyOf(object), object);
    return clone(object);
  }

  inNamespace(namespace: string): Json[] {
    return [...this.byKey.values()].filter((object) => metadataOf(object).namespace === namespace);
  }
}

/** A refusal to act on a resource, for `FakeKubeApiServer.forbid`. */
export interface Forbidden {
  method?: string;
  /** Matches when the request path contains this. */
  pathIncludes: string;
}

const RESOURCE_PATH =
  /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/;

/** The 403 the RBAC authorizer answers, worded as the real API server words it. */
export function forbiddenProblem(method: string, path: string, user: string): HttpProblem {
  const match = RESOURCE_PATH.exec(path);
  const group = match?.[1] ?? '';
  const namespace = match?.[2];
  const resource = match?.[3] ?? 'unknown';
  const name = match?.[4];
  const verb =
    method === 'GET'
      ? name === undefined
        ? 'list'
        : 'get'
      : method === 'POST'
        ? 'create'
        : method.toLowerCase();
  const qualified = group ? `${resource}.${group}` : resource;
  const object = name === undefined ? qualified : `${qualified} "${name}"`;
  return new HttpProblem(
    403,
    'Forbidden',
    `${object} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}"${
      namespace === undefined ? ' at the cluster scope' : ` in the namespace "${namespace}"`
    }`,
    { ...(name !== undefined && { name }), group, kind: resource },
  );
}
