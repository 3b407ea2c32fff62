/** The Events port: Switchyard's own events (source `switchyard`). */

/** Detail types of Switchyard's own events (source `switchyard`), documented in the README. */
export type EventDetailType =
  | 'Release Started'
  | 'Release Succeeded'
  | 'Release Failed'
  | 'Release Rolled Back'
  | 'Release Refused'
  | 'Service Rollout Step'
  | 'Service Rollout Completed'
  | 'Service Rollout Failed'
  | 'Rollback Started'
  | 'Rollback Completed'
  | 'Failover Started'
  | 'Failover Completed'
  | 'Failover Failed'
  | 'Failback Completed';

export interface SwitchyardEvent {
  detailType: EventDetailType;
  releaseId: string;
  detail: Record<string, unknown>;
}

export interface Events {
  publish(events: readonly SwitchyardEvent[]): Promise<void>;
}
