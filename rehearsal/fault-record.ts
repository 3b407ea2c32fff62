/**
 * The fault file as the rehearsal's result reports it: its description, when each fault was in
 * force (fleet/fault-windows.ts) and each failure the operation faults injected, in seconds since
 * the start like the audit. Bounded: a fault that fails every call of a long release lists its
 * first MAX_REPORTED_INJECTIONS failures and counts the rest.
 */
import type { FaultFile } from './faults/schema';
import type { SimulatedFleet } from './fleet/index';

export const MAX_REPORTED_INJECTIONS = 100;

export interface ReportedFaultWindow {
  type: string;
  label: string;
  region?: string;
  service?: string;
  alarmName?: string;
  fromSeconds: number;
  /** Absent: it lasted to the end of the rehearsal. */
  untilSeconds?: number;
}

export interface ReportedInjection {
  atSeconds: number;
  operation: string;
  region?: string;
  service?: string;
  error: string;
}

export interface RehearsedFaults {
  /** The fault file's `description`: what it rehearses. */
  description?: string;
  windows: ReportedFaultWindow[];
  injected: ReportedInjection[];
  /** Injected failures past MAX_REPORTED_INJECTIONS, counted only. */
  injectedOmitted?: number;
}

export function describeFaults(faults: FaultFile, fleet: SimulatedFleet, epoch: Date): RehearsedFaults {
  const seconds = (atMs: number) => Math.max(0, (atMs - epoch.getTime()) / 1000);
  const injected = fleet.injectedFailures();
  return {
    ...(faults.description && { description: faults.description }),
    windows: fleet.faultWindows().map(({ fromMs, untilMs, ...window }) => ({
      ...window,
      fromSeconds: seconds(fromMs),
      ...(untilMs !== undefined && { untilSeconds: seconds(untilMs) }),
    })),
    injected: injected.slice(0, MAX_REPORTED_INJECTIONS).map((failure) => ({
      atSeconds: seconds(failure.at.getTime()),
      operation: failure.operation,
      ...(failure.scope.region && { region: failure.scope.region }),
      ...(failure.scope.service && { service: failure.scope.service }),
      error: failure.error,
    })),
    ...(injected.length > MAX_REPORTED_INJECTIONS && {
      injectedOmitted: injected.length - MAX_REPORTED_INJECTIONS,
    }),
  };
}
