/**
 * ALBs owned by the AWS Load Balancer Controller. What the rehearsal models, as AWS and the
 * controller's documentation describe it: the controller makes the ALB from an Ingress, tags it
 * (elbv2.k8s.aws/cluster, ingress.k8s.aws/stack) and rebuilds its rules from the Ingress at each
 * reconcile, so a weight goes through the Ingress's `alb.ingress.kubernetes.io/actions.<name>`
 * annotation and lands on the rule a few seconds later; a weight written to the rule directly
 * would be put back. An albIngress service therefore shifts traffic through the annotation, and a
 * plain alb service on such a load balancer is refused before its traffic moves.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actionAnnotation } from '../../../lambdas/adapters/aws/load-balancer-controller';
import { submitRelease } from '../../../lambdas/app/submit-release';
import { loadPlan } from '../../../lambdas/core/plan/load';
import { type ResolvedPlan, resolvePlan } from '../../../lambdas/core/plan/resolve';
import type { ReleasePlan } from '../../../lambdas/core/plan/schema';
import type { Weights } from '../../../lambdas/ports';
import { loadFaults } from '../../../rehearsal/faults/load';
import { RECONCILE_DELAY_MS } from '../../../rehearsal/fleet/aws/load-balancer-controller';
import { createLocalPlatform, REHEARSAL_EPOCH } from '../../../rehearsal/rehearse';
import { dynamoDbLocalClient } from '../../support/dynamodb';

const client = dynamoDbLocalClient();

function example(path: string): { document: ReleasePlan; plan: ResolvedPlan } {
  const loaded = loadPlan(readFileSync(new URL(`../../../examples/${path}`, import.meta.url), 'utf8'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return { document: loaded.plan, plan: resolvePlan(loaded.plan) };
}

/** Runs one release of an example plan to its end, keeping the platform to look at the fleet. */
async function rehearseExample(path: string, faultsPath?: string) {
  const { document, plan } = example(path);
  let faults: Parameters<typeof createLocalPlatform>[0]['faults'];
  if (faultsPath !== undefined) {
    const loaded = loadFaults(
      readFileSync(new URL(`../../../examples/${faultsPath}`, import.meta.url), 'utf8'),
      plan,
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    faults = loaded.faults;
  }
  const platform = await createLocalPlatform({ plan, seed: 1, dynamoDb: client, ...(faults && { faults }) });
  // Every setWeights call the handlers make, with what it answered.
  const calls: Array<{ atSeconds: number; service: string; weights: Weights; outcome: string }> = [];
  const traffic = platform.ports.traffic;
  platform.ports.traffic = {
    ...traffic,
    resolve: (target) => traffic.resolve(target),
    getWeights: (target) => traffic.getWeights(target),
    targetHealth: (target) => traffic.targetHealth(target),
    setWeights: async (target, weights) => {
      const call = {
        atSeconds: platform.scheduler.elapsedSeconds(),
        service: target.service,
        weights,
        outcome: 'ok',
      };
      calls.push(call);
      try {
        return await traffic.setWeights(target, weights);
      } catch (error) {
        call.outcome = (error as Error).name;
        throw error;
      }
    },
  };
  await platform.scheduler.track(submitRelease(platform.ports, document, 'test'));
  await platform.runUntilIdle();
  const release = await platform.store.getRelease(plan.releaseId);
  const audit = await platform.store.listAudit(plan.releaseId, { limit: 1000 });
  const seconds = (at: string | number) => (new Date(at).getTime() - REHEARSAL_EPOCH.getTime()) / 1000;
  return { platform, plan, release, audit, seconds, calls };
}

describe('albIngress: weights go through the Ingress and the controller', () => {
  it('rehearses examples/ingress.yaml to SUCCEEDED, every weight put on the rule by the controller', async () => {
    const { platform, release, audit, seconds } = await rehearseExample('ingress.yaml');
    expect(release?.status, release?.reason).toBe('SUCCEEDED');

    for (const service of ['storefront', 'checkout']) {
      const changes = platform.fleet.weightChanges(service, 'eu-west-1');
      // Nobody but the controller wrote the rule: no ModifyRule from Switchyard.
      expect(changes.map((change) => change.by)).toEqual([
        'initial',
        ...Array(changes.length - 1).fill('controller'),
      ]);
      const shifted = audit.filter(
        (entry) => entry.service === service && entry.action === 'traffic.shifted',
      );
      expect(shifted.length).toBeGreaterThan(1);
      // Each shift was reported once the rule carried it, the controller's change at most a reconcile earlier.
      for (const entry of shifted) {
        const detail = entry.detail as { stable: number; canary: number };
        const landed = changes.filter((change) => seconds(change.atMs) <= seconds(entry.at)).at(-1)!;
        expect(landed.weights, `${service} at ${entry.at}`).toEqual({
          stable: detail.stable,
          canary: detail.canary,
        });
      }
      expect(changes.at(-1)!.weights).toEqual({ stable: 100, canary: 0 });
    }
    // The storefront's first shift: the annotation written, the rule changed a reconcile later.
    const storefront = platform.fleet.weightChanges('storefront', 'eu-west-1');
    const ingress = await platform.fleet.ingresses.read({
      region: 'eu-west-1',
      cluster: 'shop-euw1',
      namespace: 'shop',
      name: 'storefront',
    });
    expect(JSON.parse(ingress!.annotations[actionAnnotation('storefront')]!)).toEqual({
      type: 'forward',
      forwardConfig: {
        targetGroups: [
          { serviceName: 'storefront', servicePort: 80, weight: 100 },
          { serviceName: 'storefront-canary', servicePort: 80, weight: 0 },
        ],
      },
    });
    const firstShift = audit.find(
      (entry) => entry.service === 'storefront' && entry.action === 'traffic.shifted',
    )!;
    expect(seconds(firstShift.at) - seconds(storefront[1]!.atMs)).toBeGreaterThanOrEqual(0);
    expect(seconds(firstShift.at) - seconds(storefront[1]!.atMs)).toBeLessThan(60);
    // The plain alb service's weights are Switchyard's own ModifyListener calls.
    expect(
      platform.fleet
        .weightChanges('search', 'eu-west-1')
        .slice(1)
        .map((change) => change.by),
    ).toEqual(expect.arrayContaining(['ModifyListener']));
  });

  it(`waits for the controller: Shift Traffic retries TrafficNotAppliedError until the reconcile (${RECONCILE_DELAY_MS / 1000} s)`, async () => {
    const { calls } = await rehearseExample('ingress.yaml');
    const storefront = calls.filter((call) => call.service === 'storefront');
    // Each weight is asked for, not yet on the rule, asked again after the Retry's interval: there.
    const asked = storefront.filter((_call, index) => index === 0 || storefront[index - 1]!.outcome === 'ok');
    expect(asked.map((call) => call.weights.canary)).toEqual([10, 50, 100, 0]);
    for (const first of asked) {
      const attempts = storefront.filter((call) => call.weights.canary === first.weights.canary);
      expect(attempts.map((call) => call.outcome)).toEqual(['TrafficNotAppliedError', 'ok']);
      expect(attempts[1]!.atSeconds - attempts[0]!.atSeconds).toBeGreaterThanOrEqual(
        RECONCILE_DELAY_MS / 1000,
      );
    }
    // The plain alb service's ModifyListener is read back at once.
    expect(calls.filter((call) => call.service === 'search').every((call) => call.outcome === 'ok')).toBe(
      true,
    );
  });
});

describe('controllerManaged: a plain alb service on the controller’s load balancer', () => {
  it('is refused by preflight before anything moves, naming albIngress at each such service (exit 6)', async () => {
    const { platform, release, audit } = await rehearseExample(
      'platform.yaml',
      'faults/controller-managed.yaml',
    );

    expect(release?.status).toBe('REFUSED');
    expect(release?.reason).toMatch(/^refused by preflight: nothing changed; 7 problems/);
    const refused = audit.find((entry) => entry.action === 'preflight.refused');
    const problems = (refused?.detail?.problems ?? []) as Array<{
      path: string;
      region: string;
      message: string;
    }>;
    expect(problems).toHaveLength(7);
    for (const problem of problems) {
      expect(problem.path).toMatch(/^services\[\d+\]\.traffic\.loadBalancerName$/);
      expect(problem.region).toBe('us-east-1');
      expect(problem.message).toMatch(/^load balancer "platform-internal"/);
      expect(problem.message).toContain('use traffic.type albIngress');
    }
    expect(audit.find((entry) => entry.action === 'service.started')).toBeUndefined();
    // Nothing on platform-internal moved: no shift audited, no write on any of its rules.
    const onInternal = [
      'auth',
      'mcp-filesystem',
      'mcp-github',
      'mcp-memory',
      'bashgod',
      'circle-of-experts',
      'code-crawler',
    ];
    expect(
      audit.filter((entry) => entry.action === 'traffic.shifted' && onInternal.includes(entry.service!)),
    ).toEqual([]);
    for (const service of onInternal) {
      expect(platform.fleet.weightChanges(service, 'us-east-1').map((change) => change.by)).toEqual([
        'initial',
      ]);
    }
  });
});
