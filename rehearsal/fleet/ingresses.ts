/**
 * The simulated clusters' Ingress API (networking.k8s.io/v1), as the albIngress traffic adapter
 * reaches it (`IngressApi`): read an Ingress, merge-patch its annotations. Like the real API
 * server it keeps a resourceVersion, refuses a patch made on a stale one (409), stores a patch
 * that changes nothing without a new version, and is unreachable while its region's control
 * plane is down. Every version is kept, so the simulated controller can read the Ingress as it
 * was when a reconcile ran.
 *
 * The Ingresses are the plan's: one per albIngress `traffic.ingress`, with a path per service
 * whose backend is its action (port `use-annotation`), and the action forwarding to the stable
 * Service at 100 and the canary Service at 0, as a traffic router such as Argo Rollouts keeps it.
 */
import type {
  IngressApi,
  IngressBackend,
  IngressRef,
  IngressView,
} from '../../lambdas/adapters/aws/alb-ingress-traffic';
import {
  actionAnnotation,
  type ForwardActionConfig,
  USE_ANNOTATION_PORT,
} from '../../lambdas/adapters/aws/load-balancer-controller';
import { NotFoundError, TransientClusterError } from '../../lambdas/core/errors';
import type { AlbIngressTrafficPlan } from '../../lambdas/core/plan/schema';
import type { FleetContext } from './context';

interface IngressVersion {
  atMs: number;
  resourceVersion: number;
  annotations: Record<string, string>;
}

export interface SimulatedIngress {
  key: string;
  region: string;
  cluster: string;
  namespace: string;
  name: string;
  /** One path per action, in the plan's order of services. */
  actions: Array<{ service: string; action: string; traffic: AlbIngressTrafficPlan }>;
  versions: IngressVersion[];
  /** The DNS name of the load balancer the controller made for it (status.loadBalancer). */
  hostname?: string;
}

/** Called after a change that made a new version: the controller watches Ingresses. */
export type IngressChangeListener = (ingress: SimulatedIngress, atMs: number) => void;

export class SimulatedIngresses implements IngressApi {
  private readonly ingresses = new Map<string, SimulatedIngress>();
  private readonly listeners: IngressChangeListener[] = [];
  private resourceVersion = 7000;

  constructor(private readonly context: FleetContext) {
    for (const region of context.plan.regions) {
      for (const name of region.services) {
        const service = context.service(name);
        if (service?.traffic.type !== 'albIngress') continue;
        const traffic = service.traffic;
        const namespace = traffic.namespace ?? service.namespace;
        const key = ingressKey(region.name, namespace, traffic.ingress);
        let ingress = this.ingresses.get(key);
        if (!ingress) {
          ingress = {
            key,
            region: region.name,
            cluster: region.cluster,
            namespace,
            name: traffic.ingress,
            actions: [],
            versions: [{ atMs: context.startMs, resourceVersion: this.nextVersion(), annotations: {} }],
          };
          this.ingresses.set(key, ingress);
        }
        const action = traffic.actionName ?? traffic.stableService;
        ingress.actions.push({ service: name, action, traffic });
        ingress.versions[0]!.annotations[actionAnnotation(action)] = JSON.stringify(initialAction(traffic));
      }
    }
  }

  /** Every Ingress of a region, for the controller to make load balancers for. */
  inRegion(region: string): SimulatedIngress[] {
    return [...this.ingresses.values()].filter((ingress) => ingress.region === region);
  }

  onChange(listener: IngressChangeListener): void {
    this.listeners.push(listener);
  }

  /** The annotations as they were at `atMs`: what a reconcile then read. */
  annotationsAt(ingress: SimulatedIngress, atMs: number): Record<string, string> {
    let found = ingress.versions[0]!;
    for (const version of ingress.versions) if (version.atMs <= atMs) found = version;
    return { ...found.annotations };
  }

  /** Version times after `fromMs` and up to `toMs`: the changes a controller reconciles. */
  changesBetween(ingress: SimulatedIngress, fromMs: number, toMs: number): number[] {
    return ingress.versions.map((version) => version.atMs).filter((at) => at > fromMs && at <= toMs);
  }

  // ── the API ───────────────────────────────────────────────────────────────

  async read(ref: IngressRef): Promise<IngressView | undefined> {
    const ingress = this.find(ref);
    return ingress && viewOf(ingress);
  }

  async patchAnnotations(
    ref: IngressRef,
    annotations: Record<string, string | null>,
    resourceVersion?: string,
  ): Promise<IngressView> {
    const ingress = this.find(ref);
    if (!ingress)
      throw new NotFoundError(
        `${subjectOf(ref)} not found: ingresses.networking.k8s.io "${ref.name}" not found`,
      );
    const current = ingress.versions.at(-1)!;
    if (resourceVersion !== undefined && resourceVersion !== String(current.resourceVersion)) {
      // What the Kubernetes adapter makes of a 409 Conflict.
      throw new TransientClusterError(
        `${subjectOf(ref)}: the API server answered 409: Operation cannot be fulfilled on ingresses.networking.k8s.io "${ref.name}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const next = { ...current.annotations };
    for (const [key, value] of Object.entries(annotations)) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    const changed =
      Object.keys(next).length !== Object.keys(current.annotations).length ||
      Object.entries(next).some(([key, value]) => current.annotations[key] !== value);
    if (changed) {
      const atMs = this.context.nowMs();
      ingress.versions.push({ atMs, resourceVersion: this.nextVersion(), annotations: next });
      for (const listener of this.listeners) listener(ingress, atMs);
    }
    return viewOf(ingress);
  }

  private find(ref: IngressRef): SimulatedIngress | undefined {
    const region = this.context.plan.regions.find((candidate) => candidate.name === ref.region);
    if (!region || region.cluster !== ref.cluster) {
      throw new NotFoundError(`EKS cluster "${ref.cluster}" not found in ${ref.region}`);
    }
    if (this.context.outageAt(ref.region, this.context.nowMs())?.controlPlane) {
      throw new TransientClusterError(
        `EKS cluster "${ref.cluster}" (${ref.region}): connect ETIMEDOUT (the region is down)`,
      );
    }
    return this.ingresses.get(ingressKey(ref.region, ref.namespace, ref.name));
  }

  private nextVersion(): number {
    this.resourceVersion += 1;
    return this.resourceVersion;
  }
}

/**
 * The action an albIngress service starts with: all to stable, the canary Service at 0, as
 * Argo Rollouts' ALB setup writes it. An action naming the stable Service alone works too:
 * Switchyard adds the canary at weight 0 before judging it (alb-ingress-traffic.test.ts).
 */
function initialAction(traffic: AlbIngressTrafficPlan): ForwardActionConfig {
  return {
    type: 'forward',
    forwardConfig: {
      targetGroups: [
        { serviceName: traffic.stableService, servicePort: traffic.servicePort, weight: 100 },
        { serviceName: traffic.canaryService, servicePort: traffic.servicePort, weight: 0 },
      ],
    },
  };
}

function viewOf(ingress: SimulatedIngress): IngressView {
  const current = ingress.versions.at(-1)!;
  const backends: IngressBackend[] = ingress.actions.map(({ action }) => ({
    service: action,
    port: USE_ANNOTATION_PORT,
  }));
  return {
    annotations: { ...current.annotations },
    hostnames: ingress.hostname === undefined ? [] : [ingress.hostname],
    backends,
    resourceVersion: String(current.resourceVersion),
  };
}

function ingressKey(region: string, namespace: string, name: string): string {
  return `${region}/${namespace}/${name}`;
}

function subjectOf(ref: IngressRef): string {
  return `Ingress ${ref.namespace}/${ref.name} in EKS cluster "${ref.cluster}" (${ref.region})`;
}
