/** The traffic port over both ALB adapters: each call goes to the adapter of the target's type. */
import { describe, expect, it } from 'vitest';
import { ALB_INGRESS_TRAFFIC_IAM_ACTIONS } from '../../../lambdas/adapters/aws/alb-ingress-traffic';
import {
  ALB_TRAFFIC_IAM_ACTIONS,
  ALB_TRAFFIC_READ_IAM_ACTIONS,
} from '../../../lambdas/adapters/aws/alb-traffic';
import {
  TRAFFIC_IAM_ACTIONS,
  TRAFFIC_READER_IAM_ACTIONS,
  TrafficByType,
} from '../../../lambdas/adapters/aws/traffic';
import type {
  AlbIngressTarget,
  AlbTarget,
  ResolvedTraffic,
  TrafficFor,
  TrafficTarget,
} from '../../../lambdas/ports';

/** An adapter that answers with its own name, so the test sees who was called. */
function answering<T extends TrafficTarget>(name: string, seen: string[]): TrafficFor<T> {
  const note = (method: string, target: TrafficTarget) => seen.push(`${name}.${method}(${target.service})`);
  return {
    resolve: async (target) => {
      note('resolve', target);
      return { loadBalancerArn: name } as ResolvedTraffic;
    },
    getWeights: async (target) => {
      note('getWeights', target);
      return { stable: 100, canary: 0 };
    },
    attachCanary: async (target) => {
      note('attachCanary', target);
    },
    setWeights: async (target, weights) => {
      note('setWeights', target);
      return weights;
    },
    targetHealth: async (target) => {
      note('targetHealth', target);
      return {
        stable: { name: 'stable', targets: [{ id: '10.0.0.1', state: 'healthy' }] },
        canary: { name: 'canary', targets: [] },
      };
    },
  };
}

const alb: AlbTarget = {
  service: 'search',
  region: 'eu-west-1',
  alb: {
    type: 'alb',
    loadBalancerName: 'shop-search',
    port: 443,
    stableTargetGroup: 's',
    canaryTargetGroup: 'c',
  },
};
const ingress: AlbIngressTarget = {
  service: 'storefront',
  region: 'eu-west-1',
  cluster: 'shop-euw1',
  namespace: 'shop',
  albIngress: {
    type: 'albIngress',
    ingress: 'storefront',
    stableService: 's',
    canaryService: 'c',
    servicePort: 80,
  },
};

describe('TrafficByType', () => {
  it('sends alb targets to the ALB adapter and albIngress targets to the Ingress adapter', async () => {
    const seen: string[] = [];
    const traffic = new TrafficByType({
      alb: answering('alb', seen),
      albIngress: answering('albIngress', seen),
    });
    for (const target of [alb, ingress]) {
      await traffic.resolve(target);
      await traffic.getWeights(target);
      await traffic.setWeights(target, { stable: 90, canary: 10 });
      await traffic.targetHealth(target);
    }
    expect(seen).toEqual([
      'alb.resolve(search)',
      'alb.getWeights(search)',
      'alb.setWeights(search)',
      'alb.targetHealth(search)',
      'albIngress.resolve(storefront)',
      'albIngress.getWeights(storefront)',
      'albIngress.setWeights(storefront)',
      'albIngress.targetHealth(storefront)',
    ]);
  });

  it("as a reader, is granted both adapters' reads and EKS discovery, and no write", () => {
    expect([...TRAFFIC_READER_IAM_ACTIONS].sort()).toEqual(
      [
        ...new Set([
          ...ALB_TRAFFIC_READ_IAM_ACTIONS,
          ...ALB_INGRESS_TRAFFIC_IAM_ACTIONS,
          'eks:DescribeCluster',
        ]),
      ].sort(),
    );
    expect(TRAFFIC_READER_IAM_ACTIONS.filter((action) => action.includes(':Modify'))).toEqual([]);
  });

  it('is granted what both adapters call, and EKS discovery for the Ingress API', () => {
    expect([...TRAFFIC_IAM_ACTIONS].sort()).toEqual(
      [
        ...new Set([...ALB_TRAFFIC_IAM_ACTIONS, ...ALB_INGRESS_TRAFFIC_IAM_ACTIONS, 'eks:DescribeCluster']),
      ].sort(),
    );
  });
});
