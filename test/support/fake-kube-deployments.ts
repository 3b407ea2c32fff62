/**
 * The fake API server's apps/v1 Deployments: storage with the API's defaulting, validation,
 * generation and resourceVersion rules, the /scale subresource, and the simulated Deployment
 * controller that `advance()` moves one step at a time (see fake-kube-apiserver.ts).
 */
import { randomUUID } from 'node:crypto';
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
  type ResourceVersions,
  specOf,
  templateHash,
  validate,
} from './fake-kube-objects';
import { patchByContentType } from './fake-kube-patches';

/** neverReady: new pods stay unready forever; progressDeadlineExceeded: and the deadline passes. */
export type PodFault = 'neverReady' | 'progressDeadlineExceeded';

/** The simulated pods behind one Deployment: the current template's and all older ones. */
export interface PodState {
  templateHash: string;
  newPods: number;
  newReady: number;
  oldPods: number;
  deadlineExceeded: boolean;
}

export interface StoredDeployment {
  object: Json;
  pods: PodState;
}

export class FakeDeployments {
  /** By `namespace/name`. */
  readonly byKey = new Map<string, StoredDeployment>();
  /** Pods running any container with the image behave as the fault says. */
  readonly podFaults = new Map<string, PodFault>();

  constructor(private readonly versions: ResourceVersions) {}

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

  /** Copies of the stored Deployments of a namespace. */
  inNamespace(namespace: string): Json[] {
    return [...this.byKey.values()]
      .map((stored) => stored.object)
      .filter((object) => metadataOf(object).namespace === namespace)
      .map(clone);
  }

  /** A copy of the stored Deployment, or undefined. */
  get(namespace: string, name: string): Json | undefined {
    const stored = this.stored(namespace, name);
    return stored && clone(stored.object);
  }

  /** Moves every Deployment's controller one step (see fake-kube-apiserver.ts's comment). */
  advance(steps = 1): void {
    for (let i = 0; i < steps; i++) {
      for (const stored of this.byKey.values()) this.step(stored);
    }
  }

  /**
   * A request on …/deployments, …/deployments/{name} or …/deployments/{name}/scale, after the
   * server has matched the path.
   */
  route(
    method: string,
    namespace: string,
    name: string | undefined,
    scale: boolean,
    contentType: string | undefined,
    body: unknown,
  ): [number, Json] {
    if (name === undefined) {
      // GET of the list is paged by the server front (fake-kube-lists.ts).
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
      const next = method === 'PATCH' ? patchByContentType(current, contentType, body) : asObject(body);
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
        const next = patchByContentType(stored.object, contentType, body);
        // A resourceVersion in the patch is a precondition; the patched copy carries it.
        return [200, this.update(stored, next, metadataOf(next).resourceVersion)];
      }
      case 'DELETE': {
        const metadata = metadataOf(stored.object);
        this.byKey.delete(`${namespace}/${name}`);
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

  // ── controller ─────────────────────────────────────────────────────────────

  private faultOf(stored: StoredDeployment): PodFault | undefined {
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

  private step(stored: StoredDeployment): void {
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

  private refreshStatus(stored: StoredDeployment): void {
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
    metadata.resourceVersion = this.versions.next();
  }

  // ── storage ────────────────────────────────────────────────────────────────

  stored(namespace: string, name: string): StoredDeployment | undefined {
    return this.byKey.get(`${namespace}/${name}`);
  }

  private require(namespace: string, name: string): StoredDeployment {
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
      resourceVersion: this.versions.next(),
    });
    object.status = {};
    const stored: StoredDeployment = {
      object,
      pods: {
        templateHash: templateHash(specOf(object).template),
        newPods: 0,
        newReady: 0,
        oldPods: 0,
        deadlineExceeded: false,
      },
    };
    this.byKey.set(`${namespace}/${name}`, stored);
    return clone(object);
  }

  /** Stores `next` as the new version of `stored`: server fields kept, generation bumped on spec change. */
  private update(stored: StoredDeployment, next: Json, expectedResourceVersion: unknown): Json {
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
      resourceVersion: this.versions.next(),
    });
    // The main resource cannot write status.
    object.status = current.status;
    stored.object = object;
    return clone(object);
  }

  private scaleOf(stored: StoredDeployment): Json {
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
}
