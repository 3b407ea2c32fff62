/**
 * Failover and failback faults: an operator's actions at a virtual time. Each goes through the
 * use case behind POST /failover and /failback, so the real failover state machine runs on the
 * engine, refusals included. What each one did is read back from the record its handlers wrote.
 */
import type { FailoverStarted } from '../lambdas/app/failover-history';
import { startFailback } from '../lambdas/app/start-failback';
import { startFailover } from '../lambdas/app/start-failover';
import type { FailoverRecord } from '../lambdas/core/failover';
import type { ResolvedPlan } from '../lambdas/core/plan/resolve';
import { seconds } from '../lambdas/core/plan/resolve';
import { operatorActions } from './faults/load';
import type { FaultFile } from './faults/schema';
import type { LocalPlatform } from './rehearse';

/** Who the rehearsal's operator actions are recorded as: the same name its submissions carry. */
export const REHEARSAL_OPERATOR = 'rehearsal';

export interface RehearsedFailover {
  direction: 'failover' | 'failback';
  region: string;
  /** When the operator asked for it: virtual time, as an ISO time and in seconds since the start. */
  at: string;
  atSeconds: number;
  /** The failover's id (its record and execution); absent when the API refused it. */
  failoverId?: string;
  /**
   * REFUSED: nothing changed — the API turned it down (another failover holds the lock, the one
   * to reverse still runs…), or the rehearsal stopped before its time came (reason says which).
   */
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'REFUSED';
  reason?: string;
  /**
   * Route 53 weight per set identifier, as the record says: read when it began, and what it set.
   * Absent when it was refused or failed before it recorded its plan.
   */
  dnsWeightsBefore?: Record<string, number>;
  dnsWeightsAfter?: Record<string, number>;
  /** When the new weights reached Route 53, in seconds since the start. */
  dnsChangedSeconds?: number;
  replicaChanges: FailoverRecord['replicas'];
  /** When the replica changes were applied, in seconds since the start. */
  replicasChangedSeconds?: number;
  /** Services of the surviving regions it left alone, and why. */
  unscaled: NonNullable<FailoverRecord['unscaled']>;
  endSeconds?: number;
}

interface Asked {
  direction: RehearsedFailover['direction'];
  region: string;
  atMs: number;
  started?: FailoverStarted;
  refusal?: string;
}

export interface ScheduledFailovers {
  /** Actions whose time has not come yet: the rehearsal runs on until they have. */
  pending(): number;
  /** What each action did, in the order they were asked for. */
  results(): Promise<RehearsedFailover[]>;
}

export function scheduleFailovers(
  platform: Pick<LocalPlatform, 'ports' | 'scheduler' | 'store' | 'workflow'>,
  plan: ResolvedPlan,
  faults: FaultFile | undefined,
  epoch: Date,
): ScheduledFailovers {
  const { ports, scheduler, store, workflow } = platform;
  const asked: Asked[] = [];
  let pending = 0;
  for (const fault of faults ? operatorActions(faults) : []) {
    const action: Asked = {
      direction: fault.type,
      region: fault.region,
      atMs: epoch.getTime() + seconds(fault.at) * 1000,
    };
    asked.push(action);
    pending++;
    scheduler.at(new Date(action.atMs), () => {
      pending--;
      const start = action.direction === 'failover' ? startFailover : startFailback;
      void scheduler.track(
        start(ports, action.region, REHEARSAL_OPERATOR).then(
          (started) => {
            action.started = started;
          },
          (error: Error) => {
            action.refusal = error.message;
          },
        ),
      );
    });
  }

  // The record keys weights by region; the rehearsal's `dns` is by set identifier, as Route 53 is.
  const setIdentifiers = new Map(
    plan.regions.map((region) => [region.name, region.dns?.setIdentifier ?? region.name]),
  );
  // In the plan's region order, whatever order the record wrote them in.
  const bySetIdentifier = (weights: Record<string, number>) =>
    Object.fromEntries(
      [...setIdentifiers]
        .filter(([region]) => region in weights)
        .map(([region, identifier]) => [identifier, weights[region]!]),
    );
  const sinceStart = (iso: string | undefined) =>
    iso === undefined ? undefined : (new Date(iso).getTime() - epoch.getTime()) / 1000;

  return {
    pending: () => pending,
    async results() {
      const results: RehearsedFailover[] = [];
      for (const action of asked) {
        const base = {
          direction: action.direction,
          region: action.region,
          at: new Date(action.atMs).toISOString(),
          atSeconds: (action.atMs - epoch.getTime()) / 1000,
        };
        if (!action.started) {
          results.push({
            ...base,
            status: 'REFUSED',
            reason: action.refusal ?? 'its time never came: the rehearsal ended first',
            replicaChanges: [],
            unscaled: [],
          });
          continue;
        }
        const id = action.started.failoverId;
        const [record, release, execution, audit] = await Promise.all([
          store.getPlanDocument(id) as Promise<FailoverRecord | undefined>,
          store.getRelease(id),
          workflow.describeExecution(action.started.execution.executionArn),
          store.listAudit(id),
        ]);
        const auditAt = (action: string) => sinceStart(audit.find((entry) => entry.action === action)?.at);
        const ended = execution?.status !== undefined && execution.status !== 'RUNNING';
        // The execution's status is the truth when it failed before its record could say so.
        const failed = ended && execution.status !== 'SUCCEEDED';
        const reason =
          release?.reason ??
          (failed && execution?.error ? `${execution.error}: ${execution.cause ?? ''}` : undefined);
        const dnsChangedSeconds = auditAt('dns.weights-changed');
        const replicasChangedSeconds = auditAt('replicas.scaled');
        const endSeconds = sinceStart(execution?.stopDate);
        results.push({
          ...base,
          failoverId: id,
          status: failed ? 'FAILED' : ended ? 'SUCCEEDED' : 'RUNNING',
          ...(reason && { reason }),
          ...(record?.kind === 'failover' && {
            dnsWeightsBefore: bySetIdentifier(record.weightsBefore),
            dnsWeightsAfter: bySetIdentifier(record.weightsAfter),
          }),
          ...(dnsChangedSeconds !== undefined && { dnsChangedSeconds }),
          replicaChanges: record?.kind === 'failover' ? record.replicas : [],
          ...(replicasChangedSeconds !== undefined && { replicasChangedSeconds }),
          unscaled: record?.kind === 'failover' ? (record.unscaled ?? []) : [],
          ...(endSeconds !== undefined && { endSeconds }),
        });
      }
      return results;
    },
  };
}
