/**
 * What one release costs in DynamoDB: the Store port calls each handler makes, and the DynamoDB
 * requests and capacity units each Store method makes on the DynamoDB adapter.
 *
 * KEEP THIS IN STEP WITH THE HANDLERS. HANDLER_STORE_CALLS is read off lambdas/handlers (and
 * lambdas/app for submission and approval) on the happy path; STORE_REQUESTS off
 * lambdas/adapters/dynamodb. When a handler's store calls change, change its row here;
 * test/core/planner/store-cost.test.ts rehearses the sample platform and compares these
 * figures with the Store calls it measures, per method.
 *
 * Lane claims read the region's board and a small ready set (one Query of at most 4 KB), not
 * the whole region, so a lane's cost does not grow with the region's size.
 *
 * Capacity units, on-demand (the stack's table is PAY_PER_REQUEST, lib/switchyard.ts): a strongly
 * consistent read is 1 read unit per 4 KB (a Query per 4 KB of the items it reads, together); a
 * write 1 write unit per KB; a transactional write 2 per item per KB. Writes to a global index
 * are billed like table writes. Prices us-east-1, on-demand: $0.125 per million read request
 * units, $0.625 per million write request units.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 * https://aws.amazon.com/dynamodb/pricing/on-demand/
 */
import { gzipSync } from 'node:zlib';
import type { Store } from '../../ports/store';
import type { StepKind } from '../strategy';

export const USD_PER_READ_UNIT = 0.125 / 1_000_000;
export const USD_PER_WRITE_UNIT = 0.625 / 1_000_000;

export type StoreMethod = keyof Store;

/** Which items a Query reads: its read units follow their total size. */
export type QueryScope =
  /** Every rollout record of the region (wave barriers, not lanes). */
  | 'region'
  /** The ready services a lane claims from: assumed to fit one 4 KB read. */
  | 'readySet'
  /** The release's parked lanes' tokens: at most one per lane. */
  | 'laneTokens'
  /** The approvals waiting: about one. */
  | 'approvalTokens';

export interface StoreCall {
  method: StoreMethod;
  /** Calls per invocation (1 when absent). */
  times?: number;
  query?: QueryScope;
  /** Made only for a service behind a load balancer (alb, albIngress). */
  withTraffic?: true;
  /** acquireLock of a lease the release already holds: the put's condition fails, then it renews. */
  renews?: true;
  /** updateServiceRollout only while the release runs: the transaction also checks the release. */
  whileRelease?: true;
}

/**
 * Store calls per invocation, by handler, on the happy path. Rows named `handler:variant` are one
 * handler whose calls depend on its input (promoteCanary's phase, a claim's outcome). Reads a
 * warm container keeps (the plan, the audit counter, a service's snapshot replicas) are listed
 * where the first one happens; a cold start reads again, which this does not count.
 */
export const HANDLER_STORE_CALLS = {
  // The API's submission (lambdas/app/submit-release.ts), before the release execution starts.
  submitRelease: [
    { method: 'getRelease' },
    { method: 'acquireLock' },
    { method: 'appendAudit' },
    { method: 'createRelease' },
  ],
  validateRelease: [
    { method: 'getPlanDocument' },
    { method: 'getRelease' },
    { method: 'setReleaseStatus' },
    { method: 'putServiceRollouts' },
    { method: 'appendAudit' },
  ],
  // The lease is already the release's: the conditional put fails, then the renewal writes.
  acquireReleaseLock: [{ method: 'acquireLock', renews: true }, { method: 'appendAudit' }],
  preflightRelease: [{ method: 'appendAudit' }],
  watchAlarms: [{ method: 'watchAlarms' }],
  checkWaveHealth: [{ method: 'getRelease' }, { method: 'appendAudit' }],
  /** The wave barrier lists every region of the wave. */
  'checkWaveHealth:perRegion': [{ method: 'listServiceRollouts', query: 'region' }],
  // Without a window it reads the release only (the plan is the container's already).
  openRollbackWindow: [{ method: 'getRelease' }],
  'openRollbackWindow:opens': [
    { method: 'acquireLock', renews: true },
    { method: 'appendAudit' },
    { method: 'setReleaseStatus' },
  ],
  parkRollbackWindow: [{ method: 'putTaskToken' }],
  finalizeRelease: [
    { method: 'getRelease' },
    { method: 'appendAudit' },
    { method: 'setReleaseStatus' },
    { method: 'takeTaskToken' },
    { method: 'unwatchAlarms' },
    { method: 'getLock' },
    { method: 'appendAudit' },
    { method: 'releaseLock' },
    // The lock let go, the queue is dispatched (app/release-queue.ts): an empty one is one read.
    { method: 'listQueue' },
  ],
  prepareRegion: [{ method: 'getRelease' }, { method: 'acquireLock', renews: true }],
  /** A region checks that every region of the earlier waves is green. */
  'prepareRegion:perEarlierRegion': [{ method: 'listServiceRollouts', query: 'region' }],
  // The claim reads the region's board and its best few ready services, never the region; the
  // claim's write checks the release runs, so only a claim of nothing reads the release.
  'claimNextService:claims': [
    { method: 'laneBoard', query: 'readySet' },
    { method: 'updateServiceRollout', whileRelease: true },
  ],
  /** A claim that finds nothing ready (the lane parks) or nothing pending (the lane ends). */
  'claimNextService:none': [{ method: 'laneBoard', query: 'readySet' }, { method: 'getRelease' }],
  waitForDependency: [{ method: 'putTaskToken' }, { method: 'laneBoard', query: 'readySet' }],
  wakeLanes: [{ method: 'listTaskTokens', query: 'laneTokens' }],
  /**
   * Each parked lane is woken once: wakeLanes takes its token. (Its read of the board, made
   * only when some lane is parked, is counted with the lane's claim of nothing.)
   */
  'wakeLanes:perParkedLane': [{ method: 'takeTaskToken' }],
  // The release, the rollout and its snapshot in one read; the claim already made it IN_PROGRESS.
  startServiceRollout: [
    { method: 'getRolloutState' },
    { method: 'putSnapshot' },
    { method: 'updateServiceRollout' },
    // The first task that scales (prepareCanary, recreateWorkload) reads the snapshot's replicas
    // once (originalReplicas, service-rollout/shared.ts); a warm container keeps them.
    { method: 'getSnapshot' },
  ],
  checkReadinessGate: [{ method: 'appendAudit' }],
  prepareCanary: [],
  verifyRollout: [],
  // One read (release, rollout, snapshot), one write that also records the step done.
  shiftTraffic: [{ method: 'getRolloutState' }, { method: 'updateServiceRollout', whileRelease: true }],
  // A pass records the verdict and the step done in one write.
  runAnalysis: [{ method: 'updateServiceRollout', whileRelease: true }],
  requestApproval: [{ method: 'putTaskToken' }, { method: 'appendAudit' }],
  // The person's approval through the API (lambdas/app/approve.ts).
  approve: [
    { method: 'listTaskTokens', query: 'approvalTokens' },
    { method: 'takeTaskToken' },
    { method: 'appendAudit' },
  ],
  recreateWorkload: [{ method: 'getRelease' }, { method: 'appendAudit' }],
  'promoteCanary:updateStable': [{ method: 'getRelease' }],
  'promoteCanary:returnTraffic': [
    { method: 'getServiceRollout', withTraffic: true },
    { method: 'updateServiceRollout' },
  ],
  'promoteCanary:retireCanary': [],
  advanceStep: [{ method: 'updateServiceRollout', whileRelease: true }],
  // Heartbeats to parked lanes are sent at most every 30 minutes per region (parked-tasks.ts):
  // not counted per step.
  'advanceStep:afterWait': [{ method: 'updateServiceRollout', whileRelease: true }],
  completeServiceRollout: [{ method: 'updateServiceRollout' }, { method: 'countDownDependents' }],
  // A region's drain (handlers/drain.ts): its record is a release record of kind drain, read back
  // by each step; it holds the failover lock from the drain to the restore.
  drainRegion: [
    { method: 'acquireLock' },
    { method: 'appendAudit' },
    { method: 'getRelease' },
    { method: 'createRelease' },
    { method: 'appendAudit' },
    { method: 'appendAudit' },
  ],
  // Checked about twice: the other regions are still scaling up at the first.
  verifyDrainScaled: [
    { method: 'getRelease', times: 2 },
    { method: 'getPlanDocument', times: 2 },
  ],
  removeRegionWeight: [{ method: 'getRelease' }, { method: 'getPlanDocument' }, { method: 'appendAudit' }],
  verifyDrainedRegion: [],
  restoreRegionWeight: [{ method: 'getRelease' }, { method: 'getPlanDocument' }, { method: 'appendAudit' }],
  finishDrain: [
    { method: 'getRelease' },
    { method: 'getPlanDocument' },
    { method: 'appendAudit' },
    { method: 'setReleaseStatus' },
    { method: 'getLock' },
    { method: 'appendAudit' },
    { method: 'releaseLock' },
  ],
  checkDnsSync: [],
  // A canary's own abort alarm (app/abort-alarms.ts): watched and audited at its first weight,
  // audited again when its completion deletes it.
  'prepareCanary:abortAlarm': [{ method: 'watchAlarms' }, { method: 'appendAudit' }],
  'completeServiceRollout:abortAlarm': [{ method: 'appendAudit' }],
} as const satisfies Record<string, readonly StoreCall[]>;

export type HandlerRow = keyof typeof HANDLER_STORE_CALLS;

/** DynamoDB requests and capacity units: what the bill counts. */
export interface DynamoDbCost {
  readRequests: number;
  writeRequests: number;
  readUnits: number;
  writeUnits: number;
}

/** Item sizes the units are rounded from: every record is under 1 KB except plans (sized per plan). */
const ITEM_BYTES = { rollout: 500, snapshot: 800, taskToken: 1200 } as const;
const KB = 1024;
const readUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / (4 * KB)));
const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));
/** Per plan: what the Query scopes and batched writes cover. */
export interface StoreCostContext {
  /** All service rollouts of the release (putServiceRollouts writes one item each). */
  serviceRollouts: number;
  /** Services of the region the call is made for. */
  regionServices: number;
  /** Lanes of the whole release (dependency tokens are listed release-wide). */
  lanes: number;
  /** Alarm watches: each canary's alarm per region, and the alarms analyses name. */
  alarms: number;
  /** The stored plan document, compressed as document-codec.ts stores it. */
  planBytes: number;
}

const request = (reads: number, writes: number, rru: number, wru: number): DynamoDbCost => ({
  readRequests: reads,
  writeRequests: writes,
  readUnits: rru,
  writeUnits: wru,
});

/** Items of one audit append (counter, entry, key), each a transactional write of ≤ 1 KB. */
const AUDIT_ITEMS = 3;
/** A release record is written with its two sparse index entries (table-definition.ts). */
const RELEASE_INDEX_WRITES = 2;

function queryBytes(scope: QueryScope, context: StoreCostContext): number {
  switch (scope) {
    case 'region':
      return context.regionServices * ITEM_BYTES.rollout;
    case 'readySet':
      return 4 * KB;
    case 'laneTokens':
      return context.lanes * ITEM_BYTES.taskToken;
    case 'approvalTokens':
      return ITEM_BYTES.taskToken;
  }
}

/**
 * DynamoDB requests of one Store call on the DynamoDB adapter, when nothing contends (a lost
 * optimistic round repeats the read and the transaction). Only the methods a release uses.
 */
export function storeRequests(call: StoreCall, context: StoreCostContext): DynamoDbCost {
  const query = () => request(1, 0, readUnits(queryBytes(call.query ?? 'readySet', context)), 0);
  switch (call.method) {
    case 'getRelease':
    case 'getServiceRollout':
    case 'getSnapshot':
    case 'getLock':
      return request(1, 0, 1, 0);
    case 'listQueue':
      // One consistent Query of the queue's partition: at most 20 small entries, one 4 KB read.
      return request(1, 0, 1, 0);
    case 'removeFromQueue':
      // The Query that finds the entry, then a transaction: the entry's delete and the count.
      return request(1, 1, 1, 2 * 2);
    case 'getRolloutState':
      // One TransactGetItems of three items: 2 read units each (transactional).
      return request(1, 0, 2 * 3, 0);
    case 'laneBoard':
      return query();
    case 'countDownDependents':
      // One update per dependent (about one), and for one made ready a transaction: a check and a put.
      return request(0, 2, 0, 1 + 2 * 2);
    case 'getPlanDocument':
      return request(1, 0, readUnits(context.planBytes), 0);
    case 'listServiceRollouts':
    case 'listTaskTokens':
      return query();
    case 'createRelease':
      // One transaction: the release record and its plan, plus the record's index entries.
      return request(0, 1, 0, 2 * 1 + 2 * writeUnits(context.planBytes) + RELEASE_INDEX_WRITES);
    case 'setReleaseStatus':
      // The status index entry moves (a delete and a put), the by-time entry is rewritten.
      return request(0, 1, 0, 1 + 3);
    case 'putServiceRollouts':
      return request(0, context.serviceRollouts, 0, context.serviceRollouts);
    case 'updateServiceRollout':
      // One transaction: rollout, audit counter, entry and key, a check of the release when
      // only while it runs; the board too for a claim or a completion (counted as one item
      // more). Only a status that may or may not leave PENDING reads the record first.
      return request(0, 1, 0, 2 * (1 + AUDIT_ITEMS + (call.whileRelease ? 1 : 0)));
    case 'appendAudit':
      return request(0, 1, 0, 2 * AUDIT_ITEMS);
    case 'acquireLock':
      // A conditional put; a lease the release already holds fails it (still a write unit) and
      // is renewed with an update. Submission takes it with the put alone.
      return call.renews ? request(0, 2, 0, 2) : request(0, 1, 0, 1);
    case 'releaseLock':
    case 'putSnapshot':
    case 'putTaskToken':
    case 'takeTaskToken':
      return request(0, 1, 0, 1);
    case 'watchAlarms':
      // Both directions of each watch, 50 watches per transaction.
      return request(0, Math.ceil(context.alarms / 50), 0, 2 * 2 * context.alarms);
    case 'unwatchAlarms':
      return request(
        1,
        Math.ceil(context.alarms / 50),
        readUnits(context.alarms * 200),
        2 * 2 * context.alarms,
      );
    default:
      return request(0, 0, 0, 0);
  }
}

/** The stored size of a plan document: JSON, gzip above 32 KB (document-codec.ts). */
export function storedPlanBytes(document: unknown): number {
  const json = JSON.stringify(document) ?? '';
  const size = Buffer.byteLength(json, 'utf8');
  return size <= 32 * KB ? size : gzipSync(json).byteLength;
}

// ── which handlers each piece of a release invokes (the Task states in statemachines/) ──

/** Rows that are no Task state of their own: the API's, or a part of another invocation. */
const NOT_TASKS: ReadonlySet<HandlerRow> = new Set([
  'submitRelease',
  'approve',
  'wakeLanes:perParkedLane',
  'checkWaveHealth:perRegion',
  'prepareRegion:perEarlierRegion',
  'prepareCanary:abortAlarm',
  'completeServiceRollout:abortAlarm',
  'openRollbackWindow:opens',
]);

export const PIECE_HANDLERS = {
  releaseFixed: [
    'submitRelease',
    'validateRelease',
    'acquireReleaseLock',
    'preflightRelease',
    'watchAlarms',
    'openRollbackWindow',
    'finalizeRelease',
  ],
  /** A plan with a rollback window: it opens, and its wait parks a token. */
  releaseWindow: ['openRollbackWindow:opens', 'parkRollbackWindow'],
  releasePerWave: ['checkWaveHealth'],
  /** Sized by the region listed: the wave barrier's, and a later wave's region's check of it. */
  releasePerRegion: ['checkWaveHealth:perRegion'],
  regionPerEarlierRegion: ['prepareRegion:perEarlierRegion'],
  regionFixed: ['prepareRegion'],
  /** The lane's last claim, which finds nothing pending. */
  laneFixed: ['claimNextService:none'],
  lanePerService: ['claimNextService:claims', 'wakeLanes'],
  /** A lane parked on a dependency, woken, and claiming again. */
  lanePerWait: ['waitForDependency', 'wakeLanes:perParkedLane', 'claimNextService:none'],
  serviceRolloutFixed: ['startServiceRollout', 'checkReadinessGate', 'completeServiceRollout'],
  drainFixed: [
    'drainRegion',
    'verifyDrainScaled',
    'removeRegionWeight',
    'verifyDrainedRegion',
    'finishDrain',
  ],
  drainPerSyncPoll: ['checkDnsSync'],
  drainPerRestoreStep: ['restoreRegionWeight'],
  /** Made at the canary's first weight, deleted at its completion: no Task states of their own. */
  abortAlarm: ['prepareCanary:abortAlarm', 'completeServiceRollout:abortAlarm'],
  setWeight: ['prepareCanary', 'verifyRollout', 'shiftTraffic'],
  analysis: ['runAnalysis'],
  pause: ['advanceStep:afterWait'],
  approval: ['requestApproval', 'approve', 'advanceStep:afterWait'],
  recreate: ['recreateWorkload', 'verifyRollout', 'recreateWorkload', 'verifyRollout', 'advanceStep'],
  promote: [
    'promoteCanary:updateStable',
    'verifyRollout',
    'promoteCanary:returnTraffic',
    'promoteCanary:retireCanary',
    'advanceStep',
  ],
} as const satisfies Record<string, readonly HandlerRow[]>;

export type Piece = keyof typeof PIECE_HANDLERS;

/** Lambda invocations of a piece: its handlers that are Task states. */
export function pieceLambdaInvocations(piece: Piece): number {
  return PIECE_HANDLERS[piece].filter((row) => !NOT_TASKS.has(row)).length;
}

export interface StoreCostRegion {
  wave: number;
  services: ReadonlyArray<{
    steps: ReadonlyArray<{ kind: StepKind }>;
    withTraffic: boolean;
    /** The canary gets the abort alarm Switchyard makes (core/abort-alarm.ts). */
    abortAlarm: boolean;
  }>;
  lanes: number;
  /** Times a lane of the region parks on a dependency (from the schedule). */
  waits: number;
  /** A drained region's restore steps and INSYNC polls per wait; absent when not drained. */
  drain?: { restoreSteps: number; syncPolls: number };
}

export interface StoreCostPlan {
  regions: readonly StoreCostRegion[];
  waves: number;
  /** Whether the plan has a rollback window. */
  rollbackWindow: boolean;
  alarms: number;
  planBytes: number;
}

export interface StoreCostEstimate extends DynamoDbCost {
  storeCalls: { total: number; byMethod: Record<string, number> };
  costUsd: number;
}

/** The Store calls and DynamoDB requests of one release that runs to its end. */
export function estimateStoreCost(plan: StoreCostPlan): StoreCostEstimate {
  const byMethod = new Map<string, number>();
  const total: DynamoDbCost = { readRequests: 0, writeRequests: 0, readUnits: 0, writeUnits: 0 };
  const serviceRollouts = plan.regions.reduce((sum, region) => sum + region.services.length, 0);
  const lanes = plan.regions.reduce((sum, region) => sum + region.lanes, 0);
  const base = { serviceRollouts, lanes, alarms: plan.alarms, planBytes: plan.planBytes };
  const invoke = (piece: Piece, count: number, context: StoreCostContext, withTraffic = false) => {
    if (count === 0) return;
    for (const row of PIECE_HANDLERS[piece]) {
      for (const call of HANDLER_STORE_CALLS[row] as readonly StoreCall[]) {
        if (call.withTraffic && !withTraffic) continue;
        const calls = (call.times ?? 1) * count;
        byMethod.set(call.method, (byMethod.get(call.method) ?? 0) + calls);
        const cost = storeRequests(call, context);
        total.readRequests += cost.readRequests * calls;
        total.writeRequests += cost.writeRequests * calls;
        total.readUnits += cost.readUnits * calls;
        total.writeUnits += cost.writeUnits * calls;
      }
    }
  };
  invoke('releaseFixed', 1, { ...base, regionServices: 0 });
  if (plan.rollbackWindow) invoke('releaseWindow', 1, { ...base, regionServices: 0 });
  invoke('releasePerWave', plan.waves, { ...base, regionServices: 0 });
  // The audit counter is read once (then cached) before the first audited write.
  total.readRequests += 1;
  total.readUnits += 1;
  for (const region of plan.regions) {
    const context = { ...base, regionServices: region.services.length };
    const laterRegions = plan.regions.filter((other) => other.wave > region.wave).length;
    invoke('releasePerRegion', 1, context);
    invoke('regionPerEarlierRegion', laterRegions, context);
    invoke('regionFixed', 1, context);
    invoke('laneFixed', region.lanes, context);
    invoke('lanePerWait', region.waits, context);
    if (region.drain) {
      invoke('drainFixed', 1, context);
      invoke('drainPerSyncPoll', 2 * region.drain.syncPolls, context);
      invoke('drainPerRestoreStep', region.drain.restoreSteps, context);
    }
    for (const service of region.services) {
      invoke('lanePerService', 1, context, service.withTraffic);
      invoke('serviceRolloutFixed', 1, context, service.withTraffic);
      for (const step of service.steps) invoke(step.kind, 1, context, service.withTraffic);
      if (service.abortAlarm) invoke('abortAlarm', 1, { ...context, alarms: 1 });
    }
  }
  return {
    storeCalls: {
      total: [...byMethod.values()].reduce((sum, count) => sum + count, 0),
      byMethod: Object.fromEntries([...byMethod].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    },
    ...total,
    costUsd: roundUsd(total.readUnits * USD_PER_READ_UNIT + total.writeUnits * USD_PER_WRITE_UNIT),
  };
}

export const roundUsd = (usd: number) => Math.round(usd * 10_000) / 10_000;

/**
 * How often the lanes of a region park, read off its schedule: at the start and at every
 * completion (wakeLanes wakes every parked lane), each idle lane parks again while services
 * are still to be claimed. Lanes are the schedule's slots.
 */
export function laneWaits(
  tasks: ReadonlyArray<{ startSeconds: number; endSeconds: number }>,
  lanes: number,
): number {
  const ascending = (a: number, b: number) => a - b;
  const starts = tasks.map((task) => task.startSeconds).sort(ascending);
  const ends = tasks.map((task) => task.endSeconds).sort(ascending);
  const moments = [0, ...ends];
  let started = 0;
  let ended = 0;
  let waits = 0;
  for (const moment of moments) {
    while (started < starts.length && starts[started]! <= moment) started++;
    while (ended < ends.length && ends[ended]! <= moment) ended++;
    if (started < tasks.length) waits += Math.max(0, lanes - (started - ended));
  }
  return waits;
}
