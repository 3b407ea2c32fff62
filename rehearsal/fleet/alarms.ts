/**
 * CloudWatch alarms of the simulated fleet, and the moments they enter ALARM (what EventBridge
 * delivers to the rollback trigger).
 *
 * A region knows the plan's rollbackAlarms, the alarms the plan's analyses name for its services, the alarms the fault file
 * names there, each canary's `<service>-<region>-canary-errors` alarm, and the metric alarms
 * made through PutMetricAlarm (Switchyard's abort alarms, see aws/cloudwatch.ts) until they are
 * deleted. A `canary-errors` alarm is the one a user makes: it evaluates the canary's metrics
 * only where the compare check opts out of Switchyard's alarm (`abortAlarm: false`); otherwise
 * it is there for faults and outages to set off. A metric alarm is evaluated like CloudWatch with
 * a 60-second period and one datapoint to alarm; a period with no canary requests is missing data,
 * treated as not breaching. During a region outage every alarm of the region is in ALARM. Any
 * other name is an alarm that does not exist (DescribeAlarms leaves it out).
 *
 * Transitions come in two kinds. Those the fault file fixes (an alarm fault, an outage starting)
 * are known before the run: `events()`. A metric alarm's transition depends on what the release
 * does to traffic, so it is known only once that has happened: `transitionsBetween(from, to)`
 * returns both kinds in (from, to]. Past `now()` its answer is a forecast that holds as long as
 * nothing changes the fleet before `to`: an engine asks for (now, next wake-up] before sleeping,
 * and again after anything acts.
 */

import { canaryAlarmName as canaryErrorsAlarmName } from '../../lambdas/core/naming';
import type { ResolvedService } from '../../lambdas/core/plan/resolve';
import type { AlarmState } from '../../lambdas/ports';
import type { AlarmFault } from '../faults/schema';
import type { FleetContext } from './context';
import type { FleetMetrics, MinuteFigures } from './metrics';

export const ALARM_PERIOD_MS = 60_000;

export interface AlarmTransition {
  at: Date;
  alarmName: string;
  region: string;
  /** How many times EventBridge delivers the state change: 2 rehearses a duplicated event. */
  deliveries: number;
  reason: string;
}

/** An alarm on one canary's per-minute figures. */
export interface MetricAlarm {
  name: string;
  service: ResolvedService;
  region: string;
  /** Whether a minute's figures breach; undefined is missing data (not breaching). */
  breaches(minute: MinuteFigures): boolean | undefined;
}

export { canaryErrorsAlarmName };

export class FleetAlarms {
  private readonly known = new Map<string, Set<string>>();
  /** By region/name. */
  private readonly metricAlarms = new Map<string, MetricAlarm>();
  /** Alarms made through PutMetricAlarm, by region. */
  private readonly made = new Map<string, Set<string>>();
  private readonly faultAlarms: Array<AlarmFault & { fromMs: number; untilMs: number }>;
  private readonly fixedTransitions: AlarmTransition[];
  /** Per service/region: since when its canary has had no traffic; +∞ while it has. */
  private readonly canaryIdleSince = new Map<string, number>();
  private readonly settledStates = new Map<string, AlarmState>();

  constructor(
    private readonly context: FleetContext,
    private readonly metrics: FleetMetrics,
  ) {
    // An alarm counted from the last wave has no time until that wave ends (anchorLastWave).
    this.faultAlarms = context.faults.faults.flatMap((fault) =>
      fault.type === 'alarm' ? [{ ...fault, ...this.faultTimes(fault) }] : [],
    );
    for (const region of context.plan.regions) {
      const names = new Set<string>();
      for (const serviceName of region.services) {
        const service = context.service(serviceName);
        for (const check of service?.analysis?.checks ?? []) {
          if (check.type === 'cloudwatchAlarms') for (const name of check.alarmNames) names.add(name);
          if (
            check.type === 'compare' &&
            service &&
            (check.abortErrorRatePercent !== undefined || check.abortP95LatencyMs !== undefined)
          ) {
            const name = canaryErrorsAlarmName(service.name, region.name);
            names.add(name);
            // Switchyard makes the canary's alarm itself unless the check opts out.
            if (check.abortAlarm !== false) continue;
            const { abortErrorRatePercent, abortP95LatencyMs } = check;
            this.metricAlarms.set(`${region.name}/${name}`, {
              name,
              service,
              region: region.name,
              // The README's canary alarm: 100 * (HTTPCode_Target_5XX_Count + TargetConnectionErrorCount) /
              // RequestCount, or TargetResponseTime's p95.
              breaches: (minute) =>
                minute.requests > 0 &&
                ((abortErrorRatePercent !== undefined &&
                  ((minute.targetErrors + minute.connectionErrors) * 100) / minute.requests >
                    abortErrorRatePercent) ||
                  (abortP95LatencyMs !== undefined &&
                    minute.p95Ms !== undefined &&
                    minute.p95Ms > abortP95LatencyMs)),
            });
          }
        }
      }
      for (const fault of this.faultAlarms) if (fault.region === region.name) names.add(fault.alarmName);
      // The plan's rollbackAlarms: the user's alarms, made in every region before the release.
      for (const name of context.plan.source.rollbackAlarms ?? []) names.add(name);
      this.known.set(region.name, names);
    }
    this.fixedTransitions = this.computeFixedTransitions();
  }

  /** Tells the alarms whether a service's canary serves traffic now (see FleetIndex). */
  noteCanaryActivity(service: string, region: string, active: boolean): void {
    const key = `${service}/${region}`;
    if (active) this.canaryIdleSince.set(key, Number.POSITIVE_INFINITY);
    else if (this.canaryIdleSince.get(key) === Number.POSITIVE_INFINITY)
      this.canaryIdleSince.set(key, this.context.nowMs());
  }

  /** Every alarm of a region. */
  names(region: string): string[] {
    return [...(this.known.get(region) ?? []), ...(this.made.get(region) ?? [])];
  }

  /** Whether the alarm exists in the region: what DescribeAlarms answers for. */
  exists(region: string, alarmName: string): boolean {
    if (this.made.get(region)?.has(alarmName)) return true;
    if (this.context.isMissing('alarm', alarmName, region)) return false;
    return this.known.get(region)?.has(alarmName) ?? false;
  }

  /** Whether PutMetricAlarm made the alarm (it is not one the fleet starts with). */
  wasMade(region: string, alarmName: string): boolean {
    return this.made.get(region)?.has(alarmName) ?? false;
  }

  /** PutMetricAlarm: a metric alarm on a canary, created or replaced. */
  putMetricAlarm(alarm: MetricAlarm): void {
    const names = this.made.get(alarm.region) ?? new Set<string>();
    if (!this.exists(alarm.region, alarm.name)) names.add(alarm.name);
    this.made.set(alarm.region, names);
    this.metricAlarms.set(`${alarm.region}/${alarm.name}`, alarm);
    this.forgetStates(alarm.region, alarm.name);
  }

  /** DeleteAlarms of one alarm; a name that is no alarm is ignored, as CloudWatch does. */
  deleteAlarm(region: string, alarmName: string): void {
    this.made.get(region)?.delete(alarmName);
    this.known.get(region)?.delete(alarmName);
    this.metricAlarms.delete(`${region}/${alarmName}`);
    this.forgetStates(region, alarmName);
  }

  private forgetStates(region: string, alarmName: string): void {
    const prefix = `${region}/${alarmName}@`;
    for (const key of [...this.settledStates.keys()])
      if (key.startsWith(prefix)) this.settledStates.delete(key);
  }

  stateAt(region: string, alarmName: string, atMs: number): AlarmState {
    if (!this.exists(region, alarmName)) return 'INSUFFICIENT_DATA';
    if (this.context.outageAt(region, atMs)) return 'ALARM';
    if (this.faultAlarmActive(region, alarmName, atMs)) return 'ALARM';
    const metricAlarm = this.metricAlarms.get(`${region}/${alarmName}`);
    if (metricAlarm)
      return this.metricAlarmState(metricAlarm, Math.floor(atMs / ALARM_PERIOD_MS) * ALARM_PERIOD_MS);
    return 'OK';
  }

  /**
   * The rehearsed release's last wave ended at `atMs`: the alarms counted from it get their times.
   * Returns their transitions to ALARM, for the caller to deliver when they come.
   */
  anchorLastWave(atMs: number): AlarmTransition[] {
    this.context.lastWaveEndedMs ??= atMs;
    const anchored: AlarmTransition[] = [];
    for (const fault of this.faultAlarms) {
      if (fault.after !== 'lastWave' || Number.isFinite(fault.fromMs)) continue;
      Object.assign(fault, this.faultTimes(fault));
      const transition = this.faultTransition(fault);
      if (transition) anchored.push(transition);
    }
    this.fixedTransitions.push(...anchored);
    this.fixedTransitions.sort(
      (a, b) => a.at.getTime() - b.at.getTime() || a.alarmName.localeCompare(b.alarmName),
    );
    return anchored.map((transition) => ({ ...transition }));
  }

  /** Transitions to ALARM the fault file fixes in advance, earliest first. */
  events(): AlarmTransition[] {
    return this.fixedTransitions.map((transition) => ({ ...transition }));
  }

  /** Every transition to ALARM in (fromMs, toMs], earliest first (see the module comment). */
  transitionsBetween(fromMs: number, toMs: number): AlarmTransition[] {
    const found = this.fixedTransitions.filter(
      (transition) => transition.at.getTime() > fromMs && transition.at.getTime() <= toMs,
    );
    for (const alarm of this.metricAlarms.values()) {
      const idleSince = this.canaryIdleSince.get(`${alarm.service.name}/${alarm.region}`);
      // A canary that has served nothing since the period before `from` cannot breach.
      if (idleSince === undefined || idleSince < fromMs - ALARM_PERIOD_MS) continue;
      let boundary = Math.floor(fromMs / ALARM_PERIOD_MS) * ALARM_PERIOD_MS + ALARM_PERIOD_MS;
      let previous = this.stateAt(alarm.region, alarm.name, boundary - ALARM_PERIOD_MS);
      for (; boundary <= toMs; boundary += ALARM_PERIOD_MS) {
        const state = this.stateAt(alarm.region, alarm.name, boundary);
        // Entering an outage is a fixed transition already.
        if (state === 'ALARM' && previous !== 'ALARM' && !this.context.outageAt(alarm.region, boundary)) {
          found.push({
            at: new Date(boundary),
            alarmName: alarm.name,
            region: alarm.region,
            deliveries: 1,
            reason: `canary of ${alarm.service.name} breached its abort threshold`,
          });
        }
        previous = state;
      }
    }
    return found.sort((a, b) => a.at.getTime() - b.at.getTime() || a.alarmName.localeCompare(b.alarmName));
  }

  private metricAlarmState(alarm: MetricAlarm, boundaryMs: number): AlarmState {
    const cacheKey = `${alarm.region}/${alarm.name}@${boundaryMs}`;
    const cached = this.settledStates.get(cacheKey);
    if (cached) return cached;
    const minute = this.metrics.minute(alarm.service, alarm.region, 'canary', boundaryMs - ALARM_PERIOD_MS);
    // Judged as the minute ends, without the delay before CloudWatch publishes it; missing data
    // does not breach (TreatMissingData notBreaching).
    const breached = alarm.breaches(minute) === true;
    const state: AlarmState = breached ? 'ALARM' : 'OK';
    // A period wholly in the past can no longer change; a later one is a forecast.
    if (boundaryMs <= this.context.nowMs()) this.settledStates.set(cacheKey, state);
    return state;
  }

  private faultAlarmActive(region: string, alarmName: string, atMs: number): boolean {
    return this.faultAlarms.some(
      (fault) =>
        fault.region === region &&
        fault.alarmName === alarmName &&
        fault.fromMs <= atMs &&
        atMs < fault.untilMs,
    );
  }

  /** When an alarm fault holds, as far as is known yet (+∞: not yet, or never). */
  private faultTimes(fault: AlarmFault): { fromMs: number; untilMs: number } {
    const at = (duration: string | undefined) =>
      (duration !== undefined && this.context.faultAtMs(fault, duration)) || Number.POSITIVE_INFINITY;
    return { fromMs: at(fault.at), untilMs: at(fault.until) };
  }

  /** An alarm fault's entry into ALARM; none before it has a time, or inside an outage (already ALARM). */
  private faultTransition(fault: AlarmFault & { fromMs: number }): AlarmTransition | undefined {
    if (!Number.isFinite(fault.fromMs) || this.context.outageAt(fault.region, fault.fromMs)) return undefined;
    return {
      at: new Date(fault.fromMs),
      alarmName: fault.alarmName,
      region: fault.region,
      deliveries: fault.deliveries,
      reason: 'alarm fault',
    };
  }

  private computeFixedTransitions(): AlarmTransition[] {
    const transitions: AlarmTransition[] = [];
    for (const fault of this.faultAlarms) {
      const transition = this.faultTransition(fault);
      if (transition) transitions.push(transition);
    }
    for (const fault of this.context.faults.faults) {
      if (fault.type !== 'regionOutage') continue;
      const atMs = this.context.atMs(fault.at);
      for (const alarmName of this.known.get(fault.region) ?? []) {
        if (this.faultAlarmActive(fault.region, alarmName, atMs - 1)) continue;
        transitions.push({
          at: new Date(atMs),
          alarmName,
          region: fault.region,
          deliveries: 1,
          reason: `${fault.region} is down`,
        });
      }
    }
    return transitions.sort(
      (a, b) => a.at.getTime() - b.at.getTime() || a.alarmName.localeCompare(b.alarmName),
    );
  }
}
