/**
 * The Store in memory, for the rehearsal (`--store memory`) and handler tests: the rules DynamoDbStore keeps, kept the same way, and
 * checked against it by one contract (test/contract/store-contract.ts): idempotent release
 * creation, status changes as the lifecycle allows, `expect` on service-rollout updates,
 * first-write-wins snapshots, a gap-free audit keyed for idempotency, leases judged by their
 * expiry, take-once task tokens, event ids seen once per window, a bounded release queue written
 * with its releases, listings in key order and cursors good only for their query.
 */
import {
  ConditionFailedError,
  InvalidInputError,
  LockHeldError,
  NotFoundError,
  QueueFullError,
  ReleaseConflictError,
} from '../lambdas/core/errors';
import { type BoardChange, boardChange, readyRank } from '../lambdas/core/lanes';
import { releaseMoveSources, rolloutUpdateSources } from '../lambdas/core/lifecycle';
import {
  inQueueOrder,
  MAX_QUEUED_RELEASES,
  type QueueEntry,
  queueEntryFor,
} from '../lambdas/core/release-queue';
import {
  type AuditEntry,
  type Clock,
  type CreateReleaseOptions,
  type LaneBoard,
  type LockLease,
  type NewAuditEntry,
  type Page,
  type ReleaseRecord,
  type ReleaseStatus,
  type RolloutState,
  SERVICE_ROLLOUT_PATCH_FIELDS,
  type ServiceRolloutKey,
  type ServiceRolloutRecord,
  type Store,
  type StoredSnapshot,
  type TaskTokenKey,
  type TaskTokenKind,
} from '../lambdas/ports';

type Json = Record<string, unknown>;

const clone = <T>(value: T): T => structuredClone(value);

/** Rollback and failover may take over a release's lease (Store.acquireLock). */
const OUTRANKS_RELEASE: ReadonlySet<LockLease['kind']> = new Set(['rollback', 'failover']);
const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;

export class InMemoryStore implements Store {
  private readonly releases = new Map<string, ReleaseRecord>();
  private readonly plans = new Map<string, unknown>();
  private readonly rollouts = new Map<string, ServiceRolloutRecord>();
  private readonly snapshots = new Map<
    string,
    { releaseId: string; service: string; snapshot: StoredSnapshot }
  >();
  private readonly audits = new Map<string, AuditEntry[]>();
  private readonly auditKeys = new Map<string, AuditEntry>();
  private readonly locks = new Map<string, LockLease>();
  private readonly watches = new Map<string, Set<string>>();
  private readonly tokens = new Map<string, TaskTokenKey & { token: string }>();
  private readonly seenEvents = new Map<string, number>();
  private readonly boards = new Map<string, RegionBoard>();
  private readonly queue = new Map<string, QueueEntry>();

  constructor(private readonly clock: Clock) {}

  /** Everything stored, as plain data: two dumps are equal when nothing changed in between. */
  dump(): Json {
    const sorted = <V>(map: Map<string, V>) =>
      Object.fromEntries([...map.entries()].sort(([a], [b]) => compare(a, b)));
    return clone({
      releases: sorted(this.releases),
      plans: sorted(this.plans),
      rollouts: sorted(this.rollouts),
      snapshots: sorted(this.snapshots),
      audits: sorted(this.audits),
      locks: sorted(this.locks),
      watches: sorted(new Map([...this.watches].map(([releaseId, names]) => [releaseId, [...names].sort()]))),
      tokens: sorted(this.tokens),
      seenEvents: sorted(this.seenEvents),
      queue: sorted(this.queue),
      boards: sorted(
        new Map(
          [...this.boards].map(([key, board]) => [
            key,
            { ...board, running: Object.fromEntries([...board.running].sort(([a], [b]) => compare(a, b))) },
          ]),
        ),
      ),
    });
  }

  // releases

  async createRelease(
    release: ReleaseRecord,
    planDocument: unknown,
    options: CreateReleaseOptions = {},
  ): Promise<{ created: boolean; release: ReleaseRecord }> {
    const existing = this.releases.get(release.releaseId);
    if (existing) {
      if (existing.planHash !== release.planHash) {
        throw new ReleaseConflictError(`release ${release.releaseId} already exists with another plan`);
      }
      return { created: false, release: clone(existing) };
    }
    if (options.enqueue && this.queue.size >= MAX_QUEUED_RELEASES)
      throw new QueueFullError(MAX_QUEUED_RELEASES);
    this.releases.set(release.releaseId, clone(release));
    this.plans.set(release.releaseId, clone(planDocument));
    if (options.enqueue) this.queue.set(release.releaseId, queueEntryFor(release, options.enqueue.emergency));
    return { created: true, release: clone(release) };
  }

  async getRelease(releaseId: string): Promise<ReleaseRecord | undefined> {
    const release = this.releases.get(releaseId);
    return release && clone(release);
  }

  async getPlanDocument(releaseId: string): Promise<unknown> {
    if (!this.plans.has(releaseId)) throw new NotFoundError(`release ${releaseId} has no stored plan`);
    return clone(this.plans.get(releaseId));
  }

  async setReleaseStatus(
    ...[releaseId, status, changes = {}]: Parameters<Store['setReleaseStatus']>
  ): Promise<ReleaseRecord> {
    const from = releaseMoveSources(status, changes.from);
    const release = this.releases.get(releaseId);
    if (!release) throw new NotFoundError(`release ${releaseId} does not exist`);
    if (!from.includes(release.status)) {
      throw new ConditionFailedError(
        `release ${releaseId} is ${release.status}, not ${from.join(' or ') || 'a status it may leave for it'}: not moved to ${status}`,
      );
    }
    const updated: ReleaseRecord = {
      ...release,
      status,
      updatedAt: this.clock.now().toISOString(),
      ...(changes.reason !== undefined && { reason: changes.reason }),
      ...(changes.executionArn !== undefined && { executionArn: changes.executionArn }),
      ...(changes.rollbackWindow !== undefined && {
        rollbackWindow: structuredClone(changes.rollbackWindow),
      }),
    };
    this.releases.set(releaseId, updated);
    if (changes.leaveQueue) this.queue.delete(releaseId);
    return clone(updated);
  }

  async listReleases(...[query]: Parameters<Store['listReleases']>): Promise<Page<ReleaseRecord>> {
    const asked = Number.isFinite(query.limit) ? Math.trunc(query.limit as number) : DEFAULT_PAGE_SIZE;
    const limit = Math.min(Math.max(asked, 1), MAX_PAGE_SIZE);
    const status = query.status ?? null;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, status);
    // Newest first by the key the DynamoDB index sorts on: creation time, then id.
    const matching = [...this.releases.values()]
      .filter((release) => status === null || release.status === status)
      .filter((release) => !query.since || timeKey(release) >= query.since)
      .filter((release) => after === undefined || timeKey(release) < after)
      .sort((a, b) => compare(timeKey(b), timeKey(a)));
    const items = matching.slice(0, limit);
    const last = items.at(-1);
    return {
      items: clone(items),
      ...(matching.length > limit && last && { cursor: encodeCursor(status, timeKey(last)) }),
    };
  }

  // service rollouts

  async putServiceRollouts(records: readonly ServiceRolloutRecord[]): Promise<void> {
    const counts = new Map<string, number>();
    for (const record of records) {
      const region = boardKey(record.releaseId, record.region);
      counts.set(region, (counts.get(region) ?? 0) + 1);
    }
    for (const [region, unclaimed] of counts) {
      if (!this.boards.has(region)) this.boards.set(region, { running: new Map(), unclaimed, ready: [] });
    }
    for (const record of records) {
      const key = rolloutKey(record);
      if (this.rollouts.has(key)) continue;
      this.rollouts.set(key, clone(record));
      if (!record.waitingOn?.length) this.makeReady(record);
    }
  }

  async getRolloutState(key: ServiceRolloutKey): Promise<RolloutState> {
    const release = this.releases.get(key.releaseId);
    const rollout = this.rollouts.get(rolloutKey(key));
    const snapshot = this.snapshots.get(rolloutKey(key))?.snapshot;
    return clone({ ...(release && { release }), ...(rollout && { rollout }), ...(snapshot && { snapshot }) });
  }

  async laneBoard(releaseId: string, region: string, limit: number): Promise<LaneBoard> {
    const board = this.boards.get(boardKey(releaseId, region));
    if (!board) throw new NotFoundError(`release ${releaseId} has no rollouts in ${region}`);
    return {
      lanes: Object.fromEntries(
        [...board.running].map(([service, lane]) => [lane, service]).sort(([a], [b]) => compare(a!, b!)),
      ),
      unclaimed: board.unclaimed,
      ...(board.broken !== undefined && { broken: board.broken }),
      ready: board.ready.slice(0, Math.max(0, limit)).map((entry) => entry.service),
    };
  }

  async countDownDependents(key: ServiceRolloutKey, dependents: readonly string[]): Promise<string[]> {
    const ready: string[] = [];
    for (const service of dependents) {
      const record = this.rollouts.get(rolloutKey({ ...key, service }));
      if (!record) continue;
      const waitingOn = (record.waitingOn ?? []).filter((dependency) => dependency !== key.service);
      record.waitingOn = waitingOn;
      if (waitingOn.length === 0 && record.status === 'PENDING' && this.makeReady(record))
        ready.push(service);
    }
    return ready;
  }

  /** Into the ready set, in rank order; false when it is there already. */
  private makeReady(record: ServiceRolloutRecord): boolean {
    const board = this.boards.get(boardKey(record.releaseId, record.region));
    if (!board) return false;
    const rank = readyRank(record.priority ?? 0, record.service);
    const at = lowerBound(board.ready, rank);
    if (board.ready[at]?.rank === rank) return false;
    board.ready.splice(at, 0, { rank, service: record.service });
    return true;
  }

  private applyBoardChange(record: ServiceRolloutRecord, change: BoardChange): void {
    const board = this.boards.get(boardKey(record.releaseId, record.region));
    if (!board) return;
    if (change.claimed) {
      const rank = readyRank(record.priority ?? 0, record.service);
      const at = lowerBound(board.ready, rank);
      if (board.ready[at]?.rank === rank) board.ready.splice(at, 1);
      board.unclaimed -= 1;
    }
    if (change.stops) board.running.delete(change.stops);
    if (change.runs) board.running.set(change.runs.service, change.runs.lane);
    if (change.broken && board.broken === undefined) board.broken = change.broken;
  }

  async getServiceRollout(
    releaseId: string,
    region: string,
    service: string,
  ): Promise<ServiceRolloutRecord | undefined> {
    const record = this.rollouts.get(rolloutKey({ releaseId, region, service }));
    return record && clone(record);
  }

  async listServiceRollouts(releaseId: string, region?: string): Promise<ServiceRolloutRecord[]> {
    return clone(
      inKeyOrder(
        [...this.rollouts.values()].filter(
          (record) => record.releaseId === releaseId && (region === undefined || record.region === region),
        ),
        (record) => `${record.region}#${record.service}`,
      ),
    );
  }

  async updateServiceRollout(
    ...[key, patch, audited, expect, whileRelease]: Parameters<Store['updateServiceRollout']>
  ): Promise<void> {
    const entries: readonly NewAuditEntry[] = Array.isArray(audited) ? audited : [audited as NewAuditEntry];
    const [audit] = entries;
    if (!audit || entries.some((entry) => !entry.key))
      throw new InvalidInputError('an audit entry needs an idempotency key');
    const what = `service rollout ${key.releaseId}/${key.region}/${key.service}`;
    const current = this.rollouts.get(rolloutKey(key));
    if (!current) throw new NotFoundError(`${what} does not exist`);
    // The patch and the audit entry are one transaction: an audit key already stored means this
    // change was made before (a retry), so neither is written again.
    const retried = this.auditKeys.has(auditKeyOf(audit.releaseId, audit.key));
    if (retried) return;
    const from = rolloutUpdateSources(patch.status, expect);
    if (from && !from.includes(current.status)) {
      throw new ConditionFailedError(
        `${what} is ${current.status}, not ${from.join(' or ') || 'a status it may leave'}`,
      );
    }
    if (whileRelease && this.releases.get(key.releaseId)?.status !== whileRelease) {
      throw new ConditionFailedError(
        `release ${key.releaseId} is no longer ${whileRelease}: ${what} not updated`,
      );
    }
    const applied = Object.fromEntries(
      SERVICE_ROLLOUT_PATCH_FIELDS.filter((field) => patch[field] !== undefined).map((field) => [
        field,
        patch[field],
      ]),
    );
    const updated: ServiceRolloutRecord = {
      ...current,
      ...clone(applied),
      ...(patch.addChecks && {
        checksPassed: current.checksPassed + patch.addChecks.passed,
        checksFailed: current.checksFailed + patch.addChecks.failed,
      }),
      updatedAt: this.clock.now().toISOString(),
    };
    const change = boardChange(key.service, patch, [current.status]);
    this.rollouts.set(rolloutKey(key), updated);
    if (change && change !== 'needs the record') this.applyBoardChange(current, change);
    for (const entry of entries) this.appendNow(entry);
  }

  // snapshots

  async putSnapshot(releaseId: string, service: string, snapshot: StoredSnapshot): Promise<void> {
    const key = rolloutKey({ releaseId, region: snapshot.target.region, service });
    if (!this.snapshots.has(key)) this.snapshots.set(key, { releaseId, service, snapshot: clone(snapshot) });
  }

  async getSnapshot(releaseId: string, region: string, service: string): Promise<StoredSnapshot | undefined> {
    const entry = this.snapshots.get(rolloutKey({ releaseId, region, service }));
    return entry && clone(entry.snapshot);
  }

  async getSnapshots(
    releaseId: string,
    region?: string,
  ): Promise<Array<{ service: string; snapshot: StoredSnapshot }>> {
    const entries = [...this.snapshots.values()].filter(
      (entry) =>
        entry.releaseId === releaseId && (region === undefined || entry.snapshot.target.region === region),
    );
    return inKeyOrder(entries, (entry) => `${entry.snapshot.target.region}#${entry.service}`).map((entry) =>
      clone({ service: entry.service, snapshot: entry.snapshot }),
    );
  }

  // audit

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    if (!entry.key) throw new InvalidInputError('an audit entry needs an idempotency key');
    return clone(this.auditKeys.get(auditKeyOf(entry.releaseId, entry.key)) ?? this.appendNow(entry));
  }

  private appendNow(entry: NewAuditEntry): AuditEntry {
    const list = this.audits.get(entry.releaseId) ?? [];
    const stored: AuditEntry = { ...clone(entry), seq: list.length + 1 };
    list.push(stored);
    this.audits.set(entry.releaseId, list);
    this.auditKeys.set(auditKeyOf(entry.releaseId, entry.key), stored);
    return stored;
  }

  async listAudit(...[releaseId, query = {}]: Parameters<Store['listAudit']>): Promise<AuditEntry[]> {
    const afterSeq = Math.max(0, Math.trunc(query.afterSeq ?? 0));
    const after = (this.audits.get(releaseId) ?? []).filter((entry) => entry.seq > afterSeq);
    return clone(query.limit === undefined ? after : after.slice(0, query.limit));
  }

  // locks

  async acquireLock(...[scope, holder, leaseSeconds]: Parameters<Store['acquireLock']>): Promise<LockLease> {
    if (!(leaseSeconds > 0)) throw new InvalidInputError(`a lease must last some time, not ${leaseSeconds}s`);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + leaseSeconds * 1000).toISOString();
    const current = this.locks.get(scope);
    const live = current !== undefined && new Date(current.expiresAt) > now;
    if (!live || (OUTRANKS_RELEASE.has(holder.kind) && current.kind === 'release')) {
      const lease: LockLease = { scope, ...holder, acquiredAt: now.toISOString(), expiresAt };
      this.locks.set(scope, lease);
      return clone(lease);
    }
    if (current.releaseId !== holder.releaseId || current.kind !== holder.kind) {
      throw new LockHeldError(clone(current));
    }
    // Already ours (a retried step): renewed, keeping when it was first taken.
    const renewed = { ...current, expiresAt };
    this.locks.set(scope, renewed);
    return clone(renewed);
  }

  async releaseLock(scope: string, releaseId: string): Promise<void> {
    if (this.locks.get(scope)?.releaseId === releaseId) this.locks.delete(scope);
  }

  async getLock(scope: string): Promise<LockLease | undefined> {
    const lease = this.locks.get(scope);
    return lease && new Date(lease.expiresAt) > this.clock.now() ? clone(lease) : undefined;
  }

  // the release queue

  async listQueue(): Promise<QueueEntry[]> {
    return clone(inQueueOrder([...this.queue.values()]));
  }

  async removeFromQueue(releaseId: string): Promise<void> {
    this.queue.delete(releaseId);
  }

  // alarm watches

  async watchAlarms(releaseId: string, alarmNames: readonly string[]): Promise<void> {
    const names = this.watches.get(releaseId) ?? new Set<string>();
    for (const name of alarmNames) names.add(name);
    this.watches.set(releaseId, names);
  }

  async unwatchAlarms(releaseId: string): Promise<void> {
    this.watches.delete(releaseId);
  }

  async releasesWatching(alarmName: string): Promise<string[]> {
    const watching = [...this.watches]
      .filter(([, names]) => names.has(alarmName))
      .map(([releaseId]) => releaseId);
    return inKeyOrder(watching, (releaseId) => releaseId);
  }

  // task tokens

  async putTaskToken(key: TaskTokenKey, token: string): Promise<void> {
    // A retried wait state brings a new token for the same key: the newest is the live one.
    this.tokens.set(tokenKeyOf(key), { releaseId: key.releaseId, kind: key.kind, name: key.name, token });
  }

  async takeTaskToken(key: TaskTokenKey): Promise<string | undefined> {
    const entry = this.tokens.get(tokenKeyOf(key));
    this.tokens.delete(tokenKeyOf(key));
    return entry?.token;
  }

  async listTaskTokens(
    releaseId: string,
    kind?: TaskTokenKind,
  ): Promise<Array<TaskTokenKey & { token: string }>> {
    const entries = [...this.tokens.values()].filter(
      (entry) => entry.releaseId === releaseId && (kind === undefined || entry.kind === kind),
    );
    return clone(inKeyOrder(entries, (entry) => `${entry.kind}#${entry.name}`));
  }

  // events

  async markEventSeen(eventId: string, ttlSeconds: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    const seenUntil = this.seenEvents.get(eventId);
    if (seenUntil !== undefined && seenUntil > now) return false;
    this.seenEvents.set(eventId, now + Math.max(0, ttlSeconds) * 1000);
    return true;
  }
}

/** One service in one region of a release: the key of its rollout and of its snapshot. */
const rolloutKey = (key: ServiceRolloutKey) => `${key.releaseId}|${key.region}|${key.service}`;
const auditKeyOf = (releaseId: string, key: string) => `${releaseId}|${key}`;
const tokenKeyOf = (key: TaskTokenKey) => `${key.releaseId}|${key.kind}|${key.name}`;
/** The time index's sort key in DynamoDbStore: what `since` and listing order compare. */
const timeKey = (release: ReleaseRecord) => `${release.createdAt}#${release.releaseId}`;

/** Code-unit order, as DynamoDB compares string keys. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted by the sort key DynamoDbStore keeps them under: what its queries return them in. */
function inKeyOrder<T>(values: T[], sortKey: (value: T) => string): T[] {
  return values.sort((a, b) => compare(sortKey(a), sortKey(b)));
}

function encodeCursor(status: ReleaseStatus | null, after: string): string {
  return Buffer.from(JSON.stringify({ status, after }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, status: ReleaseStatus | null): string {
  let decoded: { status?: unknown; after?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) ?? {};
  } catch {
    throw new InvalidInputError('the cursor is not one this API returned');
  }
  if (typeof decoded.after !== 'string' || decoded.status !== status) {
    throw new InvalidInputError('the cursor belongs to another query (other status or none)');
  }
  return decoded.after;
}

interface RegionBoard {
  /** Each service a lane runs, with the lane. */
  running: Map<string, string>;
  unclaimed: number;
  broken?: string;
  /** Ready services in rank order (core/lanes.ts readyRank). */
  ready: Array<{ rank: string; service: string }>;
}

const boardKey = (releaseId: string, region: string) => `${releaseId}|${region}`;

/** The first index whose rank is not below `rank`. */
function lowerBound(entries: ReadonlyArray<{ rank: string }>, rank: string): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(entries[middle]!.rank, rank) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}
