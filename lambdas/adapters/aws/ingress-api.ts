/**
 * The Kubernetes side of the albIngress traffic adapter (alb-ingress-traffic.ts): the Ingress
 * calls it makes, implemented against a real API server by adapters/kubernetes/ingress-api.ts and
 * by the rehearsal's simulated one.
 */

/** An Ingress (networking.k8s.io/v1) in one region's cluster. */
export interface IngressRef {
  region: string;
  cluster: string;
  namespace: string;
  name: string;
}

/** A backend of spec.defaultBackend or of a rule path: a Service and its port, by number or name. */
export interface IngressBackend {
  service: string;
  port: number | string | undefined;
}

/** As much of an Ingress as the adapter reads. */
export interface IngressView {
  annotations: Record<string, string>;
  /** status.loadBalancer.ingress[].hostname: the DNS names of the load balancers made for it. */
  hostnames: string[];
  backends: IngressBackend[];
  resourceVersion?: string;
}

/**
 * The Ingress calls the adapter makes. Errors are the Kubernetes adapters' named errors
 * (NotFoundError, TransientClusterError on 409/429/5xx, InvalidInputError on 400/422).
 */
export interface IngressApi {
  /** undefined when there is no such Ingress. */
  read(ref: IngressRef): Promise<IngressView | undefined>;
  /**
   * A JSON merge patch of metadata.annotations (null removes a key): the rest of the Ingress is
   * left as it is. With `resourceVersion`, it applies only to that version (409 otherwise).
   */
  patchAnnotations(
    ref: IngressRef,
    annotations: Record<string, string | null>,
    resourceVersion?: string,
  ): Promise<IngressView>;
}
