/**
 * The fake API server's networking.k8s.io/v1 Ingresses: seeded as the controller left them,
 * read, and patched with the real API's preconditions and field rules (see fake-kube-apiserver.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  asObject,
  canonical,
  clone,
  HttpProblem,
  type Json,
  metadataOf,
  type ResourceVersions,
} from './fake-kube-objects';
import { patchByContentType } from './fake-kube-patches';

export class FakeIngresses {
  /** By `namespace/name`. */
  private readonly byKey = new Map<string, Json>();

  constructor(private readonly versions: ResourceVersions) {}

  /** Stores an Ingress as the controller left it: `status` is kept as given (the controller writes it). */
  seed(ingress: Json): Json {
    const object = clone(ingress);
    const metadata = metadataOf(object);
    const namespace = String(metadata.namespace ?? 'default');
    Object.assign(metadata, {
      namespace,
      uid: randomUUID(),
      generation: 1,
      creationTimestamp: new Date().toISOString(),
      resourceVersion: this.versions.next(),
    });
    object.apiVersion = 'networking.k8s.io/v1';
    object.kind = 'Ingress';
    this.byKey.set(`${namespace}/${String(metadata.name)}`, object);
    return clone(object);
  }

  /** Copies of the stored Ingresses of a namespace. */
  inNamespace(namespace: string): Json[] {
    return [...this.byKey.values()].filter((object) => metadataOf(object).namespace === namespace).map(clone);
  }

  /** A copy of the stored Ingress, or undefined. */
  get(namespace: string, name: string): Json | undefined {
    const stored = this.byKey.get(`${namespace}/${name}`);
    return stored && clone(stored);
  }

  route(
    method: string,
    namespace: string,
    name: string,
    contentType: string | undefined,
    body: unknown,
  ): [number, Json] {
    const key = `${namespace}/${name}`;
    const current = this.byKey.get(key);
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
    const next = patchByContentType(current, contentType, body);
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
      metadata.resourceVersion = this.versions.next();
      this.byKey.set(key, next);
    }
    return [200, clone(this.byKey.get(key)!)];
  }
}
