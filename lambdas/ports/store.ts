/**
 * The Store port, one narrow interface per kind of record; `Store` is all of them, what the
 * adapters implement. A handler may declare only the ones it uses.
 */
import type { AuditEntry, NewAuditEntry } from '../core/audit';
import type { LockHolder } from '../core/errors';
import type { ReleaseStatus, ServiceRolloutStatus } from '../core/lifecycle';
import type { QueueEntry } from '../core/release-queue';
import type { RollbackWindow } from '../core/rollback-window';
import type { DeploymentSnapshot } from './cluster';
import type { Weights } from './traffic';

export type { ReleaseStatus, ServiceRolloutStatus } from '../core/lifecycle';
export type { QueueEntry } from '../core/release-queue';

// ── records ─────────────────────────────────────────────────────────────────

/**
 * What a release record is: a release of a plan, a failover or failback of a region, or the drain
 * of a region for a release (handlers/drain.ts).
 */
export type ReleaseKind = 'release' | 'failover' | 'failback' | 'drain';

export interface ReleaseRecord {
  releaseId: string;
  status: ReleaseStatus;
  /** sha256 of the canonical plan: the same id with another plan is a conflict. */
  planHash: string;
  createdAt: string;
  updatedAt: string;
  executionArn?: string;
  reason?: string;
  /** Who asked for it: the API caller, or the CLI user of a rehearsal. */
  submittedBy?: string;
  kind: ReleaseKind;
  /** Written when the release enters MONITORING (core/rollback-window.ts). */
  rollbackWindow?: RollbackWindow;
}

export type { RollbackWindow } from '../core/rollback-window';

export interface ServiceRolloutRecord {
  releaseId: string;
  region: string;
  service: string;
  status: ServiceRolloutStatus;
  stepIndex: number;
  stepCount: number;
  weights: Weights;
  checksPassed: number;
  checksFailed: number;
  /** Consecutive failed analysis intervals, for consecutiveFailureLimit. */
  consecutiveFailures: number;
  verdict?: 'pass' | 'fail' | 'inconclusive';
  reason?: string;
  /** The lane that claimed it: a retried claim by the same lane gets the same service back. */
  claimedBy?: string;
  startedAt?: string;
  endedAt?: string;
  updatedAt: string;
  /** The claim priority (core/lanes.ts): estimated seconds of work from the service to the end of its region. */
  priority?: number;
  /** Its dependencies in the region not yet completed; ready to claim once none are left. */
  waitingOn?: string[];
}

export interface RolloutState {
  release?: ReleaseRecord;
  rollout?: ServiceRolloutRecord;
  snapshot?: StoredSnapshot;
}

/**
 * What a lane reads to choose its next service (core/lanes.ts), instead of the whole region:
 * bounded by the region's concurrency and `limit`, whatever the region's size.
 */
export interface LaneBoard {
  /** Each lane running a service (IN_PROGRESS or VALIDATING), with that service. */
  lanes: Record<string, string>;
  /** Services of the region no lane has claimed yet. */
  unclaimed: number;
  /** The first service of the region that failed, rolled back or was skipped, with its status. */
  broken?: string;
  /** The best `limit` ready services (pending, no dependency left): most work after them first, then by name. */
  ready: string[];
}

/** What an update may change; anything else in a patch object is ignored. */
export const SERVICE_ROLLOUT_PATCH_FIELDS = [
  'status',
  'stepIndex',
  'weights',
  'checksPassed',
  'checksFailed',
  'consecutiveFailures',
  'verdict',
  'reason',
  'claimedBy',
  'startedAt',
  'endedAt',
] as const satisfies ReadonlyArray<keyof ServiceRolloutRecord>;

export type ServiceRolloutPatch = Partial<
  Pick<ServiceRolloutRecord, (typeof SERVICE_ROLLOUT_PATCH_FIELDS)[number]>
> & {
  /** Added to checksPassed and checksFailed where they stand, so the writer need not read them. */
  addChecks?: { passed: number; failed: number };
};

export interface ServiceRolloutKey {
  releaseId: string;
  region: string;
  service: string;
}

/** A workload as it was before the release, with the weights found then. */
export type StoredSnapshot = DeploymentSnapshot & { weights?: Weights };

export type { AuditAction, AuditEntry, NewAuditEntry } from '../core/audit';

export interface LockLease extends LockHolder {}

/** `window`: the release's rollback window, resumed by a person's promote. */
export type TaskTokenKind = 'approval' | 'dependency' | 'region' | 'window';

export interface TaskTokenKey {
  releaseId: string;
  kind: TaskTokenKind;
  /** Names what waits, e.g. `us-east-1/auth/step-3` or `us-east-1/lane-2`. */
  name: string;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

// ── one interface per kind of record ────────────────────────────────────────

/** What a status change may write with the status. */
export interface ReleaseStatusChanges {
  reason?: string;
  executionArn?: string;
  rollbackWindow?: RollbackWindow;
  from?: readonly ReleaseStatus[];
  /** With a cancel: the same write takes the release's queue entry off. */
  leaveQueue?: boolean;
}

/** What else createRelease writes with the release, in the same transaction. */
export interface CreateReleaseOptions {
  /**
   * Puts the (QUEUED) release on the release queue, its entry made from the record (id,
   * createdAt, submittedBy): a queued release is never stored without its entry, so the
   * dispatcher always finds it. QueueFullError (nothing written) when MAX_QUEUED_RELEASES wait.
   */
  enqueue?: { emergency?: { reason: string } };
}

/** Releases and failover records, with their plan documents. */
export interface ReleaseStore {
  /**
   * Creates the release, storing its plan; returns the existing one for the same id and hash
   * (then nothing else is written, nor enqueued).
   */
  createRelease(
    release: ReleaseRecord,
    planDocument: unknown,
    options?: CreateReleaseOptions,
  ): Promise<{ created: boolean; release: ReleaseRecord }>;
  getRelease(releaseId: string): Promise<ReleaseRecord | undefined>;
  getPlanDocument(releaseId: string): Promise<unknown>;
  /**
   * Moves the status, only from a status the lifecycle (core/lifecycle.ts) allows, and of
   * those only from one of `from` when given (throws ConditionFailed otherwise). With
   * `leaveQueue`, the same write takes the release's queue entry off (a cancel).
   */
  setReleaseStatus(
    releaseId: string,
    status: ReleaseStatus,
    changes?: ReleaseStatusChanges,
  ): Promise<ReleaseRecord>;
  listReleases(query: {
    status?: ReleaseStatus;
    since?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<ReleaseRecord>>;
}

/** Each service's rollout in each region, and the snapshots a rollback restores. */
export interface ServiceRolloutStore {
  /**
   * Writes PENDING records, each region's board, and the ready set (records waiting on nothing);
   * existing ones are kept (a retry changes nothing). Records of one region come in one call.
   */
  putServiceRollouts(records: readonly ServiceRolloutRecord[]): Promise<void>;
  getServiceRollout(
    releaseId: string,
    region: string,
    service: string,
  ): Promise<ServiceRolloutRecord | undefined>;
  listServiceRollouts(releaseId: string, region?: string): Promise<ServiceRolloutRecord[]>;
  /**
   * The release, one of its rollouts and that rollout's snapshot, in one consistent read: a task
   * checks it may act and reads what it acts on at once.
   */
  getRolloutState(key: ServiceRolloutKey): Promise<RolloutState>;
  /** The region's lane board, with at most `limit` ready services. */
  laneBoard(releaseId: string, region: string, limit: number): Promise<LaneBoard>;
  /**
   * The service completed: takes it off each dependent's `waitingOn`, and adds the dependents
   * left waiting on nothing, still pending, to the ready set. Returns those. A retry changes
   * nothing more.
   */
  countDownDependents(key: ServiceRolloutKey, dependents: readonly string[]): Promise<string[]>;
  /**
   * Applies the patch and appends the audit entry in one transaction; when `expect` is given,
   * only if the record's status is one of those, and a patched status only from a status the
   * lifecycle allows. An audit key already stored means the change was made: nothing is written.
   * The same transaction keeps the region's board: leaving PENDING leaves the ready set and the
   * unclaimed count; an active status with `claimedBy` puts the service on its lane, leaving
   * an active status takes it off; a broken status marks the region broken.
   */
  updateServiceRollout(
    key: ServiceRolloutKey,
    patch: ServiceRolloutPatch,
    /** One entry, or several in order (the first's key says whether the change was made). */
    audit: NewAuditEntry | readonly NewAuditEntry[],
    expect?: readonly ServiceRolloutStatus[],
    /** Only while the release has this status, in the same transaction (ConditionFailedError otherwise). */
    whileRelease?: ReleaseStatus,
  ): Promise<void>;

  /** First write wins: a retried snapshot never overwrites the original. */
  putSnapshot(releaseId: string, service: string, snapshot: StoredSnapshot): Promise<void>;
  getSnapshot(releaseId: string, region: string, service: string): Promise<StoredSnapshot | undefined>;
  getSnapshots(
    releaseId: string,
    region?: string,
  ): Promise<Array<{ service: string; snapshot: StoredSnapshot }>>;
}

export interface AuditStore {
  /** Appends in order; the same key twice stores one entry and returns it. */
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  listAudit(releaseId: string, query?: { afterSeq?: number; limit?: number }): Promise<AuditEntry[]>;
}

/** Leases on scopes (the release lock, the failover lock). */
export interface LeaseStore {
  /**
   * Takes the scope's lease when free, expired, or already held by the same release and kind;
   * a rollback or failover may take over a release's lease. Otherwise throws LockHeldError.
   */
  acquireLock(
    scope: string,
    holder: Pick<LockHolder, 'releaseId' | 'kind'>,
    leaseSeconds: number,
  ): Promise<LockLease>;
  releaseLock(scope: string, releaseId: string): Promise<void>;
  /** The scope's live lease; an expired one reads as free (undefined). */
  getLock(scope: string): Promise<LockLease | undefined>;
}

/**
 * The release queue: releases submitted with `queue` while the lock was held, waiting their turn
 * (app/release-queue.ts). Entries are made only with their release (createRelease's `enqueue`).
 */
export interface ReleaseQueueStore {
  /** Every entry, in queue order (core/release-queue.ts), read strongly consistently. */
  listQueue(): Promise<QueueEntry[]>;
  /** Takes the release's entry off the queue; a release without one is left as it is. */
  removeFromQueue(releaseId: string): Promise<void>;
}

/** Which releases watch which CloudWatch alarms, looked up from the alarm. */
export interface AlarmWatchStore {
  watchAlarms(releaseId: string, alarmNames: readonly string[]): Promise<void>;
  unwatchAlarms(releaseId: string): Promise<void>;
  releasesWatching(alarmName: string): Promise<string[]>;
}

/** The task tokens of Step Functions wait states, by what waits. */
export interface TaskTokenStore {
  putTaskToken(key: TaskTokenKey, token: string): Promise<void>;
  /** Removes and returns the token, so two callers cannot both resume it. */
  takeTaskToken(key: TaskTokenKey): Promise<string | undefined>;
  listTaskTokens(releaseId: string, kind?: TaskTokenKind): Promise<Array<TaskTokenKey & { token: string }>>;
}

export interface SeenEventStore {
  /** true the first time an id is seen: EventBridge delivers at least once. */
  markEventSeen(eventId: string, ttlSeconds: number): Promise<boolean>;
}

/** Every kind of record: what a Store adapter implements and Ports carries. */
export interface Store
  extends ReleaseStore,
    ServiceRolloutStore,
    AuditStore,
    LeaseStore,
    ReleaseQueueStore,
    AlarmWatchStore,
    TaskTokenStore,
    SeenEventStore {}
