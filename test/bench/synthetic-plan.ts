/** The benchmarks' synthetic fleet (rehearse.bench.ts, preview.bench.ts): one generator, so both size the same plan. */
import { loadPlan } from '../../lambdas/core/plan/load';
import type { ReleasePlan } from '../../lambdas/core/plan/schema';
import { createRandom } from '../../rehearsal/random';

/**
 * A synthetic fleet: services in layers (each depends on up to three of the layer before),
 * mostly rolling and recreate with some canaries, every service in three regions of one wave.
 */
export function syntheticPlan(services: number): ReleasePlan {
  const random = createRandom(7);
  const names = Array.from({ length: services }, (_, index) => `svc-${String(index).padStart(4, '0')}`);
  const layerSize = Math.max(1, Math.round(services / 20));
  const document = {
    metadata: { releaseId: `synthetic-${services}` },
    defaults: {
      concurrency: 10,
      stepRolloutEstimate: '30s',
      strategy: { type: 'rolling', batch: { percent: 50 }, analysisPerBatch: false },
      analysis: {
        interval: '1m',
        duration: '5m',
        failureLimit: 1,
        checks: [{ type: 'http', url: 'https://synthetic.example.com/healthz' }],
      },
    },
    regions: ['us-east-1', 'us-west-2', 'eu-west-1'].map((name, index) => ({
      name,
      cluster: `synthetic-${index}`,
      wave: 1,
    })),
    services: names.map((name, index) => {
      const layer = Math.floor(index / layerSize);
      const previous = names.slice(Math.max(0, (layer - 1) * layerSize), layer * layerSize);
      const dependsOn =
        layer === 0
          ? []
          : [...new Set(Array.from({ length: 1 + random.integer(0, 2) }, () => random.pick(previous)))];
      const kind = random.next();
      return {
        name,
        image: `registry.example.com/synthetic/${name}:2.0.0`,
        dependsOn,
        replicas: 2,
        ...(kind < 0.1 && {
          strategy: {
            type: 'canary',
            steps: [{ setWeight: 20 }, { analysis: {} }, { setWeight: 100 }, { analysis: {} }],
          },
        }),
        ...(kind >= 0.1 && kind < 0.4 && { strategy: { type: 'recreate' } }),
      };
    }),
  };
  const loaded = loadPlan(JSON.stringify(document));
  if (!loaded.ok) throw new Error(`synthetic plan invalid: ${JSON.stringify(loaded.problems.slice(0, 3))}`);
  return loaded.plan;
}
