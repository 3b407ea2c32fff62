/**
 * What a rehearsal tells a watcher as it runs, besides the audit: things that happen outside
 * the release's ledger (a second release turned away by the lock, an alarm delivery the handler
 * recognised as a duplicate, a failed handler invocation Lambda retries), and a look at the
 * simulated fleet (images, observed weights, ready replicas) for a live view to draw.
 */
import type { RehearsalError } from './async-invocations';
import type { SimulatedFleet } from './fleet/index';

export type RehearsalProgress =
  | {
      kind: 'secondRelease';
      releaseId: string;
      atSeconds: number;
      /** `started`, or refused at submission (`refusedBy` says by what) with the answer's message. */
      outcome: 'started' | 'refused';
      refusedBy?: 'lock' | 'submission';
      message: string;
    }
  | { kind: 'duplicateAlarm'; alarmName: string; eventId: string; region: string; atSeconds: number }
  | { kind: 'error'; error: RehearsalError };

/** The fleet as it is now; describing it walks every service, so a view asks when it draws. */
export type FleetLook = Pick<SimulatedFleet, 'describe'>;

/** Failures outside the state machines, told to both listeners a rehearsal may have. */
export function errorsReported(listeners: {
  onError?: (error: RehearsalError) => void;
  onProgress?: (event: RehearsalProgress) => void;
}): (error: RehearsalError) => void {
  return (error) => {
    listeners.onError?.(error);
    listeners.onProgress?.({ kind: 'error', error });
  };
}

/** The alarm handler answers `duplicate` for an event id it has seen: it started nothing. */
export function reportDuplicateAlarm(
  output: unknown,
  alarm: { alarmName: string; region: string; eventId: string },
  clock: { elapsedSeconds(): number },
  onProgress: ((event: RehearsalProgress) => void) | undefined,
): void {
  if (!(output as { duplicate?: boolean } | undefined)?.duplicate) return;
  const { alarmName, region, eventId } = alarm;
  onProgress?.({ kind: 'duplicateAlarm', alarmName, region, eventId, atSeconds: clock.elapsedSeconds() });
}

/**
 * The release's audit, and its failovers' (each writes its own ledger): what a view of the
 * release follows. Second releases are told of by their answers (`secondRelease`).
 */
export function followedAudit<Entry extends { releaseId: string; action: string }, Rest extends unknown[]>(
  releaseId: string,
  onAudit: (entry: Entry, ...rest: Rest) => void,
): (entry: Entry, ...rest: Rest) => void {
  return (entry, ...rest) => {
    const followed =
      entry.releaseId === releaseId ||
      /^(failover|failback)\./.test(entry.action) ||
      entry.action === 'dns.weights-changed' ||
      entry.action === 'replicas.scaled';
    if (followed) onAudit(entry, ...rest);
  };
}
