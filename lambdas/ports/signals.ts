/** The Signals port: what analysis reads (alarms, metrics, probes, hooks). */
import type { CheckPlan } from '../core/plan/schema';
import type { ResolvedTraffic } from './traffic';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One target group's figures for one period, as CloudWatch has them. */
export interface VersionMetrics {
  /**
   * RequestCount; undefined when CloudWatch has no datapoint for the period. That is no data, never
   * zero requests: the period may not be published yet, or nothing was reported.
   */
  requests: number | undefined;
  /** Requests that failed at or on the way to a target: its 5xx plus connections it refused. */
  errors: number;
  /** undefined when no target answered a request in the period. */
  p95LatencyMs: number | undefined;
  /** The most targets unhealthy at once in the period; undefined when CloudWatch reported none. */
  unhealthyTargets?: number | undefined;
}

/** One analysis interval's canary and stable figures. */
export interface ComparisonSample {
  at: string;
  canary: VersionMetrics;
  stable: VersionMetrics;
}

export interface ProbeResult {
  ok: boolean;
  detail: string;
  latencyMs: number;
}

export interface Signals {
  alarmStates(region: string, alarmNames: readonly string[]): Promise<Record<string, AlarmState>>;
  /** Per-interval metrics of both target groups between `from` and `to`. */
  compareTargetGroups(
    region: string,
    traffic: ResolvedTraffic,
    window: { from: Date; to: Date; periodSeconds: number },
  ): Promise<ComparisonSample[]>;
  httpProbe(check: Extract<CheckPlan, { type: 'http' }>): Promise<ProbeResult>;
  tcpProbe(check: Extract<CheckPlan, { type: 'tcp' }>): Promise<ProbeResult>;
  invokeHook(
    region: string,
    functionName: string,
    payload: Record<string, unknown>,
  ): Promise<{ verdict: 'pass' | 'fail' | 'inconclusive'; detail: string }>;
}
