/**
 * Preflight against the simulated fleet: resources the plan names that are not there stop the
 * release before any workload or traffic is touched (AWS answers for them as for anything that
 * does not exist: LoadBalancerNotFound, TargetGroupNotFound, an empty listing).
 */
import { describe, expect, it } from 'vitest';
import { submitRelease } from '../../../lambdas/app/submit-release';
import { RELEASE_LOCK_SCOPE } from '../../../lambdas/core/naming';
import { fixturePlatform, rehearseFixture } from '../fixtures/rehearsal';

describe('preflight in a rehearsal', () => {
  it('refuses a release whose canary target group is missing: REFUSED, every service as it was', async () => {
    const result = await rehearseFixture('canary', {
      faults: 'faults: [{ type: missingResource, kind: targetGroup, name: auth-canary }]',
    });

    expect(result.status).toBe('REFUSED');
    expect(result.reason).toMatch(/^refused by preflight: nothing changed; 1 problem/);
    expect(result.preflight?.problems).toEqual([
      {
        path: 'services[0].traffic.canaryTargetGroup',
        region: 'us-east-1',
        resource: 'target group "auth-canary" (us-east-1)',
        message: 'target group "auth-canary" not found in us-east-1',
      },
    ]);
    for (const [service, state] of Object.entries(result.regions['us-east-1']!)) {
      expect({ service, status: state.status, image: state.image, weights: state.weights }).toEqual({
        service,
        status: 'PENDING',
        // What ran before the release: no snapshot was taken, since nothing was touched.
        image: expect.stringMatching(/:previous$/),
        weights: { stable: 100, canary: 0 },
      });
    }
    // Only the release ran: no region, lane or service execution started.
    expect(result.executions.map((execution) => execution.machine)).toEqual(['release']);
  });

  it('lists every missing resource at once, each at its path in the plan', async () => {
    const result = await rehearseFixture('canary', {
      faults: `faults:
  - { type: missingResource, kind: loadBalancer, name: public }
  - { type: missingResource, kind: rule, name: auth.example.com }
  - { type: missingResource, kind: container, name: web }`,
    });
    expect(result.status).toBe('REFUSED');
    expect(result.preflight?.problems.map((problem) => [problem.path, problem.message])).toEqual([
      ['services[0].traffic.rule', expect.stringContaining('no rule with host header "auth.example.com"')],
      ['services[1].name', expect.stringContaining('has no container "web" (containers: web-main)')],
      ['services[1].traffic.loadBalancerName', 'load balancer "public" not found in us-east-1'],
    ]);
  });

  it('names a missing cluster, and a missing Deployment', async () => {
    const cluster = await rehearseFixture('canary', {
      faults: 'faults: [{ type: missingResource, kind: cluster, name: use1 }]',
    });
    expect(cluster.preflight?.problems).toEqual([
      expect.objectContaining({
        path: 'regions[0].cluster',
        message: 'EKS cluster "use1" (us-east-1) does not exist',
      }),
    ]);
    const deployment = await rehearseFixture('canary', {
      faults: 'faults: [{ type: missingResource, kind: deployment, name: auth }]',
    });
    expect(deployment.preflight?.problems).toEqual([
      expect.objectContaining({
        path: 'services[0].name',
        message: 'Deployment platform/auth in use1 (us-east-1) does not exist',
      }),
    ]);
  });

  it('lets the lock go, so the next release starts', async () => {
    const platform = await fixturePlatform('canary', {
      faults: 'faults: [{ type: missingResource, kind: listener, name: "443" }]',
    });
    await platform.scheduler.track(submitRelease(platform.ports, platform.document, 'test'));
    await platform.runUntilIdle();
    const release = await platform.store.getRelease(platform.plan.releaseId);
    expect(release?.status).toBe('REFUSED');
    expect(await platform.store.getLock(RELEASE_LOCK_SCOPE)).toBeUndefined();
  });
});
