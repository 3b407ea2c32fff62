/**
 * Preview figures at fleet scale (`npm run bench:preview`; not part of `npm test`): the sample
 * platform and the synthetic 1,000-service × 3-region plan of rehearse.bench.ts, as `switchyard
 * preview --json` computes them: state transitions and dollars, Lambda invocations, DynamoDB
 * reads and writes per release. `-- --services N` sizes the synthetic plan.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadPlan } from '../../lambdas/core/plan/load';
import { resolvePlan } from '../../lambdas/core/plan/resolve';
import type { ReleasePlan } from '../../lambdas/core/plan/schema';
import { previewRelease } from '../../lambdas/core/planner/preview';
import { syntheticPlan } from './synthetic-plan';

const { values } = parseArgs({ options: { services: { type: 'string' } } });
const services = Number(values.services ?? 1000);
const sample = loadPlan(readFileSync(new URL('../../examples/platform.yaml', import.meta.url), 'utf8'));
if (!sample.ok) throw new Error('examples/platform.yaml is invalid');

const count = (value: number) => value.toLocaleString('en-US');
for (const [name, document] of [
  ['sample platform (examples/platform.yaml)', sample.plan],
  [`synthetic ${count(services)} services × 3 regions`, syntheticPlan(services)],
] as Array<[string, ReleasePlan]>) {
  const { totals } = previewRelease(resolvePlan(document));
  const { dynamoDb } = totals;
  console.log(`\n${name}: ${count(totals.serviceRollouts)} service rollouts`);
  console.log(
    `  Step Functions  ${count(totals.stateTransitions)} state transitions, $${totals.costUsd.toFixed(4)}`,
  );
  console.log(
    `  Lambda          ${count(totals.lambdaInvocations)} invocations, $${totals.lambdaCostUsd.toFixed(4)} (requests only)`,
  );
  console.log(
    `  DynamoDB        ${count(dynamoDb.storeCalls)} Store calls; ${count(dynamoDb.readRequests)} reads (${count(dynamoDb.readUnits)} RRU), ` +
      `${count(dynamoDb.writeRequests)} writes (${count(dynamoDb.writeUnits)} WRU), $${dynamoDb.costUsd.toFixed(4)} on-demand us-east-1`,
  );
}
