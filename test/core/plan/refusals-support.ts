/** What the refusals*.test.ts files share: the problems of YAML text, regions, and plans of ALB services. */
import { loadPlan, type PlanProblem } from '../../../lambdas/core/plan/load';
import { type Document, service, validDocument } from './documents';

export function loadProblemsOf(text: string): PlanProblem[] {
  const result = loadPlan(text);
  if (result.ok) throw new Error('expected the plan to be invalid');
  return result.problems;
}

export const US_EAST = { name: 'us-east-1', cluster: 'shop-use1', wave: 1 };
export const EU_WEST = { name: 'eu-west-1', cluster: 'shop-euw1', wave: 2 };

/** A plan of these services (recreating by default) in us-east-1 and eu-west-1, or these regions. */
export function planOf(services: Document[], regions: Document[] = [US_EAST, EU_WEST]): Document {
  return { ...validDocument(), regions, services };
}

/** us-east-1 rolls only `first`, eu-west-1 only `second`. */
export function disjointRegions(first: string, second: string): Document[] {
  return [
    { ...US_EAST, services: [first] },
    { ...EU_WEST, services: [second] },
  ];
}

/** A service on listener port 443 of load balancer "shop", on a rule for its own path. */
export function albService(name: string, traffic: Document = {}): Document {
  return {
    ...service(name),
    traffic: {
      type: 'alb',
      loadBalancerName: 'shop',
      port: 443,
      rule: { pathPattern: `/${name}/*` },
      stableTargetGroup: `${name}-stable`,
      canaryTargetGroup: `${name}-canary`,
      ...traffic,
    },
  };
}

export const LISTENER = 'listener port 443 of load balancer "shop"';
export const BOTH_REGIONS = 'us-east-1, eu-west-1';
