/** The AbortAlarms port: the CloudWatch alarm Switchyard makes for each canary, and removes. */
import type { AbortLimits } from '../core/abort-alarm';
import type { ResolvedTraffic } from './traffic';

/** One canary's abort alarm: on its target group, against the plan's abort limits. */
export interface AbortAlarmDefinition {
  name: string;
  releaseId: string;
  region: string;
  service: string;
  traffic: ResolvedTraffic;
  limits: AbortLimits;
}

export interface AbortAlarms {
  /**
   * Makes the alarm, or leaves it when Switchyard made it already. Refuses (AlarmNotOwnedError)
   * when an alarm of that name exists without Switchyard's tag: it never overwrites another's.
   */
  ensure(alarm: AbortAlarmDefinition): Promise<'created' | 'exists'>;
  /** Deletes the alarm when Switchyard made it; refuses one without its tag; absent is done. */
  remove(region: string, name: string): Promise<'deleted' | 'absent'>;
}
