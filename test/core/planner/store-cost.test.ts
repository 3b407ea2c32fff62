/**
 * The preview's Store and Lambda model (core/planner/store-cost.ts, cost.ts) against a rehearsal
 * of the sample platform on the in-process store: the Store calls the handlers actually make,
 * per method. When a handler's store calls change, its row in HANDLER_STORE_CALLS must follow.
 */
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../../lambdas/core/plan/load';
import { resolvePlan } from '../../../lambdas/core/plan/resolve';
import { LAMBDA_INVOCATIONS_BY_PIECE } from '../../../lambdas/core/planner/cost';
import { previewRelease } from '../../../lambdas/core/planner/preview';
import {
  HANDLER_STORE_CALLS,
  laneWaits,
  PIECE_HANDLERS,
  pieceLambdaInvocations,
  type StoreCall,
  storeRequests,
} from '../../../lambdas/core/planner/store-cost';
import { rehearse } from '../../../rehearsal/rehearse';
import { readExample } from '../plan/documents';

/** The model against the measured calls: within ±25 % per method and in total. */
const TOLERANCE = 0.25;
/**
 * Lane parking follows the rehearsal's real rollout times, the model the planner's estimates
 * (laneWaits): the methods only parked lanes call get a wider band. listTaskTokens also serves
 * the heartbeats to parked lanes, sent at most every 30 minutes per region, which the model
 * leaves out.
 */
const LANE_PARKING_TOLERANCE = 0.5;
const LANE_PARKING_METHODS = new Set(['putTaskToken', 'takeTaskToken', 'listTaskTokens']);

describe('the Store calls of a release, modelled and measured', () => {
  const loaded = loadPlan(readExample('platform.yaml'));
  if (!loaded.ok) throw new Error('examples/platform.yaml is invalid');
  const plan = resolvePlan(loaded.plan);
  const rehearsed = rehearse({ plan, planDocument: loaded.plan, seed: 1, autoApproveAfterSeconds: 300 });
  const modelled = previewRelease(plan).totals.dynamoDb;

  it('the release succeeds, so the happy-path model applies', async () => {
    expect((await rehearsed).status).toBe('SUCCEEDED');
  });

  it(`models every Store method the release calls, each within ±${TOLERANCE * 100} %`, async () => {
    const measured = (await rehearsed).counters.storeCalls.byMethod;
    expect(Object.keys(modelled.storeCallsByMethod).sort()).toEqual(Object.keys(measured).sort());
    for (const [method, calls] of Object.entries(measured)) {
      const tolerance = LANE_PARKING_METHODS.has(method) ? LANE_PARKING_TOLERANCE : TOLERANCE;
      const estimate = modelled.storeCallsByMethod[method] ?? 0;
      expect(
        Math.abs(estimate - calls) / calls,
        `${method}: modelled ${estimate}, measured ${calls}`,
      ).toBeLessThanOrEqual(tolerance);
    }
  });

  it(`models the total within ±${TOLERANCE * 100} %`, async () => {
    const measured = (await rehearsed).counters.storeCalls.total;
    expect(Math.abs(modelled.storeCalls - measured) / measured).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('the model itself', () => {
  it('invokes, per piece, the Lambdas the state-machine shapes of cost.ts count', () => {
    for (const piece of Object.keys(PIECE_HANDLERS) as Array<keyof typeof PIECE_HANDLERS>) {
      if (!(piece in LAMBDA_INVOCATIONS_BY_PIECE)) continue;
      expect(pieceLambdaInvocations(piece), piece).toBe(LAMBDA_INVOCATIONS_BY_PIECE[piece]);
    }
  });

  it('parks idle lanes at the start and at each completion while services remain unclaimed', () => {
    // Two lanes, b after a: the second lane parks at 0; at 10 the first takes b and it ends.
    expect(
      laneWaits(
        [
          { startSeconds: 0, endSeconds: 10 },
          { startSeconds: 10, endSeconds: 20 },
        ],
        2,
      ),
    ).toBe(1);
    // Nothing left to claim once everything started: no lane parks.
    expect(laneWaits([{ startSeconds: 0, endSeconds: 10 }], 1)).toBe(0);
  });

  it("a lane's reads and writes do not grow with its region: claims read the ready set", () => {
    const context = (regionServices: number) => ({
      serviceRollouts: regionServices,
      regionServices,
      lanes: 10,
      alarms: regionServices,
      planBytes: 10_000,
    });
    for (const piece of ['laneFixed', 'lanePerService', 'lanePerWait'] as const) {
      for (const row of PIECE_HANDLERS[piece]) {
        for (const call of HANDLER_STORE_CALLS[row] as readonly StoreCall[]) {
          expect(storeRequests(call, context(10_000)), `${row} ${call.method}`).toEqual(
            storeRequests(call, context(10)),
          );
        }
      }
    }
  });
});
