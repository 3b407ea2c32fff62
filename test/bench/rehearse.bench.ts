/**
 * Rehearsal benchmark (`npm run bench:rehearse`; not part of `npm test`): the reference
 * platform and a synthetic 1,000-service × 3-region plan, through the real state machines on
 * the local engine with DynamoDB Local. Prints wall time, state transitions, the largest
 * execution history, makespan / critical path and canary transitions per step, against the
 * targets. `-- --services N` sizes the synthetic plan; `-- --json` prints the figures as JSON.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadPlan } from '../../lambdas/core/plan/load';
import { resolvePlan } from '../../lambdas/core/plan/resolve';
import type { ReleasePlan } from '../../lambdas/core/plan/schema';
import { withDynamoDbLocal } from '../../rehearsal/dynamodb-local';
import { createRandom } from '../../rehearsal/random';
import { rehearse } from '../../rehearsal/rehearse';

const { values } = parseArgs({
  options: { services: { type: 'string' }, json: { type: 'boolean' }, only: { type: 'string' } },
});
const SYNTHETIC_SERVICES = Number(values.services ?? 1000);

interface Figures {
  plan: string;
  wallSeconds: number;
  status: string;
  stateTransitions: number;
  maxHistoryEvents: number;
  executions: number;
  makespanOverCriticalPath: number;
  canaryTransitionsPerStep: number | null;
}

async function measure(name: string, document: ReleasePlan): Promise<Figures> {
  const plan = resolvePlan(document);
  return withDynamoDbLocal(async (client) => {
    const started = performance.now();
    const result = await rehearse({
      plan,
      planDocument: document,
      seed: 1,
      dynamoDb: client,
      autoApproveAfterSeconds: 300,
    });
    const wallSeconds = (performance.now() - started) / 1000;
    return {
      plan: name,
      wallSeconds: Math.round(wallSeconds * 10) / 10,
      status: result.status,
      stateTransitions: result.counters.stateTransitions,
      maxHistoryEvents: result.counters.maxHistoryEvents,
      executions: result.counters.executions,
      makespanOverCriticalPath:
        Math.round(
          (result.counters.makespanSeconds / Math.max(1, result.counters.measuredCriticalPathSeconds)) * 1000,
        ) / 1000,
      canaryTransitionsPerStep: result.counters.canaryTransitionsPerStep ?? null,
    };
  });
}

/**
 * A synthetic fleet: services in layers (each depends on up to three of the layer before),
 * mostly rolling and recreate with some canaries, every service in three regions of one wave.
 */
function syntheticPlan(services: number): ReleasePlan {
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

const TARGETS = [
  '  reference platform wall time ≤ 10 s on 2 cores',
  `  synthetic ${SYNTHETIC_SERVICES} × 3 wall time ≤ 120 s, max history events ≤ 5,000`,
  '  makespan / critical path ≤ 1.02; canary transitions per step ≤ 12',
];

const figures: Figures[] = [];
const reference = loadPlan(readFileSync(new URL('../../examples/platform.yaml', import.meta.url), 'utf8'));
if (!reference.ok) throw new Error('examples/platform.yaml is invalid');
if (values.only !== 'synthetic')
  figures.push(await measure('reference platform (13 services, 3 regions)', reference.plan));
if (values.only !== 'reference') {
  figures.push(
    await measure(`synthetic ${SYNTHETIC_SERVICES} services × 3 regions`, syntheticPlan(SYNTHETIC_SERVICES)),
  );
}

if (values.json) {
  console.log(JSON.stringify(figures, null, 2));
} else {
  console.log('targets:');
  for (const line of TARGETS) console.log(line);
  for (const figure of figures) {
    console.log(`\n${figure.plan}: ${figure.status}`);
    console.log(`  wall time              ${figure.wallSeconds} s`);
    console.log(`  state transitions      ${figure.stateTransitions} in ${figure.executions} executions`);
    console.log(`  max history events     ${figure.maxHistoryEvents}`);
    console.log(
      `  makespan / crit. path  ${figure.makespanOverCriticalPath} (critical path of the measured rollout times)`,
    );
    console.log(`  canary transitions/step ${figure.canaryTransitionsPerStep ?? 'n/a'}`);
  }
}
