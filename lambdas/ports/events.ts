/** The Events port: Switchyard's own events (source `switchyard`). */

/** Detail types of Switchyard's own events (source `switchyard`), documented in the README. */
export type EventDetailType =
  | 'Release Started'
  | 'Release Monitoring'
  | 'Release Succeeded'
  | 'Release Failed'
  | 'Release Rolled Back'
  | 'Release Refused'
  | 'Release Queued'
  | 'Release Cancelled'
  | 'Release Preempted'
  | 'Approval Needed'
  | 'Service Rollout Step'
  | 'Service Rollout Completed'
  | 'Service Rollout Failed'
  | 'Rollback Started'
  | 'Rollback Completed'
  | 'Failover Started'
  | 'Failover Completed'
  | 'Failover Failed'
  | 'Failback Completed';

/**
 * `Approval Needed` carries what a person needs to act: `approval` (the name `switchyard approve
 * --approval` takes), `region`, `service`, `stepIndex` and `reason` (the step's kind: `approval`
 * for a pause until approved, `analysis` for an inconclusive analysis).
 */
export interface SwitchyardEvent {
  detailType: EventDetailType;
  releaseId: string;
  detail: Record<string, unknown>;
}

export interface Events {
  publish(events: readonly SwitchyardEvent[]): Promise<void>;
}
