/** The plan language's rules for albIngress traffic, each with the exact path and message a user reads. */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../../lambdas/core/plan/load';
import { problemsOf, service } from './documents';
import { albIngress, withServices } from './validate-support';

describe('albIngress traffic', () => {
  it('defaults nothing it cannot know, and keeps the fields as written', () => {
    const result = checkPlan(withServices({ ...service('api'), namespace: 'shop', traffic: albIngress() }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.services[0]!.traffic).toEqual(albIngress());
  });

  it('accepts a named port, an Ingress name with dots and a namespace of its own', () => {
    const traffic = albIngress({
      servicePort: 'http',
      ingress: 'edge.shop',
      namespace: 'ingress',
      actionName: 'api-split',
    });
    expect(problemsOf(withServices({ ...service('api'), traffic }))).toEqual([]);
  });

  it('bounds the port and checks Kubernetes names', () => {
    const traffic = albIngress({
      servicePort: 70000,
      stableService: 'API',
      ingress: 'Edge',
      actionName: '1-split',
    });
    expect(problemsOf(withServices({ ...service('api'), traffic })).map((problem) => problem.path)).toEqual(
      expect.arrayContaining([
        'services[0].traffic.servicePort',
        'services[0].traffic.stableService',
        'services[0].traffic.ingress',
        'services[0].traffic.actionName',
      ]),
    );
    expect(
      problemsOf(withServices({ ...service('api'), traffic: albIngress({ servicePort: 0 }) })),
    ).toHaveLength(1);
    expect(
      problemsOf(withServices({ ...service('api'), traffic: albIngress({ servicePort: 65535 }) })),
    ).toEqual([]);
  });

  it('requires the Ingress, both Services and the port', () => {
    expect(problemsOf(withServices({ ...service('api'), traffic: { type: 'albIngress' } }))).toEqual([
      { path: 'services[0].traffic.ingress', message: 'is required (string)' },
      { path: 'services[0].traffic.stableService', message: 'is required (string)' },
      { path: 'services[0].traffic.canaryService', message: 'is required (string)' },
      { path: 'services[0].traffic.servicePort', message: 'is required (number or string)' },
    ]);
  });

  it('refuses one Service for both stable and canary pods', () => {
    const traffic = albIngress({ canaryService: 'api' });
    expect(problemsOf(withServices({ ...service('api'), traffic }))).toEqual([
      {
        path: 'services[0].traffic.canaryService',
        message: 'must differ from stableService ("api"): stable and canary pods never share a Service',
      },
    ]);
  });

  it('refuses two services writing the same action of one Ingress, counting the namespace default', () => {
    const document = withServices(
      { ...service('api'), namespace: 'shop', traffic: albIngress() },
      { ...service('web'), namespace: 'shop', traffic: albIngress({ canaryService: 'web-canary' }) },
      // Another namespace's Ingress of the same name is another Ingress.
      { ...service('admin'), namespace: 'ops', traffic: albIngress({ canaryService: 'admin-canary' }) },
      {
        ...service('api2'),
        traffic: albIngress({
          namespace: 'shop',
          actionName: 'api',
          stableService: 'api2',
          canaryService: 'api2-canary',
        }),
      },
    );
    expect(problemsOf(document)).toEqual([
      {
        path: 'services[1].traffic.stableService',
        message: `action "api" of Ingress shop/edge is already services[0]'s: each service needs its own action`,
      },
      {
        path: 'services[3].traffic.actionName',
        message: `action "api" of Ingress shop/edge is already services[0]'s: each service needs its own action`,
      },
    ]);
  });
});
