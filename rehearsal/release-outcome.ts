/**
 * What a rehearsal reports of one release it ran, read back from the store and the fleet at the
 * end: its final status, every service in every region, what preflight found, its audit and the
 * audit's sequence numbers. The rehearsed release and each second release are described alike.
 */
import type { AuditAction } from '../lambdas/core/audit';
import { RELEASE_LOCK_SCOPE } from '../lambdas/core/naming';
import type { ResolvedPlan } from '../lambdas/core/plan/resolve';
import type { PreflightProblem } from '../lambdas/core/preflight';
import type {
  AuditEntry,
  DeploymentSnapshot,
  LockLease,
  ReleaseRecord,
  ReleaseStatus,
  ServiceRolloutRecord,
  Store,
} from '../lambdas/ports';
import type { FleetDescription } from './fleet/index';

export type RehearsalStatus = ReleaseStatus | 'STALLED';

/** A release's status once nothing runs for it any more. */
export const FINAL_STATUSES: ReadonlySet<ReleaseStatus> = new Set([
  'SUCCEEDED',
  'ROLLED_BACK',
  'FAILED',
  'ABORTED',
  'REFUSED',
  'CANCELLED',
]);

export interface ServiceOutcome {
  status: ServiceRolloutRecord['status'] | 'UNTOUCHED';
  /** The fleet at the end of the rehearsal, after every release it ran. */
  image: string | null;
  /** What this release's snapshot saved: the image before it. */
  previousImage: string | null;
  weights: { stable: number; canary: number } | null;
  stepReached: number;
  steps: number;
  canaryReplicas: number;
  /**
   * The region is down at the end (an outage): its APIs cannot be read, so images, weights and
   * replicas are what was last known, and a status may no longer hold.
   */
  unreachable?: true;
}

/** By region, then service. */
export type RegionOutcomes = Record<string, Record<string, ServiceOutcome>>;

export interface PreflightOutcome {
  ok: boolean;
  checks: number;
  problems: PreflightProblem[];
  moreProblems?: number;
}

/** The audit's sequence numbers: gap-free from 1 when nothing was lost. */
export interface AuditSequence {
  first: number | null;
  last: number | null;
  count: number;
  /** Numbers missing between 1 and `last`. */
  gaps: number[];
}

export interface ReportedAuditEntry {
  seq: number;
  atSeconds: number;
  at: string;
  action: AuditAction;
  region?: string;
  service?: string;
  detail?: Record<string, unknown>;
}

export interface ReleaseOutcome {
  record?: ReleaseRecord;
  status: RehearsalStatus;
  reason?: string;
  regions: RegionOutcomes;
  preflight?: PreflightOutcome;
  /** In causal order: time, then seq. */
  audit: AuditEntry[];
  auditSequence: AuditSequence;
}

/** A release's rollback window (core/rollback-window.ts) in seconds since the start, and how it closed. */
export interface RehearsedWindow {
  opensAtSeconds: number;
  endsAtSeconds: number;
  /** Each region's window end. */
  regions: Record<string, number>;
  /**
   * `ended`: it ran out and the release succeeded; `promoted`: a person closed it early; `alarm`:
   * an alarm within it rolled the release back; `aborted`: a person (or a preempting release)
   * rolled it back; `open`: still open when the rehearsal stopped.
   */
  closedBy: 'ended' | 'promoted' | 'alarm' | 'aborted' | 'open';
  closedAtSeconds?: number;
  /** Who promoted or aborted, or the alarm's name. */
  closer?: string;
}

/** The window of a release that reached one, from its record and its audit. */
export function describeWindow(
  record: ReleaseRecord | undefined,
  audit: readonly AuditEntry[],
  epoch: Date,
): RehearsedWindow | undefined {
  const window = record?.rollbackWindow;
  if (!window) return undefined;
  const seconds = (at: string) => (Date.parse(at) - epoch.getTime()) / 1000;
  const opened = Date.parse(window.opensAt);
  const closing = audit.find(
    (entry) =>
      Date.parse(entry.at) >= opened &&
      (entry.action === 'release.promoted' ||
        entry.action === 'alarm.received' ||
        entry.action === 'rollback.requested'),
  );
  const base = {
    opensAtSeconds: seconds(window.opensAt),
    endsAtSeconds: seconds(window.endsAt),
    regions: Object.fromEntries(
      Object.entries(window.regions).map(([region, endsAt]) => [region, seconds(endsAt)]),
    ),
  };
  if (closing) {
    const alarmName = closing.detail?.alarmName;
    return {
      ...base,
      closedBy:
        closing.action === 'release.promoted'
          ? 'promoted'
          : closing.action === 'alarm.received'
            ? 'alarm'
            : 'aborted',
      closedAtSeconds: seconds(closing.at),
      closer:
        closing.action === 'alarm.received' && typeof alarmName === 'string' ? alarmName : closing.actor,
    };
  }
  return record.status === 'SUCCEEDED'
    ? { ...base, closedBy: 'ended', closedAtSeconds: base.endsAtSeconds }
    : { ...base, closedBy: 'open' };
}

const STALLED_REASON = 'every execution is waiting for something outside the rehearsal (an approval?)';

/**
 * One release as the store and the fleet show it at the end. A release not yet at a final
 * status when the rehearsal stalled is STALLED (it waits on something outside the rehearsal).
 */
export async function describeReleaseOutcome(
  store: Store,
  plan: ResolvedPlan,
  fleet: FleetDescription,
  stalled: boolean,
): Promise<ReleaseOutcome> {
  const releaseId = plan.releaseId;
  const [record, records, snapshots, audit] = await Promise.all([
    store.getRelease(releaseId),
    store.listServiceRollouts(releaseId),
    store.getSnapshots(releaseId),
    readAllAudit(store, releaseId),
  ]);
  const waiting = stalled && record !== undefined && !FINAL_STATUSES.has(record.status);
  const reason = waiting ? STALLED_REASON : record?.reason;
  return {
    ...(record && { record }),
    status: waiting ? 'STALLED' : (record?.status ?? 'FAILED'),
    ...(reason && { reason }),
    regions: describeRegions(plan, records, snapshots, fleet),
    ...preflightOf(audit),
    audit,
    auditSequence: auditSequence(audit),
  };
}

export function reportedAudit(audit: readonly AuditEntry[], epoch: Date): ReportedAuditEntry[] {
  return audit.map((entry) => ({
    seq: entry.seq,
    atSeconds: (new Date(entry.at).getTime() - epoch.getTime()) / 1000,
    at: entry.at,
    action: entry.action,
    ...(entry.region && { region: entry.region }),
    ...(entry.service && { service: entry.service }),
    ...(entry.detail && { detail: entry.detail }),
  }));
}

export function auditSequence(audit: readonly AuditEntry[]): AuditSequence {
  const seqs = new Set(audit.map((entry) => entry.seq));
  const sorted = [...seqs].sort((a, b) => a - b);
  const last = sorted.at(-1) ?? null;
  const gaps: number[] = [];
  for (let seq = 1; last !== null && seq <= last; seq++) if (!seqs.has(seq)) gaps.push(seq);
  return { first: sorted[0] ?? null, last, count: audit.length, gaps };
}

async function readAllAudit(store: Store, releaseId: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (;;) {
    const page = await store.listAudit(releaseId, { afterSeq: entries.at(-1)?.seq ?? 0, limit: 500 });
    entries.push(...page);
    if (page.length < 500) break;
  }
  // Handler calls run one at a time in the engine's order, so time then seq is causal order.
  return entries.sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq);
}

/** The preflight's finding, as its audit entry recorded it. */
function preflightOf(audit: readonly AuditEntry[]): { preflight?: PreflightOutcome } {
  const entry = audit.find((candidate) => candidate.action.startsWith('preflight.'));
  if (!entry) return {};
  const detail = (entry.detail ?? {}) as {
    checks?: number;
    problems?: PreflightProblem[];
    moreProblems?: number;
  };
  return {
    preflight: {
      ok: entry.action === 'preflight.passed',
      checks: detail.checks ?? 0,
      problems: detail.problems ?? [],
      ...(detail.moreProblems && { moreProblems: detail.moreProblems }),
    },
  };
}

function describeRegions(
  plan: ResolvedPlan,
  records: readonly ServiceRolloutRecord[],
  snapshots: ReadonlyArray<{ service: string; snapshot: DeploymentSnapshot }>,
  fleet: FleetDescription,
): RegionOutcomes {
  const result: RegionOutcomes = {};
  for (const region of plan.regions) {
    result[region.name] = {};
    for (const service of region.services) {
      const record = records.find((entry) => entry.region === region.name && entry.service === service);
      const live = fleet.regions[region.name]?.services[service];
      const before = snapshots.find(
        (entry) => entry.service === service && entry.snapshot.target.region === region.name,
      );
      const container = plan.services.get(service)?.container ?? service;
      result[region.name]![service] = {
        status: record?.status ?? 'UNTOUCHED',
        image: live?.stable?.image ?? null,
        previousImage: before?.snapshot.images[container] ?? null,
        weights: live?.weights ?? null,
        stepReached: record?.stepIndex ?? 0,
        steps: record?.stepCount ?? 0,
        canaryReplicas: live?.canary?.replicas ?? 0,
        ...(fleet.regions[region.name]?.down && { unreachable: true as const }),
      };
    }
  }
  return result;
}

// ── the release lock ─────────────────────────────────────────────────────────

export interface LockHistoryEntry {
  atSeconds: number;
  at: string;
  action: 'acquired' | 'released';
  releaseId: string;
  kind: LockLease['kind'];
  actor: string;
}

export interface LockOutcome {
  scope: string;
  /** `held` at the end is a leak unless a release still runs (STALLED). */
  atEnd: 'free' | 'held';
  holder?: LockLease;
  /** Every taking and letting go, from the audits of the releases the rehearsal ran, in time order. */
  history: LockHistoryEntry[];
}

/** The release lock at the end, and its history as the releases' audits recorded it. */
export async function describeReleaseLock(
  store: Store,
  audits: ReadonlyArray<readonly AuditEntry[]>,
  epoch: Date,
): Promise<LockOutcome> {
  const holder = await store.getLock(RELEASE_LOCK_SCOPE);
  const history = audits
    .flat()
    .filter(
      (entry) =>
        (entry.action === 'lock.acquired' || entry.action === 'lock.released') &&
        entry.detail?.scope === RELEASE_LOCK_SCOPE,
    )
    .sort((a, b) => a.at.localeCompare(b.at))
    .map(
      (entry): LockHistoryEntry => ({
        atSeconds: (new Date(entry.at).getTime() - epoch.getTime()) / 1000,
        at: entry.at,
        action: entry.action === 'lock.acquired' ? 'acquired' : 'released',
        releaseId: entry.releaseId,
        kind: entry.detail?.kind as LockLease['kind'],
        actor: entry.actor,
      }),
    );
  return { scope: RELEASE_LOCK_SCOPE, atEnd: holder ? 'held' : 'free', ...(holder && { holder }), history };
}
