/**
 * What `GET /releases/{id}` answers: a release as a person follows it — its waves, each wave's
 * regions, each region's services with their current step, weights and verdict — plus the
 * approvals waiting, the tail of the audit and links into the console. Failovers are stored as
 * releases too (see handlers/failover.ts) and get a view of their own.
 */
import { readQueue } from '../app/release-queue';
import { latestRollback } from '../app/start-rollback';
import { NotFoundError } from '../core/errors';
import type { FailoverRecord } from '../core/failover';
import { checkPlan } from '../core/plan/check';
import { type ResolvedPlan, resolvePlan } from '../core/plan/resolve';
import { isFailoverRecord } from '../core/record-kind';
import { rolloutSteps, type StepKind } from '../core/strategy';
import type {
  AuditEntry,
  ExecutionDescription,
  Ports,
  ReleaseRecord,
  ReleaseStatus,
  RollbackWindow,
  ServiceRolloutRecord,
  ServiceRolloutStatus,
  Store,
  Weights,
} from '../ports';
import { executionConsoleUrl } from './console-links';

/** Moved to core; still answered here for the API's callers. */

export type ApiPorts = Pick<Ports, 'store' | 'workflow' | 'preflight' | 'clock' | 'events'>;

/** How many audit entries the view carries when the caller names no `auditAfter`. */
export const AUDIT_TAIL = 50;
/** The most entries one answer carries after `auditAfter`. */
export const MAX_AUDIT_PAGE = 500;
const AUDIT_READ_PAGE = 1000;

export interface ExecutionLink {
  executionArn: string;
  /** undefined while the execution has not been started, or is unknown to the workflow. */
  status?: ExecutionDescription['status'];
  /** null where there is no console (the local engine). */
  consoleUrl: string | null;
}

export interface ServiceView {
  service: string;
  strategy: string;
  /** The image this release rolls out (the plan's). */
  image?: string;
  status: ServiceRolloutStatus;
  /** The step being run, 0-based; `done` once every step has run. null before the rollout starts. */
  step: { index: number; count: number; kind: StepKind | 'done' } | null;
  weights: Weights;
  verdict: 'pass' | 'fail' | 'inconclusive' | null;
  checks: { passed: number; failed: number };
  reason?: string;
  startedAt?: string;
  endedAt?: string;
}

export interface RegionView {
  region: string;
  cluster: string;
  services: ServiceView[];
}

export interface ReleaseView {
  kind: 'release';
  releaseId: string;
  status: ReleaseStatus;
  reason?: string;
  createdAt: string;
  updatedAt: string;
  submittedBy?: string;
  execution: ExecutionLink;
  /** The rollback execution, once there is one. */
  rollback?: ExecutionLink;
  /** Once the last wave is done: when the window opened, its end, and each region's. */
  rollbackWindow?: RollbackWindow;
  waves: Array<{ wave: number; regions: RegionView[] }>;
  /** Names of approvals waiting for a person, e.g. `us-east-1/api/step-1`. */
  approvalsWaiting: string[];
  /** A QUEUED release's place: what starts before it, and who holds the lock meanwhile. */
  queue?: QueuePlace;
  audit: AuditTail;
}

export interface QueuePlace {
  /** 1: it starts next, once the lock is free. */
  position: number;
  /** The releases ahead of it, in order. */
  ahead: string[];
  /** Who holds the release lock now. */
  behind?: { releaseId: string; kind: string };
  /** Its reason, for an emergency release. */
  emergency?: string;
}

export interface FailoverView {
  kind: 'failover';
  releaseId: string;
  direction: FailoverRecord['direction'];
  region: string;
  status: ReleaseStatus;
  reason?: string;
  createdAt: string;
  updatedAt: string;
  /** Who asked for it. */
  submittedBy?: string;
  planReleaseId: string;
  execution: ExecutionLink;
  weightsBefore: Record<string, number>;
  weightsAfter: Record<string, number>;
  replicas: FailoverRecord['replicas'];
  /** Services of the surviving regions it left alone, and why (absent for older records). */
  unscaled?: FailoverRecord['unscaled'];
  audit: AuditTail;
}

export interface AuditTail {
  entries: AuditEntry[];
  /** The seq of the last entry returned (or the `auditAfter` asked for): the next `auditAfter`. */
  lastSeq: number;
}

export async function describeRelease(
  ports: ApiPorts,
  releaseId: string,
  audit: { after?: number; limit?: number } = {},
): Promise<ReleaseView | FailoverView> {
  const release = await ports.store.getRelease(releaseId);
  if (!release) throw new NotFoundError(`no release ${releaseId}`);
  if (isFailoverRecord(release)) return describeFailover(ports, release, audit);

  const executionArn = release.executionArn ?? ports.workflow.executionArnFor('release', releaseId);
  const [plan, records, waiting, tail, execution, rollback, queue] = await Promise.all([
    storedPlan(ports.store, releaseId),
    ports.store.listServiceRollouts(releaseId),
    ports.store.listTaskTokens(releaseId, 'approval'),
    readAuditTail(ports.store, releaseId, audit),
    ports.workflow.describeExecution(executionArn),
    latestRollback(ports, releaseId),
    release.status === 'QUEUED' ? queuePlace(ports, releaseId) : undefined,
  ]);
  return {
    kind: 'release',
    releaseId,
    status: release.status,
    ...(release.reason && { reason: release.reason }),
    createdAt: release.createdAt,
    updatedAt: release.updatedAt,
    ...(release.submittedBy && { submittedBy: release.submittedBy }),
    execution: link(executionArn, execution),
    ...(rollback && { rollback: link(rollback.executionArn, rollback) }),
    ...(release.rollbackWindow && { rollbackWindow: release.rollbackWindow }),
    waves: plan ? describeWaves(plan, records) : [],
    approvalsWaiting: waitingApprovals(
      waiting.map((entry) => entry.name),
      records,
    ),
    ...(queue && { queue }),
    audit: tail,
  };
}

/** Where a queued release waits; undefined when its entry went meanwhile (its turn came). */
async function queuePlace(ports: Pick<Ports, 'store'>, releaseId: string): Promise<QueuePlace | undefined> {
  const { entries, holder } = await readQueue(ports);
  const entry = entries.find((candidate) => candidate.releaseId === releaseId);
  if (!entry) return undefined;
  return {
    position: entry.position,
    ahead: entries.slice(0, entry.position - 1).map((ahead) => ahead.releaseId),
    ...(holder && { behind: { releaseId: holder.releaseId, kind: holder.kind } }),
    ...(entry.emergency && { emergency: entry.emergency.reason }),
  };
}

async function describeFailover(
  ports: ApiPorts,
  release: ReleaseRecord,
  audit: { after?: number; limit?: number },
): Promise<FailoverView> {
  const executionArn = ports.workflow.executionArnFor('failover', release.releaseId);
  const [record, execution, tail] = await Promise.all([
    ports.store.getPlanDocument(release.releaseId) as Promise<FailoverRecord | undefined>,
    ports.workflow.describeExecution(executionArn),
    readAuditTail(ports.store, release.releaseId, audit),
  ]);
  if (record?.kind !== 'failover') throw new NotFoundError(`failover ${release.releaseId} has no record`);
  return {
    kind: 'failover',
    releaseId: release.releaseId,
    direction: record.direction,
    region: record.region,
    // The record stays RUNNING when the execution fails (nothing else moves it): the
    // execution's own status is the truth then.
    status: execution?.status === 'FAILED' || execution?.status === 'TIMED_OUT' ? 'FAILED' : release.status,
    ...(release.reason && { reason: release.reason }),
    createdAt: release.createdAt,
    updatedAt: release.updatedAt,
    ...(release.submittedBy && { submittedBy: release.submittedBy }),
    planReleaseId: record.planReleaseId,
    execution: link(executionArn, execution),
    weightsBefore: record.weightsBefore,
    weightsAfter: record.weightsAfter,
    replicas: record.replicas,
    ...(record.unscaled && { unscaled: record.unscaled }),
    audit: tail,
  };
}

export function link(executionArn: string, described?: ExecutionDescription): ExecutionLink {
  return {
    executionArn,
    ...(described && { status: described.status }),
    consoleUrl: executionConsoleUrl(executionArn) ?? null,
  };
}

/**
 * Approvals whose service rollout is still under way. A stopped rollout (an abort, a rollback)
 * leaves its parked token behind; nothing waits on it any more.
 */
function waitingApprovals(names: readonly string[], records: readonly ServiceRolloutRecord[]): string[] {
  const underWay = new Set(
    records
      .filter((record) => record.status === 'IN_PROGRESS' || record.status === 'VALIDATING')
      .map((record) => `${record.region}/${record.service}`),
  );
  // Names are `<region>/<service>/step-<n>` (requestApproval).
  return names.filter((name) => underWay.has(name.split('/').slice(0, 2).join('/'))).sort();
}

/** The release's plan as stored at submission (always valid: submission validated it). */
async function storedPlan(store: Store, releaseId: string): Promise<ResolvedPlan | undefined> {
  const checked = checkPlan(await store.getPlanDocument(releaseId));
  return checked.ok ? resolvePlan(checked.plan) : undefined;
}

/**
 * Every service of every region, in the plan's wave order. Before the release is validated its
 * service rollouts have no records yet: they show as PENDING.
 */
export function describeWaves(
  plan: ResolvedPlan,
  records: readonly ServiceRolloutRecord[],
): ReleaseView['waves'] {
  const byKey = new Map(records.map((record) => [`${record.region}/${record.service}`, record]));
  const stepsByService = new Map(
    [...plan.services].map(([name, service]) => [name, rolloutSteps(service)] as const),
  );
  return plan.waves.map(({ wave, regions }) => ({
    wave,
    regions: regions.map((region) => ({
      region: region.name,
      cluster: region.cluster,
      services: region.services.map((service): ServiceView => {
        const record = byKey.get(`${region.name}/${service}`);
        const steps = stepsByService.get(service) ?? [];
        const strategy = plan.services.get(service)?.strategy.type ?? 'unknown';
        const image = plan.services.get(service)?.image;
        if (!record) {
          return {
            service,
            strategy,
            ...(image && { image }),
            status: 'PENDING',
            step: null,
            weights: { stable: 100, canary: 0 },
            verdict: null,
            checks: { passed: 0, failed: 0 },
          };
        }
        const started = record.status !== 'PENDING' && record.status !== 'SKIPPED';
        return {
          service,
          strategy,
          ...(image && { image }),
          status: record.status,
          step: started
            ? {
                index: record.stepIndex,
                count: record.stepCount,
                kind: steps[record.stepIndex]?.kind ?? 'done',
              }
            : null,
          weights: record.weights,
          verdict: record.verdict ?? null,
          checks: { passed: record.checksPassed, failed: record.checksFailed },
          ...(record.reason && { reason: record.reason }),
          ...(record.startedAt && { startedAt: record.startedAt }),
          ...(record.endedAt && { endedAt: record.endedAt }),
        };
      }),
    })),
  }));
}

/**
 * After `after`: up to `limit` entries from there (what a watcher polls with). Without it: the
 * last AUDIT_TAIL entries. The store reads the audit forwards only, so the tail costs one read
 * per thousand entries; a watcher pays that once and then asks only for what is new.
 */
export async function readAuditTail(
  store: Store,
  releaseId: string,
  query: { after?: number; limit?: number },
): Promise<AuditTail> {
  if (query.after !== undefined) {
    const entries = await store.listAudit(releaseId, {
      afterSeq: query.after,
      limit: Math.min(query.limit ?? MAX_AUDIT_PAGE, MAX_AUDIT_PAGE),
    });
    return { entries, lastSeq: entries.at(-1)?.seq ?? query.after };
  }
  const keep = Math.min(query.limit ?? AUDIT_TAIL, MAX_AUDIT_PAGE);
  let tail: AuditEntry[] = [];
  let afterSeq = 0;
  for (;;) {
    const page = await store.listAudit(releaseId, { afterSeq, limit: AUDIT_READ_PAGE });
    tail = [...tail, ...page].slice(-keep);
    if (page.length < AUDIT_READ_PAGE) break;
    afterSeq = page.at(-1)!.seq;
  }
  return { entries: tail, lastSeq: tail.at(-1)?.seq ?? 0 };
}
