/**
 * The Ingress calls of the albIngress traffic adapter on EKS: networking.k8s.io/v1 Ingresses
 * through @kubernetes/client-node, reached with an EKS token (eks-connection.ts). Kubernetes RBAC
 * must allow get and patch on ingresses in the Ingress's namespace (AmazonEKSEditPolicy does).
 * https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/
 */
import type { V1Ingress, V1IngressBackend } from '@kubernetes/client-node';
import { NotFoundError } from '../../core/errors';
import type { IngressApi, IngressBackend, IngressRef, IngressView } from '../aws/alb-ingress-traffic';
import { FIELD_MANAGER, KubernetesApiCaller, mergePatch } from './api-calls';
import { NetworkingV1Api } from './client-node';
import { type Connect, connectorFor, type EksAdapterOptions } from './eks-connection';

export type EksIngressApiOptions = EksAdapterOptions;

/** Create once per process: connections and tokens are cached inside. */
export function createEksIngressApi(options: EksIngressApiOptions = {}): IngressApi {
  return new KubernetesIngressApi(connectorFor(options));
}

class KubernetesIngressApi implements IngressApi {
  private readonly networking: KubernetesApiCaller<NetworkingV1Api>;

  constructor(connect: Connect) {
    this.networking = new KubernetesApiCaller(connect, NetworkingV1Api);
  }

  async read(ref: IngressRef): Promise<IngressView | undefined> {
    try {
      const ingress = await this.networking.call(ref, subjectOf(ref), (api) =>
        api.readNamespacedIngress({ name: ref.name, namespace: ref.namespace }),
      );
      return viewOf(ingress);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async patchAnnotations(
    ref: IngressRef,
    annotations: Record<string, string | null>,
    resourceVersion?: string,
  ): Promise<IngressView> {
    // A JSON merge patch (RFC 7386) touches only the keys it names; client-node would send the
    // body as JSON Patch unless the content type says otherwise.
    const body = { metadata: { annotations, ...(resourceVersion !== undefined && { resourceVersion }) } };
    const ingress = await this.networking.call(ref, subjectOf(ref), (api) =>
      api.patchNamespacedIngress(
        { name: ref.name, namespace: ref.namespace, body, fieldManager: FIELD_MANAGER },
        mergePatch,
      ),
    );
    return viewOf(ingress);
  }
}

function subjectOf(ref: IngressRef): string {
  return `Ingress ${ref.namespace}/${ref.name} in EKS cluster "${ref.cluster}" (${ref.region})`;
}

function viewOf(ingress: V1Ingress): IngressView {
  const backends: IngressBackend[] = [];
  const add = (backend: V1IngressBackend | undefined) => {
    const service = backend?.service;
    if (service) backends.push({ service: service.name, port: service.port?.name ?? service.port?.number });
  };
  add(ingress.spec?.defaultBackend);
  for (const rule of ingress.spec?.rules ?? []) for (const path of rule.http?.paths ?? []) add(path.backend);
  return {
    annotations: { ...ingress.metadata?.annotations },
    hostnames: (ingress.status?.loadBalancer?.ingress ?? []).flatMap((point) =>
      point.hostname ? [point.hostname] : [],
    ),
    backends,
    ...(ingress.metadata?.resourceVersion !== undefined && {
      resourceVersion: ingress.metadata.resourceVersion,
    }),
  };
}
