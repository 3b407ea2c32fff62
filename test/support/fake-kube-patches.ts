import { asObject, canonical, clone, HttpProblem, isObject, type Json } from './fake-kube-objects';

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;

/** patchMergeKey of the pod spec's lists that patchStrategy "merge" (k8s.io/api/core/v1). */
export const STRATEGIC_MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
  conditions: 'type',
};

// ── patches ──────────────────────────────────────────────────────────────────

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: Json = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

export function withoutDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDirectives);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('$'))
      .map(([key, v]) => [key, withoutDirectives(v)]),
  );
}

export function applyStrategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') return withoutDirectives(patch);
  const result: Json = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    // $setElementOrder/…, $retainKeys and friends only order or prune: not needed here.
    if (key.startsWith('$')) continue;
    const mergeKey = STRATEGIC_MERGE_KEYS[key];
    if (value === null) delete result[key];
    else if (Array.isArray(value) && mergeKey !== undefined) {
      result[key] = mergeList(Array.isArray(result[key]) ? (result[key] as unknown[]) : [], value, mergeKey);
    } else if (isObject(value)) {
      if (value.$patch === 'delete') delete result[key];
      else result[key] = applyStrategicMergePatch(result[key], value);
    } else result[key] = clone(value);
  }
  return result;
}

export function mergeList(original: unknown[], patch: unknown[], mergeKey: string): unknown[] {
  const merged = clone(original);
  for (const item of patch) {
    if (!isObject(item)) {
      merged.push(item);
      continue;
    }
    const index = merged.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (item.$patch === 'delete') {
      if (index >= 0) merged.splice(index, 1);
    } else if (index >= 0) merged[index] = applyStrategicMergePatch(merged[index], item);
    else merged.push(withoutDirectives(item));
  }
  return merged;
}

export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new HttpProblem(422, 'Invalid', `invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) {
    throw new HttpProblem(
      400,
      'BadRequest',
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  }
  let document = clone(target);
  for (const operation of operations) {
    if (!isObject(operation) || typeof operation.op !== 'string' || typeof operation.path !== 'string') {
      throw new HttpProblem(422, 'Invalid', `invalid JSON patch operation ${JSON.stringify(operation)}`);
    }
    const tokens = pointerTokens(operation.path);
    const last = tokens.pop();
    if (last === undefined) {
      if (operation.op === 'replace' || operation.op === 'add') document = clone(operation.value);
      continue;
    }
    let parent: unknown = document;
    for (const token of tokens) {
      parent = Array.isArray(parent) ? parent[Number(token)] : isObject(parent) ? parent[token] : undefined;
      if (parent === undefined)
        throw new HttpProblem(422, 'Invalid', `path ${operation.path} does not exist`);
    }
    const container = parent as Json | unknown[];
    const exists = Array.isArray(container) ? Number(last) < container.length : last in container;
    switch (operation.op) {
      case 'add':
        if (Array.isArray(container)) {
          container.splice(last === '-' ? container.length : Number(last), 0, clone(operation.value));
        } else container[last] = clone(operation.value);
        break;
      case 'replace':
      case 'remove':
        if (!exists) throw new HttpProblem(422, 'Invalid', `path ${operation.path} does not exist`);
        if (operation.op === 'replace') {
          if (Array.isArray(container)) container[Number(last)] = clone(operation.value);
          else container[last] = clone(operation.value);
        } else if (Array.isArray(container)) container.splice(Number(last), 1);
        else delete container[last];
        break;
      case 'test': {
        const current = Array.isArray(container) ? container[Number(last)] : container[last];
        if (canonical(current) !== canonical(operation.value)) {
          throw new HttpProblem(422, 'Invalid', `test failed at ${operation.path}`);
        }
        break;
      }
      default:
        throw new HttpProblem(422, 'Invalid', `unsupported JSON patch op "${operation.op}"`);
    }
  }
  return document;
}

/** `body` applied to `current` as the request's Content-Type says; any other type is refused with 415. */
export function patchByContentType(current: Json, contentType: string | undefined, body: unknown): Json {
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
