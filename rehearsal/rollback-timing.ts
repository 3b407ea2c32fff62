/**
 * How long a rollback took, from recorded timestamps only: from what set it off (the first
 * alarm, failed analysis, failed gate or failed service up to the moment it started; the start
 * itself when a person asked) to the moment every touched service was verified back on its
 * snapshot with stable traffic at 100 % (`rollback.completed`). Traffic goes back to stable first,
 * region by region (`rollback.traffic-restored`), and those moments are kept too. A rollback that
 * never completed has no time to rollback: stable traffic was never back everywhere. The
 * rehearsal's counter and the report both read it from here, so they never disagree.
 */

/** What an audit entry needs to have for this: the rehearsal's reported entries and the report's alike. */
export interface TimedEntry {
  atSeconds: number;
  action: string;
  region?: string | undefined;
  service?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}

export const ROLLBACK_TRIGGERS: ReadonlySet<string> = new Set([
  'alarm.received',
  'analysis.fail',
  'gate.failed',
  'service.failed',
]);

export interface RollbackTiming<Entry extends TimedEntry = TimedEntry> {
  /** The entry that set the rollback off; absent when a person asked for it. */
  trigger?: Entry;
  /** Where time to rollback counts from: the trigger, or the rollback's start. */
  fromSeconds: number;
  startedSeconds: number;
  /** Per region, when its traffic was back on stable. */
  trafficRestored: Array<{ region: string; atSeconds: number }>;
  outcome: 'completed' | 'incomplete' | 'unfinished';
  /** When it completed or gave up. */
  endSeconds?: number;
  /** From `fromSeconds` to the completion; absent unless it completed. */
  timeToRollbackSeconds?: number;
}

/** The first rollback of an audit in time order, or nothing when none started. */
export function rollbackTiming<Entry extends TimedEntry>(
  audit: readonly Entry[],
): RollbackTiming<Entry> | undefined {
  const started = audit.find((entry) => entry.action === 'rollback.started');
  if (!started) return undefined;
  // Entries of one instant may be recorded in either order: a trigger at the start's time counts.
  const trigger = audit.find(
    (entry) => ROLLBACK_TRIGGERS.has(entry.action) && entry.atSeconds <= started.atSeconds,
  );
  const after = audit.filter((entry) => entry.atSeconds >= started.atSeconds);
  const end = after.find(
    (entry) => entry.action === 'rollback.completed' || entry.action === 'rollback.incomplete',
  );
  const fromSeconds = trigger?.atSeconds ?? started.atSeconds;
  return {
    ...(trigger && { trigger }),
    fromSeconds,
    startedSeconds: started.atSeconds,
    trafficRestored: after
      .filter((entry) => entry.action === 'rollback.traffic-restored' && entry.region)
      .map((entry) => ({ region: entry.region!, atSeconds: entry.atSeconds })),
    outcome: !end ? 'unfinished' : end.action === 'rollback.completed' ? 'completed' : 'incomplete',
    ...(end && { endSeconds: end.atSeconds }),
    ...(end?.action === 'rollback.completed' && {
      timeToRollbackSeconds: Math.round((end.atSeconds - fromSeconds) * 1000) / 1000,
    }),
  };
}
