/**
 * When each fault of the fault file was in force, as the fleet saw it: a region's outage, an
 * alarm held in ALARM, a version degraded or crashing from the step that set it off. Read at the
 * end of a rehearsal, for its result and report. Operator actions (failover, failback) and second
 * releases are reported on their own; faults that hold from the start say so (`fromMs` = start).
 */
import type { FaultPlan } from '../faults/schema';
import type { FleetContext } from './context';

export interface FaultWindow {
  type: FaultPlan['type'];
  /** What went wrong, in words. */
  label: string;
  region?: string;
  service?: string;
  alarmName?: string;
  fromMs: number;
  /** Absent: it lasted to the end. */
  untilMs?: number;
}

/** Operation faults are reported by the failures they injected; these are the operator's or another release's. */
const NOT_WINDOWS = new Set<FaultPlan['type']>(['operationFailure', 'failover', 'failback', 'secondRelease']);

export function faultWindows(context: FleetContext): FaultWindow[] {
  const windows: FaultWindow[] = [];
  const regionsOf = (region: string | undefined) =>
    region === undefined ? context.plan.regions.map((entry) => entry.name) : [region];
  for (const fault of context.faults.faults) {
    if (NOT_WINDOWS.has(fault.type)) continue;
    switch (fault.type) {
      case 'regionOutage':
        windows.push({
          type: fault.type,
          label: fault.controlPlane
            ? `${fault.region} down`
            : `${fault.region}: workloads down (APIs answer)`,
          region: fault.region,
          fromMs: context.atMs(fault.at),
          ...(fault.until !== undefined && { untilMs: context.atMs(fault.until) }),
        });
        break;
      case 'alarm': {
        const fromMs = context.faultAtMs(fault, fault.at);
        // Counted from a last wave the release never reached: it never fired.
        if (fromMs === undefined) break;
        const untilMs = fault.until === undefined ? undefined : context.faultAtMs(fault, fault.until);
        windows.push({
          type: fault.type,
          label: `alarm ${fault.alarmName} in ALARM`,
          region: fault.region,
          alarmName: fault.alarmName,
          fromMs,
          ...(untilMs !== undefined && { untilMs }),
        });
        break;
      }
      case 'degradedVersion':
      case 'crashingVersion': {
        const service = context.service(fault.service);
        if (!service) break;
        const what =
          fault.type === 'crashingVersion'
            ? 'refuses connections'
            : [
                fault.errorRatePercent !== undefined && `${fault.errorRatePercent} % errors`,
                fault.p95LatencyMs !== undefined && `p95 ${fault.p95LatencyMs} ms`,
              ]
                .filter(Boolean)
                .join(', ');
        for (const region of regionsOf(fault.region)) {
          if (
            !context.plan.regions.some(
              (entry) => entry.name === region && entry.services.includes(service.name),
            )
          )
            continue;
          // A fault from a step or weight the release never reached never started.
          const from = context.faultStartMs(service, region, fault.from);
          if (from === undefined) continue;
          windows.push({
            type: fault.type,
            label: `${fault.service} ${fault.version === 'new' ? 'new' : 'previous'} version: ${what}`,
            region,
            service: fault.service,
            fromMs: Math.max(from, context.startMs),
          });
        }
        break;
      }
      case 'trafficEdited':
        windows.push({
          type: fault.type,
          label: `${fault.service}'s weights set to ${fault.weights.stable}/${fault.weights.canary} by someone else`,
          ...(fault.region !== undefined && { region: fault.region }),
          service: fault.service,
          fromMs: context.atMs(fault.at),
          untilMs: context.atMs(fault.at),
        });
        break;
      case 'dnsRecordEdited':
        windows.push({
          type: fault.type,
          label: `record ${fault.setIdentifier}'s TTL set to ${fault.ttl} s by someone else`,
          fromMs: context.atMs(fault.at),
          untilMs: context.atMs(fault.at),
        });
        break;
      case 'rolloutNeverReady':
        windows.push({
          type: fault.type,
          label: `${fault.service} ${fault.version} version: pods never ready`,
          ...(fault.region !== undefined && { region: fault.region }),
          service: fault.service,
          fromMs: context.startMs,
        });
        break;
      case 'insecureWorkload':
      case 'sharedSelector':
        windows.push({
          type: fault.type,
          label:
            fault.type === 'insecureWorkload'
              ? `${fault.service}: insecure pod template`
              : `${fault.service}: stable Service also selects canary pods`,
          ...(fault.region !== undefined && { region: fault.region }),
          service: fault.service,
          fromMs: context.startMs,
        });
        break;
      case 'controllerManaged':
        windows.push({
          type: fault.type,
          label: `load balancer ${fault.loadBalancer} owned by the AWS Load Balancer Controller`,
          ...(fault.region !== undefined && { region: fault.region }),
          fromMs: context.startMs,
        });
        break;
      case 'missingResource':
        windows.push({
          type: fault.type,
          label: `${fault.kind} ${fault.name} missing`,
          ...(fault.region !== undefined && { region: fault.region }),
          fromMs: context.startMs,
        });
        break;
    }
  }
  return windows;
}
