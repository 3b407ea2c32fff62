/**
 * CloudWatch alarms of the simulated fleet, and the moments they enter ALARM (what EventBridge
 * delivers to the rollback trigger).
 *
 * A region knows the alarms the plan's analyses name for its services, the alarms the fault file
 * names there, and one metric alarm per service whose compare check has an abort threshold:
 * `<service>-<region>-canary-errors`, evaluated like a CloudWatch alarm with a 60-second period
 * and one datapoint to alarm — ALARM while the canary's error rate (percent; its targets' 5xx and
 * the connections they refused) exceeds
 * `abortErrorRatePercent` or its p95 exceeds `abortP95LatencyMs`; a period with no canary
 * requests is missing data, treated as not breaching. During a region outage every alarm of the
 * region is in ALARM. Any other name is an alarm that does not exist (DescribeAlarms leaves it out).
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
import type { FleetMetrics } from './metrics';

export const ALARM_PERIOD_MS = 60_000;

export interface AlarmTransition {
  at: Date;
  alarmName: string;
  region: string;
  /** How many times EventBridge delivers the state change: 2 rehearses a duplicated event. */
  deliveries: number;
  reason: string;
}

interface MetricAlarm {
  name: string;
  service: ResolvedService;
  region: string;
  abortErrorRatePercent: number | undefined;
  abortP95LatencyMs: number | undefined;
}

export { canaryErrorsAlarmName };

export class FleetAlarms {
  private readonly known = new Map<string, Set<string>>();
  /** By region/name, and by the service/region whose canary they watch. */
  private readonly metricAlarms = new Map<string, MetricAlarm>();
  private readonly metricAlarmsByCanary = new Map<string, MetricAlarm>();
  private readonly faultAlarms: Array<AlarmFault & { fromMs: number; untilMs: number }>;
  private readonly fixedTransitions: AlarmTransition[];
  /** Per service/region: since when its canary has had no traffic; +∞ while it has. */
  private readonly canaryIdleSince = new Map<string, number>();
  private readonly settledStates = new Map<string, AlarmState>();

  constructor(
    private readonly context: FleetContext,
    private readonly metrics: FleetMetrics,
  ) {
    this.faultAlarms = context.faults.faults.flatMap((fault) =>
      fault.type === 'alarm'
        ? [
            {
              ...fault,
              fromMs: context.atMs(fault.at),
              untilMs: fault.until === undefined ? Number.POSITIVE_INFINITY : context.atMs(fault.until),
            },
          ]
        : [],
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
            const alarm: MetricAlarm = {
              name,
              service,
              region: region.name,
              abortErrorRatePercent: check.abortErrorRatePercent,
              abortP95LatencyMs: check.abortP95LatencyMs,
            };
            this.metricAlarms.set(`${region.name}/${name}`, alarm);
            this.metricAlarmsByCanary.set(`${service.name}/${region.name}`, alarm);
          }
        }
      }
      for (const fault of this.faultAlarms) if (fault.region === region.name) names.add(fault.alarmName);
      this.known.set(region.name, names);
    }
    this.fixedTransitions = this.computeFixedTransitions();
  }

  /** Tells the alarms whether a service's canary serves traffic now (see FleetIndex). */
  noteCanaryActivity(service: string, region: string, active: boolean): void {
    const key = `${service}/${region}`;
    if (!this.metricAlarmsByCanary.has(key)) return;
    if (active) this.canaryIdleSince.set(key, Number.POSITIVE_INFINITY);
    else if (this.canaryIdleSince.get(key) === Number.POSITIVE_INFINITY)
      this.canaryIdleSince.set(key, this.context.nowMs());
  }

  /** Every alarm of a region. */
  names(region: string): string[] {
    return [...(this.known.get(region) ?? [])];
  }

  /** Whether the alarm exists in the region: what DescribeAlarms answers for. */
  exists(region: string, alarmName: string): boolean {
    if (this.context.isMissing('alarm', alarmName, region)) return false;
    return this.known.get(region)?.has(alarmName) ?? false;
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

  /** Transitions to ALARM the fault file fixes in advance, earliest first. */
  events(): AlarmTransition[] {
    return this.fixedTransitions.map((transition) => ({ ...transition }));
  }

  /** Every transition to ALARM in (fromMs, toMs], earliest first (see the module comment). */
  transitionsBetween(fromMs: number, toMs: number): AlarmTransition[] {
    const found = this.fixedTransitions.filter(
      (transition) => transition.at.getTime() > fromMs && transition.at.getTime() <= toMs,
    );
    for (const [canary, idleSince] of this.canaryIdleSince) {
      // A canary that has served nothing since the period before `from` cannot breach.
      if (idleSince < fromMs - ALARM_PERIOD_MS) continue;
      const alarm = this.metricAlarmsByCanary.get(canary)!;
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
    // The README's canary alarm: 100 * (HTTPCode_Target_5XX_Count + TargetConnectionErrorCount) /
    // RequestCount, or TargetResponseTime's p95. (Judged as the minute ends, without the delay
    // before CloudWatch publishes it.)
    const errors = minute.targetErrors + minute.connectionErrors;
    const breached =
      minute.requests > 0 &&
      ((alarm.abortErrorRatePercent !== undefined &&
        (errors * 100) / minute.requests > alarm.abortErrorRatePercent) ||
        (alarm.abortP95LatencyMs !== undefined &&
          minute.p95Ms !== undefined &&
          minute.p95Ms > alarm.abortP95LatencyMs));
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

  private computeFixedTransitions(): AlarmTransition[] {
    const transitions: AlarmTransition[] = [];
    for (const fault of this.faultAlarms) {
      const atMs = fault.fromMs;
      if (this.context.outageAt(fault.region, atMs)) continue;
      transitions.push({
        at: new Date(atMs),
        alarmName: fault.alarmName,
        region: fault.region,
        deliveries: fault.deliveries,
        reason: 'alarm fault',
      });
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
