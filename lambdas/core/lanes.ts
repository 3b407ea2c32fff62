/**
 * Lane scheduling within a region: which ready service a lane takes next. List scheduling: of
 * the pending services whose dependencies have all completed, the one with the most estimated
 * work after it (its bottom level) goes first; ties keep the order the records are listed in,
 * so a rehearsal with the same seed claims the same services. Free of I/O: the claim itself (a
 * conditional write, so two lanes never take the same service) is in handlers/release.ts.
 */
import type { ServiceRolloutRecord, ServiceRolloutStatus } from '../ports';

/** The region's dependency graph as a lane sees it. */
export interface LaneGraph {
  /** The service's dependencies within the region. */
  dependsOn(service: string): readonly string[];
  /** Remaining estimated work from the service to the end of its region: the claim priority. */
  priority(service: string): number;
}

export type LaneDecision =
  /** The lane already holds this service (a retried claim gets its own back). */
  | { outcome: 'own'; service: string }
  /** Services to try to claim, best first: one another lane took meanwhile fails its condition. */
  | { outcome: 'claim'; candidates: string[] }
  /** Pending services remain, none ready: they wait for these dependencies to complete. */
  | { outcome: 'wait'; waitingFor: string[] }
  /** A service of the region failed, rolled back or was skipped: the lane takes nothing more. */
  | { outcome: 'blocked'; reason: string }
  | { outcome: 'done' };

const BROKEN: ReadonlySet<ServiceRolloutStatus> = new Set(['FAILED', 'ROLLED_BACK', 'SKIPPED']);

const isActive = (record: ServiceRolloutRecord) =>
  record.status === 'IN_PROGRESS' || record.status === 'VALIDATING';

export function decideLaneClaim(
  laneId: string,
  records: readonly ServiceRolloutRecord[],
  graph: LaneGraph,
): LaneDecision {
  const own = records.find((record) => record.claimedBy === laneId && isActive(record));
  if (own) return { outcome: 'own', service: own.service };
  const broken = records.filter((record) => BROKEN.has(record.status));
  if (broken.length > 0) {
    return {
      outcome: 'blocked',
      reason: broken.map((record) => `${record.service} ${record.status}`).join(', '),
    };
  }
  const pending = records.filter((record) => record.status === 'PENDING');
  if (pending.length === 0) return { outcome: 'done' };
  // Array.prototype.sort is stable: equal priorities keep the records' order.
  const ready = readyServices(records, graph).sort((a, b) => graph.priority(b) - graph.priority(a));
  if (ready.length > 0) return { outcome: 'claim', candidates: ready };
  const completed = completedServices(records);
  const waitingFor = new Set(
    pending.flatMap((record) =>
      graph.dependsOn(record.service).filter((dependency) => !completed.has(dependency)),
    ),
  );
  return { outcome: 'wait', waitingFor: [...waitingFor] };
}

/** Pending services whose dependencies in the region have all completed, in the records' order. */
export function readyServices(
  records: readonly ServiceRolloutRecord[],
  graph: Pick<LaneGraph, 'dependsOn'>,
): string[] {
  const completed = completedServices(records);
  return records
    .filter(
      (record) =>
        record.status === 'PENDING' &&
        graph.dependsOn(record.service).every((dependency) => completed.has(dependency)),
    )
    .map((record) => record.service);
}

/**
 * Whether a lane that just parked should be resumed at once: a service is ready, or nothing is
 * running that could complete and wake it (it would wait for ever).
 */
export function parkedLaneShouldWake(
  records: readonly ServiceRolloutRecord[],
  graph: Pick<LaneGraph, 'dependsOn'>,
): boolean {
  return readyServices(records, graph).length > 0 || !records.some(isActive);
}

/** Rollouts not yet completed: a wave is green when there are none. */
export function unfinishedRollouts(records: readonly ServiceRolloutRecord[]): ServiceRolloutRecord[] {
  return records.filter((record) => record.status !== 'COMPLETED');
}

function completedServices(records: readonly ServiceRolloutRecord[]): Set<string> {
  return new Set(records.filter((record) => record.status === 'COMPLETED').map((record) => record.service));
}
