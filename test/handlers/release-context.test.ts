/** Where a service's traffic lives, as handlers see it: by the plan's traffic type. */
import { describe, expect, it } from 'vitest';
import { buildReleaseContext } from '../../lambdas/app/release-context';
import { loadPlan } from '../../lambdas/core/plan/load';
import { resolvePlan } from '../../lambdas/core/plan/resolve';

const PLAN = `
metadata: { releaseId: context-test }
defaults: { strategy: { type: canary, steps: [{ setWeight: 50 }, { setWeight: 100 }] } }
regions:
  - { name: eu-west-1, cluster: shop-euw1, wave: 1 }
  - { name: us-east-1, cluster: shop-use1, wave: 2 }
services:
  - name: storefront
    namespace: shop
    image: registry.example.com/shop/storefront:4.2.0
    traffic: { type: albIngress, ingress: storefront, stableService: storefront, canaryService: storefront-canary, servicePort: 80 }
  - name: admin
    namespace: back-office
    image: registry.example.com/shop/admin:1.0.0
    traffic: { type: albIngress, ingress: storefront, namespace: shop, stableService: admin, canaryService: admin-canary, servicePort: http }
  - name: search
    image: registry.example.com/shop/search:7.0.3
    traffic: { type: alb, loadBalancerName: shop-search, port: 443, stableTargetGroup: search-stable, canaryTargetGroup: search-canary }
  - name: worker
    image: registry.example.com/shop/worker:1.0.0
`;

function context() {
  const loaded = loadPlan(PLAN);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return buildReleaseContext('context-test', resolvePlan(loaded.plan));
}

describe('trafficTarget', () => {
  it("names an albIngress service's Ingress in the region's cluster, in the service's namespace unless the plan says", () => {
    const release = context();
    expect(release.trafficTarget('us-east-1', 'storefront')).toEqual({
      service: 'storefront',
      region: 'us-east-1',
      cluster: 'shop-use1',
      namespace: 'shop',
      albIngress: expect.objectContaining({ ingress: 'storefront', stableService: 'storefront' }),
    });
    expect(release.trafficTarget('eu-west-1', 'admin')).toMatchObject({
      cluster: 'shop-euw1',
      namespace: 'shop',
    });
  });

  it('names a plain alb service by its load balancer, and none for replica-ratio traffic', () => {
    const release = context();
    expect(release.trafficTarget('eu-west-1', 'search')).toEqual({
      service: 'search',
      region: 'eu-west-1',
      alb: expect.objectContaining({ loadBalancerName: 'shop-search' }),
    });
    expect(release.trafficTarget('eu-west-1', 'worker')).toBeUndefined();
  });
});
