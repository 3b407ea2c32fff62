/**
 * Rehearsal benchmark (`npm run bench:rehearse`; not part of `npm test`): the reference
 * platform end to end (`switchyard rehearse` from process start to exit), then synthetic
 * 100- and 1,000-service × 3-region plans through the real state machines on the local engine.
 * Prints wall time, state transitions, the largest execution history, store calls per
 * service-region and per step, makespan / critical path and canary transitions per step,
 * against the targets, with the load average.
 *
 * `-- --store dynamodb-local` runs the synthetic plans on DynamoDB Local instead of the
 * in-process store, and also counts DynamoDB requests; `-- --services N` sizes the larger
 * synthetic plan; `-- --only reference|synthetic`; `-- --json` prints the figures as JSON.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadPlan } from '../../lambdas/core/plan/load';
import { resolvePlan } from '../../lambdas/core/plan/resolve';
import type { ReleasePlan } from '../../lambdas/core/plan/schema';
import { withDynamoDbLocal } from '../../rehearsal/dynamodb-local';
import { type RehearsalResult, rehearse } from '../../rehearsal/rehearse';
import { syntheticPlan } from './synthetic-plan';

const { values } = parseArgs({
  options: {
    services: { type: 'string' },
    json: { type: 'boolean' },
    only: { type: 'string' },
    store: { type: 'string' },
  },
});
const SYNTHETIC_SERVICES = Number(values.services ?? 1000);
const SMALL_SERVICES = 100;
const ON_DYNAMODB_LOCAL = values.store === 'dynamodb-local';
const REFERENCE_RUNS = 3;

interface Figures {
  plan: string;
  store: string;
  wallSeconds: number;
  status: string;
  stateTransitions: number;
  maxHistoryEvents: number;
  executions: number;
  serviceRegions: number;
  steps: number;
  storeCalls: number;
  storeCallsPerServiceRegion: number;
  storeCallsPerStep: number;
  /** DynamoDB requests (round trips), on DynamoDB Local only. */
  dynamoDbRequests?: number;
  dynamoDbRequestsByOperation?: Record<string, number>;
  storeCallsByMethod: Record<string, number>;
  makespanOverCriticalPath: number;
  canaryTransitionsPerStep: number | null;
}

const round = (value: number, places = 1) => Math.round(value * 10 ** places) / 10 ** places;

/** Counts every request the client sends, by operation: DynamoDB's round trips. */
function countRequests(client: DynamoDBClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
      counts.set(operation, (counts.get(operation) ?? 0) + 1);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'countDynamoDbRequests' },
  );
  return counts;
}

async function rehearseOn(document: ReleasePlan, dynamoDb?: DynamoDBClient) {
  const plan = resolvePlan(document);
  const started = performance.now();
  const result = await rehearse({
    plan,
    planDocument: document,
    seed: 1,
    ...(dynamoDb && { dynamoDb }),
    autoApproveAfterSeconds: 300,
  });
  return { result, wallSeconds: (performance.now() - started) / 1000 };
}

/** How long the release's rollback window ran, when it ran to its end. */
function windowSeconds(result: RehearsalResult): number {
  const window = result.rollbackWindow;
  return window?.closedBy === 'ended' ? window.endsAtSeconds - window.opensAtSeconds : 0;
}

async function measure(name: string, document: ReleasePlan): Promise<Figures> {
  const run = async (dynamoDb?: DynamoDBClient, requests?: Map<string, number>): Promise<Figures> => {
    const { result, wallSeconds } = await rehearseOn(document, dynamoDb);
    const { counters } = result;
    const dynamoDbRequests = requests && [...requests.values()].reduce((sum, count) => sum + count, 0);
    return {
      plan: name,
      store: dynamoDb ? 'dynamodb-local' : 'memory',
      wallSeconds: round(wallSeconds),
      status: result.status,
      stateTransitions: counters.stateTransitions,
      maxHistoryEvents: counters.maxHistoryEvents,
      executions: counters.executions,
      serviceRegions: counters.serviceRegions,
      steps: counters.steps,
      storeCalls: counters.storeCalls.total,
      storeCallsPerServiceRegion: round(counters.storeCalls.total / counters.serviceRegions),
      storeCallsPerStep: round(counters.storeCalls.total / counters.steps),
      ...(requests && {
        dynamoDbRequests,
        dynamoDbRequestsByOperation: Object.fromEntries([...requests].sort(([a], [b]) => a.localeCompare(b))),
      }),
      storeCallsByMethod: counters.storeCalls.byMethod,
      // The rollout against its lower bound: a rollback window that ran out is time the plan asks for.
      makespanOverCriticalPath: round(
        (counters.makespanSeconds - windowSeconds(result)) /
          Math.max(1, counters.measuredCriticalPathSeconds),
        3,
      ),
      canaryTransitionsPerStep: counters.canaryTransitionsPerStep ?? null,
    };
  };
  if (!ON_DYNAMODB_LOCAL) return run();
  return withDynamoDbLocal((client) => run(client, countRequests(client)));
}

/** `switchyard rehearse` of the sample platform as a user runs it: process start to exit. */
function referenceEndToEnd(): number[] {
  const cli = fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url));
  const plan = fileURLToPath(new URL('../../examples/platform.yaml', import.meta.url));
  return Array.from({ length: REFERENCE_RUNS }, () => {
    const started = performance.now();
    execFileSync(process.execPath, [cli, 'rehearse', plan, '--json'], { stdio: 'ignore' });
    return round((performance.now() - started) / 1000, 2);
  });
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const TARGETS = [
  `  reference platform end to end (process start to exit, median of ${REFERENCE_RUNS}) ≤ 5 s`,
  `  synthetic ${SYNTHETIC_SERVICES} × 3 ≤ 120 s, and ≤ 12 × synthetic ${SMALL_SERVICES} × 3 in the same run`,
  '  largest history ≤ 5,000 events; makespan / critical path ≤ 1.02; canary transitions per step ≤ 12',
];

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const loadBefore = load();
const figures: Figures[] = [];
let referenceSeconds: number[] | undefined;
if (values.only !== 'synthetic') {
  referenceSeconds = referenceEndToEnd();
  const reference = loadPlan(readFileSync(new URL('../../examples/platform.yaml', import.meta.url), 'utf8'));
  if (!reference.ok) throw new Error('examples/platform.yaml is invalid');
  figures.push(await measure('reference platform (13 services, 3 regions)', reference.plan));
}
if (values.only !== 'reference') {
  for (const services of new Set([SMALL_SERVICES, SYNTHETIC_SERVICES])) {
    figures.push(await measure(`synthetic ${services} services × 3 regions`, syntheticPlan(services)));
  }
}
const small = figures.find((figure) => figure.plan.startsWith(`synthetic ${SMALL_SERVICES} `));
const large = figures.find((figure) => figure.plan.startsWith(`synthetic ${SYNTHETIC_SERVICES} `));
const scaling =
  small && large && small !== large ? round(large.wallSeconds / small.wallSeconds, 2) : undefined;
const loadAfter = load();

if (values.json) {
  console.log(JSON.stringify({ loadBefore, loadAfter, referenceSeconds, scaling, figures }, null, 2));
} else {
  console.log(`load average before ${loadBefore}, after ${loadAfter}`);
  console.log('targets:');
  for (const line of TARGETS) console.log(line);
  if (referenceSeconds) {
    console.log(
      `\nreference platform end to end: ${median(referenceSeconds)} s median (${referenceSeconds.join(', ')} s)`,
    );
  }
  for (const figure of figures) {
    console.log(`\n${figure.plan} (${figure.store} store): ${figure.status}`);
    console.log(`  wall time               ${figure.wallSeconds} s (in process)`);
    console.log(`  state transitions       ${figure.stateTransitions} in ${figure.executions} executions`);
    console.log(`  max history events      ${figure.maxHistoryEvents}`);
    console.log(
      `  store calls             ${figure.storeCalls}: ${figure.storeCallsPerServiceRegion} per service-region (${figure.serviceRegions}), ${figure.storeCallsPerStep} per step (${figure.steps})`,
    );
    if (figure.dynamoDbRequests !== undefined) {
      console.log(
        `  DynamoDB requests       ${figure.dynamoDbRequests}: ${round(figure.dynamoDbRequests / figure.serviceRegions)} per service-region, ${round(figure.dynamoDbRequests / figure.steps)} per step`,
      );
      console.log(`    ${JSON.stringify(figure.dynamoDbRequestsByOperation)}`);
    }
    console.log(`    ${JSON.stringify(figure.storeCallsByMethod)}`);
    console.log(
      `  makespan / crit. path   ${figure.makespanOverCriticalPath} (critical path of the measured rollout times)`,
    );
    console.log(`  canary transitions/step ${figure.canaryTransitionsPerStep ?? 'n/a'}`);
  }
  if (scaling !== undefined) {
    console.log(`\nwall(${SYNTHETIC_SERVICES} × 3) / wall(${SMALL_SERVICES} × 3) = ${scaling}`);
  }
}
