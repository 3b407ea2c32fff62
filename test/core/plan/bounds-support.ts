/** What the bounds*.property.test.ts files share: a plan with every bounded field, and how to check one. */
import { expect } from 'vitest';
import { MAX_PROBLEMS } from '../../../lambdas/core/plan/limits';
import { checkPlan, type PlanLoadResult, type PlanProblem } from '../../../lambdas/core/plan/load';
import { resolvePlan } from '../../../lambdas/core/plan/resolve';
import { previewRelease } from '../../../lambdas/core/planner/preview';
import type { Document } from './documents';

/** A valid plan with every field the bounds are about, each at an ordinary value. */
export function richDocument(): Document {
  const image = 'registry.example.com/shop/app:1.0.0';
  return {
    $schema: 'https://switchyard.dev/schema/release-plan.schema.json',
    metadata: { releaseId: 'bounds-1', description: 'every field', owner: 'platform team' },
    dns: { hostedZoneId: 'Z0EXAMPLE', recordName: 'api.example.com' },
    defaults: {
      concurrency: 4,
      stepRolloutEstimate: '30s',
      strategy: { type: 'recreate', reason: 'one writer' },
      rollback: { ramp: { steps: [50, 0], interval: '30s' } },
    },
    waves: { bake: '10m' },
    regions: [
      {
        name: 'us-east-1',
        cluster: 'shop-use1',
        wave: 1,
        concurrency: 2,
        dns: { setIdentifier: 'use1', weight: 100 },
      },
      {
        name: 'us-west-2',
        cluster: 'shop-usw2',
        wave: 2,
        services: ['db', 'api'],
        dns: { setIdentifier: 'usw2', weight: 0 },
      },
    ],
    services: [
      {
        name: 'db',
        namespace: 'data',
        deployment: 'db',
        container: 'db',
        image: 'postgres:16.4',
        replicas: 3,
      },
      {
        name: 'api',
        image,
        dependsOn: ['db'],
        replicas: 4,
        strategy: {
          type: 'canary',
          steps: [
            { setWeight: 10 },
            { pause: { duration: '1m' } },
            { analysis: { count: 2 } },
            { pause: { untilApproved: true, timeout: '1h' } },
            { setWeight: 100 },
          ],
        },
        traffic: {
          type: 'alb',
          loadBalancerName: 'shop-internal',
          port: 443,
          rule: { hostHeader: 'api.example.com', pathPattern: '/api/*', priority: 10 },
          stableTargetGroup: 'api-stable',
          canaryTargetGroup: 'api-canary',
        },
        analysis: {
          interval: '1m',
          count: 5,
          failureLimit: 1,
          consecutiveFailureLimit: 2,
          approvalTimeout: '1h',
          checks: [
            {
              type: 'compare',
              maxErrorRateIncreasePoints: 0.5,
              maxP95LatencyRatio: 1.1,
              minRequests: 100,
              abortErrorRatePercent: 5,
              abortP95LatencyMs: 5000,
              maxUnhealthyTargets: 0,
            },
            { type: 'cloudwatchAlarms', alarmNames: ['api-5xx'] },
            {
              type: 'http',
              url: 'https://api.example.com/health',
              expectStatus: 200,
              bodyContains: 'ok',
              timeout: '5s',
            },
            { type: 'tcp', host: 'api.example.com', port: 443, timeout: '3s' },
            { type: 'lambda', functionName: 'api-hook' },
          ],
        },
        readiness: { minScore: 80, enforce: true },
      },
      {
        name: 'web',
        image,
        dependsOn: ['api'],
        replicas: 6,
        strategy: { type: 'rolling', batch: { size: 2 }, analysisPerBatch: false },
        traffic: {
          type: 'albIngress',
          ingress: 'web',
          namespace: 'default',
          actionName: 'web-stable',
          stableService: 'web-stable',
          canaryService: 'web-canary',
          servicePort: 80,
        },
      },
      {
        name: 'admin',
        image,
        strategy: {
          type: 'blueGreen',
          previewAnalysis: false,
          autoPromotionDelay: '5m',
          scaleDownDelay: '10m',
        },
      },
      {
        name: 'batch',
        image,
        strategy: { type: 'rolling', batch: { percent: 25 }, analysisPerBatch: false },
      },
    ],
    baseline: {
      description: 'the old script',
      phases: [['db'], ['api', 'web', 'admin', 'batch']],
      estimate: { min: '1h', max: '2h' },
    },
  };
}

/** `services[1].analysis.checks[0]` as segments. */
export function segments(path: string): Array<string | number> {
  return path.split(/\.|(?=\[)/).map((part) => (part.startsWith('[') ? Number(part.slice(1, -1)) : part));
}

export function withValue(document: Document, path: string, value: unknown): Document {
  const parts = segments(path);
  let node = document;
  for (const part of parts.slice(0, -1)) node = node[part];
  node[parts.at(-1)!] = value;
  return document;
}

export const problems = (result: PlanLoadResult): PlanProblem[] => (result.ok ? [] : result.problems);
export const problemsAt = (document: Document, path: string) =>
  problems(checkPlan(document)).filter((problem) => problem.path === path);

/** Validation and, for a valid plan, preview: never a throw, and a preview with finite figures. */
export function checkAndPreview(result: PlanLoadResult): void {
  if (!result.ok) {
    expect(result.problems.length).toBeGreaterThan(0);
    expect(result.problems.length).toBeLessThanOrEqual(MAX_PROBLEMS + 1);
    return;
  }
  const { totals } = previewRelease(resolvePlan(result.plan));
  expect(Number.isFinite(totals.makespanSeconds)).toBe(true);
  expect(Number.isFinite(totals.costUsd)).toBe(true);
}
