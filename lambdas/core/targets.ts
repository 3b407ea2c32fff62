/** Where a service of the plan lives in a region: its Deployment, and the traffic Switchyard weights. */
import type { TrafficTarget, WorkloadTarget } from '../ports';
import type { ResolvedService } from './plan/resolve';

type Region = { name: string; cluster: string };

export function workloadTarget(
  region: Region,
  service: Pick<ResolvedService, 'namespace' | 'deployment'>,
): WorkloadTarget {
  return {
    region: region.name,
    cluster: region.cluster,
    namespace: service.namespace,
    deployment: service.deployment,
  };
}

/** The load balancer side of a service; none for replicaRatio traffic, which follows replicas. */
export function trafficTarget(
  region: Region,
  service: Pick<ResolvedService, 'name' | 'namespace' | 'traffic'>,
): TrafficTarget | undefined {
  const { traffic } = service;
  switch (traffic.type) {
    case 'alb':
      return { service: service.name, region: region.name, alb: traffic };
    case 'albIngress':
      return {
        service: service.name,
        region: region.name,
        cluster: region.cluster,
        namespace: traffic.namespace ?? service.namespace,
        albIngress: traffic,
      };
    case 'replicaRatio':
      return undefined;
  }
}
