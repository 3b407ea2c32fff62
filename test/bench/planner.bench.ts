/**
 * Planner benchmark: a plan of 10,000 services and 50,000 dependency edges in 3 regions,
 * validated, resolved and previewed. Run with `npm run bench:planner` (`-- --json` for the
 * figures as JSON); not part of `npm test`. It reports against the 1 s target rather than
 * failing: timings on a shared 2-core machine are too noisy to gate on.
 *
 * The graph is a seeded random DAG: every edge goes from a later service to an earlier one, so
 * it has no cycle by construction and the validator's cycle search walks the whole graph.
 */
import { performance } from 'node:perf_hooks';
import { formatDuration } from '../../lambdas/core/duration';
import { checkPlan, loadPlan } from '../../lambdas/core/plan/load';
import { resolvePlan } from '../../lambdas/core/plan/resolve';
import { previewRelease } from '../../lambdas/core/planner/preview';
import { createRandom } from '../../rehearsal/random';

const SERVICES = 10_000;
const EDGES = 50_000;
const SEED = 20_261_122;
const TARGET_MS = 1_000;

function serviceName(index: number): string {
  return `svc-${String(index).padStart(5, '0')}`;
}

/** Distinct edges, each from a later service to an earlier one. */
function randomDagEdges(random: () => number): Array<Set<number>> {
  const dependsOn = Array.from({ length: SERVICES }, () => new Set<number>());
  let edges = 0;
  while (edges < EDGES) {
    const from = 1 + Math.floor(random() * (SERVICES - 1));
    const to = Math.floor(random() * from);
    const deps = dependsOn[from]!;
    if (deps.has(to)) continue;
    deps.add(to);
    edges++;
  }
  return dependsOn;
}

function benchmarkPlan(): Record<string, unknown> {
  const generator = createRandom(SEED);
  const random = () => generator.next();
  const dependsOn = randomDagEdges(random);
  const strategies = [
    undefined, // the default canary
    { type: 'rolling', batch: { percent: 25 }, analysisPerBatch: true },
    { type: 'blueGreen', autoPromotionDelay: '2m', scaleDownDelay: '5m' },
    { type: 'recreate', reason: 'single writer' },
  ];
  const services = dependsOn.map((deps, index) => {
    const strategy = strategies[Math.floor(random() * strategies.length)];
    return {
      name: serviceName(index),
      namespace: `team-${index % 40}`,
      image: `registry.example.com/fleet/${serviceName(index)}:1.${index % 17}.0`,
      replicas: 1 + Math.floor(random() * 8),
      dependsOn: [...deps].map(serviceName),
      ...(strategy && { strategy }),
    };
  });
  return {
    metadata: { releaseId: 'bench-10k', description: 'planner benchmark' },
    defaults: {
      concurrency: 16,
      stepRolloutEstimate: '30s',
      strategy: {
        type: 'canary',
        steps: [{ setWeight: 10 }, { analysis: {} }, { setWeight: 50 }, { analysis: {} }, { setWeight: 100 }],
      },
      analysis: {
        interval: '1m',
        count: 5,
        checks: [{ type: 'cloudwatchAlarms', alarmNames: ['fleet-5xx'] }],
      },
    },
    waves: { bake: '10m' },
    regions: [
      { name: 'us-east-1', cluster: 'fleet-use1', wave: 1, concurrency: 32 },
      { name: 'us-west-2', cluster: 'fleet-usw2', wave: 2 },
      { name: 'eu-west-1', cluster: 'fleet-euw1', wave: 2, concurrency: 8 },
    ],
    services,
  };
}

function time<T>(run: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = run();
  return { result, ms: performance.now() - started };
}

const document = benchmarkPlan();
const edgeCount = (document.services as Array<{ dependsOn: string[] }>).reduce(
  (sum, service) => sum + service.dependsOn.length,
  0,
);

const validation = time(() => checkPlan(document));
if (!validation.result.ok) {
  console.error('the benchmark plan is invalid:', validation.result.problems.slice(0, 5));
  process.exit(1);
}
const plan = validation.result.plan;
const resolution = time(() => resolvePlan(plan));
const scheduling = time(() => previewRelease(resolution.result));
const totalMs = validation.ms + resolution.ms + scheduling.ms;

// The same document as text, through the YAML parser with positions, as `switchyard validate`
// reads a file: reported beside the target, not part of it.
const text = JSON.stringify(document);
const fromText = time(() => loadPlan(text));
if (!fromText.result.ok) throw new Error('loadPlan disagrees with checkPlan on the benchmark plan');

const totals = scheduling.result.totals;
// No schedule beats its critical path, nor its work spread over every slot: per wave, the larger
// of the two in its slowest region, plus bakes.
const lowerBoundSeconds = scheduling.result.waves.reduce((sum, wave) => {
  const regionBounds = wave.regions.map((region) => {
    const work = region.services.reduce((total, service) => total + service.durationSeconds, 0);
    return Math.max(region.criticalPath.seconds, work / region.concurrency);
  });
  return sum + Math.max(0, ...regionBounds) + wave.bakeAfterSeconds;
}, 0);
const figures = {
  services: SERVICES,
  edges: edgeCount,
  regions: resolution.result.regions.length,
  serviceRollouts: totals.serviceRollouts,
  validateMs: round(validation.ms),
  resolveMs: round(resolution.ms),
  scheduleMs: round(scheduling.ms),
  totalMs: round(totalMs),
  targetMs: TARGET_MS,
  loadPlanFromTextMs: round(fromText.ms),
  makespan: formatDuration(totals.makespanSeconds),
  criticalPath: formatDuration(totals.criticalPathSeconds),
  phaseBarriers: formatDuration(totals.phaseBarrierSeconds),
  makespanOverCriticalPath: Number((totals.makespanSeconds / totals.criticalPathSeconds).toFixed(3)),
  lowerBound: formatDuration(lowerBoundSeconds),
  makespanOverLowerBound: Number((totals.makespanSeconds / lowerBoundSeconds).toFixed(3)),
  executions: totals.executions,
  maxHistoryEvents: totals.maxHistoryEvents,
};

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(figures, null, 2));
} else {
  console.log(
    `planner benchmark: ${figures.services} services, ${figures.edges} edges, ${figures.regions} regions`,
  );
  console.log(`  validate (checkPlan)   ${figures.validateMs} ms`);
  console.log(`  resolve                ${figures.resolveMs} ms`);
  console.log(`  schedule (preview)     ${figures.scheduleMs} ms`);
  console.log(
    `  total                  ${figures.totalMs} ms (target ≤ ${TARGET_MS} ms) ${totalMs <= TARGET_MS ? 'OK' : 'MISSED'}`,
  );
  console.log(`  loadPlan from text     ${figures.loadPlanFromTextMs} ms (YAML parser with positions)`);
  console.log(
    `  makespan ${figures.makespan}, critical path ${figures.criticalPath}, phase barriers ${figures.phaseBarriers}; ` +
      `makespan / critical path = ${figures.makespanOverCriticalPath}`,
  );
  console.log(
    `  lower bound (critical path or work / concurrency, per wave) ${figures.lowerBound}; ` +
      `makespan / lower bound = ${figures.makespanOverLowerBound}`,
  );
  console.log(`  ${figures.executions} executions, largest history ~${figures.maxHistoryEvents} events`);
}
