import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../../lambdas/core/plan/load';
import { analysisSeconds, resolvePlan } from '../../../lambdas/core/plan/resolve';
import type { AnalysisPlan } from '../../../lambdas/core/plan/schema';
import { type Document, validDocument } from './documents';

function resolve(document: Document) {
  const result = checkPlan(document);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return resolvePlan(result.plan);
}

describe('resolvePlan', () => {
  it('applies defaults to every service and region', () => {
    const document = validDocument();
    document.services[0].deployment = 'postgres';
    document.regions.push({
      name: 'eu-west-1',
      cluster: 'shop-euw1',
      wave: 2,
      services: ['db'],
      concurrency: 1,
    });
    const plan = resolve(document);
    expect(plan.releaseId).toBe('shop-2026-11-22');
    expect(plan.services.get('db')).toMatchObject({
      deployment: 'postgres',
      container: 'db',
      namespace: 'default',
      strategy: { type: 'recreate' },
      analysis: undefined,
    });
    expect(plan.services.get('web')).toMatchObject({
      deployment: 'web',
      container: 'web',
      strategy: { type: 'recreate' },
    });
    expect(plan.services.get('api')!.strategy.type).toBe('canary');
    expect(plan.regions.map((region) => [region.name, region.services, region.concurrency])).toEqual([
      ['us-east-1', ['db', 'api', 'web'], 4],
      ['eu-west-1', ['db'], 1],
    ]);
  });

  it('groups regions by wave in wave order, keeping declaration order within a wave', () => {
    const document = validDocument();
    document.regions = [
      { name: 'eu-west-1', cluster: 'c1', wave: 2 },
      { name: 'us-east-1', cluster: 'c2', wave: 1 },
      { name: 'ap-south-1', cluster: 'c3', wave: 2 },
    ];
    document.waves = { bake: '1h15m' };
    document.defaults.stepRolloutEstimate = '45s';
    const plan = resolve(document);
    expect(plan.waves.map(({ wave, regions }) => [wave, regions.map((region) => region.name)])).toEqual([
      [1, ['us-east-1']],
      [2, ['eu-west-1', 'ap-south-1']],
    ]);
    expect(plan.waveBakeSeconds).toBe(4500);
    expect(plan.stepRolloutEstimateSeconds).toBe(45);
  });
});

describe('analysisSeconds', () => {
  const analysis = (fields: Partial<AnalysisPlan>): AnalysisPlan => ({
    interval: '1m',
    failureLimit: 0,
    inconclusive: 'pause',
    approvalTimeout: '1h',
    checks: [{ type: 'cloudwatchAlarms', alarmNames: ['a'] }],
    ...fields,
  });

  it('is the duration, or count × interval', () => {
    expect(analysisSeconds(analysis({ duration: '10m' }))).toBe(600);
    expect(analysisSeconds(analysis({ interval: '2m', count: 4 }))).toBe(480);
  });

  it('lets a step override the length by duration or by count', () => {
    expect(analysisSeconds(analysis({ duration: '10m' }), { duration: '2m' })).toBe(120);
    expect(analysisSeconds(analysis({ interval: '2m', duration: '10m' }), { count: 3 })).toBe(360);
  });
});
