/** The preview of whole releases: waves, bakes, region subsets and the reference platform. */
import { describe, expect, it } from 'vitest';
import { checkPlan, loadPlan } from '../../../lambdas/core/plan/load';
import { resolvePlan } from '../../../lambdas/core/plan/resolve';
import { previewRelease, type ReleasePreview } from '../../../lambdas/core/planner/preview';
import { type Document, readExample } from '../plan/documents';

function previewOf(document: Document): ReleasePreview {
  const result = checkPlan(document);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return previewRelease(resolvePlan(result.plan));
}

describe('waves', () => {
  // Recreates at 30 s an action: 60 s each. db ← api ← web, and cache alone.
  const document = {
    metadata: { releaseId: 'waves' },
    defaults: { strategy: { type: 'recreate' }, concurrency: 2, stepRolloutEstimate: '30s' },
    waves: { bake: '15m' },
    regions: [
      { name: 'us-east-1', cluster: 'a', wave: 1 },
      { name: 'us-west-2', cluster: 'b', wave: 1, services: ['db', 'cache'] },
      { name: 'eu-west-1', cluster: 'c', wave: 2, services: ['db', 'api'], concurrency: 1 },
    ],
    services: [
      { name: 'db', image: 'db:2' },
      { name: 'api', image: 'api:2', dependsOn: ['db'] },
      { name: 'web', image: 'web:2', dependsOn: ['api'] },
      { name: 'cache', image: 'cache:2' },
    ],
  };

  it('runs a wave as long as its slowest region, then bakes before the next', () => {
    const preview = previewOf(document);
    // Wave 1: us-east-1 runs db ‖ cache, api, web = 180 s; us-west-2 db ‖ cache = 60 s.
    // Bake 900 s. Wave 2: eu-west-1 db, api = 120 s, from 1080 s.
    expect(
      preview.waves.map((wave) => [wave.wave, wave.startSeconds, wave.endSeconds, wave.bakeAfterSeconds]),
    ).toEqual([
      [1, 0, 180, 900],
      [2, 1080, 1200, 0],
    ]);
    expect(preview.waves[0]!.regions.map((region) => [region.region, region.dagSeconds])).toEqual([
      ['us-east-1', 180],
      ['us-west-2', 60],
    ]);
    expect(preview.totals).toMatchObject({
      services: 4,
      serviceRollouts: 8,
      makespanSeconds: 1200,
      criticalPathSeconds: 180 + 900 + 120,
      phaseBarrierSeconds: 180 + 900 + 120,
      approvals: 0,
    });
  });

  it('places a region’s services on the release clock', () => {
    const euWest = previewOf(document).waves[1]!.regions[0]!;
    expect(
      euWest.services.map((service) => [service.name, service.startSeconds, service.endSeconds]),
    ).toEqual([
      ['db', 1080, 1140],
      ['api', 1140, 1200],
    ]);
    expect(euWest.criticalPath).toEqual({ services: ['db', 'api'], seconds: 120 });
  });

  it('does not bake after the last wave', () => {
    const preview = previewOf({ ...document, regions: document.regions.slice(0, 2) });
    expect(preview.waves).toHaveLength(1);
    expect(preview.waves[0]!.bakeAfterSeconds).toBe(0);
    expect(preview.totals.makespanSeconds).toBe(180);
  });
});

describe('rollback ramps', () => {
  it('are absent from a plan without one, and a service’s own rollback replaces the default', () => {
    const document = readExample('platform.yaml');
    const loaded = loadPlan(document);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const plan = loaded.plan as unknown as Document;
    const services = plan.services as Document[];
    for (const service of services) delete service.rollback;
    expect(previewOf(plan).rollbackRamps).toBeUndefined();
    (plan.defaults as Document).rollback = { ramp: { steps: [90, 60, 30, 0], interval: '1m' } };
    services[0]!.rollback = {};
    const ramps = previewOf(plan).rollbackRamps!;
    expect(ramps.length).toBe(services.length - 1);
    expect(ramps.find((ramp) => ramp.service === services[0]!.name)).toBeUndefined();
    expect(ramps[0]).toMatchObject({ steps: [90, 60, 30, 0], intervalSeconds: 60, mostAddedSeconds: 180 });
  });
});

describe('the reference platform (examples/platform.yaml)', () => {
  const result = loadPlan(readExample('platform.yaml'));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const plan = resolvePlan(result.plan);
  const preview = previewRelease(plan);
  const usEast = preview.waves[0]!.regions[0]!;
  // A canary of 5 weights (30 s each), 5 analyses of 10m that compare metrics — each waits up to a
  // minute to start on a whole minute and 3 minutes for CloudWatch to publish its last period —
  // and a promotion: 150 + 5 × (600 + 60 + 180) + 30 = 4380 (1h13m).
  const CANARY = 4380;

  it("names auth's rollback ramp and the most it adds to a rollback: one 30 s hold at 50 %", () => {
    expect(preview.rollbackRamps).toEqual([
      { service: 'auth', steps: [50, 0], intervalSeconds: 30, mostAddedSeconds: 30 },
    ]);
  });

  it('puts postgres → auth → mcp-memory → circle-of-experts → api-gateway on the us-east-1 critical path', () => {
    // recreate 60 + three 10-minute-stage canaries of 1h13m each + blue-green 18m30s = 3h58m30s.
    expect(usEast.region).toBe('us-east-1');
    expect(usEast.criticalPath).toEqual({
      services: ['postgres', 'auth', 'mcp-memory', 'circle-of-experts', 'api-gateway'],
      seconds: 60 + 3 * CANARY + 1110,
    });
    expect(usEast.services.filter((service) => service.critical).map((service) => service.name)).toEqual(
      usEast.criticalPath.services,
    );
  });

  it('estimates each strategy as the plan writes it', () => {
    const took = Object.fromEntries(
      usEast.services.map((service) => [service.name, service.durationSeconds]),
    );
    expect(took).toMatchObject({
      postgres: 60,
      auth: CANARY, // 5 weights + 5 analyses of 10m (and their waits for metrics) + promote
      'api-gateway': 1110,
      grafana: 90, // 2 batches of 50 % + promote
      jaeger: 90, // 2 replicas one at a time + promote
    });
  });

  it('schedules each region no slower than phase barriers, and no faster than its critical path', () => {
    for (const wave of preview.waves) {
      for (const region of wave.regions) {
        expect(region.dagSeconds).toBeLessThanOrEqual(region.phaseBarrier.seconds);
        expect(region.dagSeconds).toBeGreaterThanOrEqual(region.criticalPath.seconds);
      }
    }
    expect(usEast.dagSeconds).toBe(14_310);
    expect(usEast.phaseBarrier.seconds).toBe(14_340);
    expect(preview.totals.makespanSeconds).toBeLessThanOrEqual(preview.totals.phaseBarrierSeconds);
  });

  it('rolls the wave-2 and wave-3 subsets after a 15-minute bake each', () => {
    expect(preview.waves.map((wave) => [wave.wave, wave.regions.map((region) => region.region)])).toEqual([
      [1, ['us-east-1']],
      [2, ['us-west-2']],
      [3, ['eu-west-1']],
    ]);
    expect(preview.totals).toMatchObject({
      services: 13,
      serviceRollouts: 13 + 8 + 10,
      makespanSeconds: 3 * 14_310 + 2 * 900,
      criticalPathSeconds: 3 * 14_310 + 2 * 900,
      phaseBarrierSeconds: 14_340 + 2 * 14_310 + 2 * 900,
    });
  });

  it('starts every service after its dependencies in its region', () => {
    for (const region of preview.waves.flatMap((wave) => wave.regions)) {
      const byName = new Map(region.services.map((service) => [service.name, service]));
      for (const service of region.services) {
        for (const dependency of plan.services.get(service.name)!.dependsOn) {
          const before = byName.get(dependency);
          if (before) expect(service.startSeconds).toBeGreaterThanOrEqual(before.endSeconds);
        }
      }
    }
  });

  it('runs the baseline’s phases under the same estimates, beside its stated 5m15s–7m30s', () => {
    // [postgres, redis] 60, auth, 3 MCPs, bashgod, experts + crawler: 4 canaries, gateway 1110,
    // [prometheus, grafana, jaeger] 90.
    expect(preview.baseline).toEqual({
      description: 'origin documents, 7 sequential phases',
      phases: result.plan.baseline!.phases,
      seconds: 60 + 4 * CANARY + 1110 + 90,
      statedEstimate: { minSeconds: 315, maxSeconds: 450 },
    });
  });

  it('keeps every Step Functions history far inside the 25,000-event limit', () => {
    expect(preview.totals.maxHistoryEvents).toBeLessThan(25_000);
    expect(preview.totals.executions).toBeGreaterThan(preview.totals.serviceRollouts);
  });
});

describe('a drained region (examples/drain.yaml)', () => {
  const drained = loadPlan(readExample('drain.yaml'));
  const plain = loadPlan(readExample('platform.yaml'));
  if (!drained.ok || !plain.ok) throw new Error('examples/drain.yaml and platform.yaml should load');
  const preview = previewRelease(resolvePlan(drained.plan));
  const without = previewRelease(resolvePlan(plain.plan));
  const region = (name: string) =>
    preview.waves.flatMap((wave) => wave.regions).find((entry) => entry.region === name)!;

  it('shows each drain: one rollout estimate to scale the others, 4 INSYNC polls of 15 s and a 60 s TTL before; the restore steps, INSYNC and TTL after', () => {
    // The sample platform's rollout estimate is 30 s: 30 + 60 + 60 before; 2 × 2m + 60 + 60 after.
    expect(region('us-west-2').drain).toEqual({
      beforeSeconds: 150,
      afterSeconds: 360,
      restoreSteps: [25, 50, 100],
      restoreIntervalSeconds: 120,
      assumedTtlSeconds: 60,
    });
    expect(region('eu-west-1').drain).toMatchObject({ beforeSeconds: 150, afterSeconds: 120 });
    expect(region('us-east-1').drain).toBeUndefined();
  });

  it("starts the region's services after the drain and adds both waits to its wave", () => {
    const west = region('us-west-2');
    const wave = preview.waves.find((entry) => entry.regions.includes(west))!;
    expect(Math.min(...west.services.map((service) => service.startSeconds))).toBe(wave.startSeconds + 150);
    expect(preview.totals.makespanSeconds - without.totals.makespanSeconds).toBe(150 + 360 + 150 + 120);
    expect(preview.totals.criticalPathSeconds - without.totals.criticalPathSeconds).toBe(780);
  });

  it("counts the drains' Lambda invocations and Store calls", () => {
    // Per drain: 5 fixed tasks, 2 × 4 INSYNC polls, one task per restore step (3 and 1).
    expect(preview.totals.lambdaInvocations - without.totals.lambdaInvocations).toBe(2 * (5 + 8) + 4);
    const calls = preview.totals.dynamoDb.storeCallsByMethod;
    expect(calls.createRelease! - without.totals.dynamoDb.storeCallsByMethod.createRelease!).toBe(2);
  });
});
