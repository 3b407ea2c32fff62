/**
 * The release's rollback window (core/rollback-window.ts): opened after the last wave, closed
 * when it ends (the release machine's wait times out) or early by a person's promote, which
 * resumes the parked wait. An alarm within it is the alarm handler's (handlers/alarm.ts).
 */
import { auditEntry } from '../core/audit';
import { NotFoundError } from '../core/errors';
import { releaseLeaseSeconds } from '../core/leases';
import { RELEASE_LOCK_SCOPE } from '../core/naming';
import { openRollbackWindow, type RollbackWindow, windowSecondsLeft } from '../core/rollback-window';
import type { Ports, TaskTokenKey } from '../ports';
import { RefusedError } from './refusal';
import { loadReleaseContext } from './release-context';
import { requireRelease } from './release-lookup';

/** What the release machine's wait needs: seconds left (0: no window, finish now). */
export interface OpenedWindow {
  seconds: number;
  endsAt?: string;
}

const windowToken = (releaseId: string): TaskTokenKey => ({
  releaseId,
  kind: 'window',
  name: 'rollback-window',
});

/**
 * After the last wave: moves the release to MONITORING with its window, renews the lock through
 * it, and records it. A retry finds the window already open and answers what is left of it.
 */
export async function openReleaseWindow(
  ports: Pick<Ports, 'store' | 'clock' | 'events'>,
  releaseId: string,
): Promise<OpenedWindow> {
  const release = await requireRelease(ports, releaseId);
  const now = ports.clock.now();
  if (release.status === 'MONITORING' && release.rollbackWindow) {
    return { seconds: windowSecondsLeft(release.rollbackWindow, now), endsAt: release.rollbackWindow.endsAt };
  }
  const context = await loadReleaseContext(ports.store, releaseId);
  const window = openRollbackWindow(context.plan, now);
  if (!window) return { seconds: 0 };
  // The lease outlives the window: every other release waits behind this one until it ends.
  await ports.store.acquireLock(
    RELEASE_LOCK_SCOPE,
    { releaseId, kind: 'release' },
    releaseLeaseSeconds(context.plan),
  );
  await ports.store.appendAudit(
    auditEntry('release.monitoring', {
      releaseId,
      key: 'release/monitoring',
      at: window.opensAt,
      actor: 'switchyard',
      detail: { endsAt: window.endsAt, regions: window.regions },
    }),
  );
  await ports.store.setReleaseStatus(releaseId, 'MONITORING', { rollbackWindow: window, from: ['RUNNING'] });
  await ports.events.publish([
    {
      detailType: 'Release Monitoring',
      releaseId,
      detail: { endsAt: window.endsAt, regions: window.regions },
    },
  ]);
  return { seconds: windowSecondsLeft(window, now), endsAt: window.endsAt };
}

/** Parks the window's task token, for promote to resume. */
export async function parkWindowToken(
  ports: Pick<Ports, 'store'>,
  releaseId: string,
  token: string,
): Promise<void> {
  await ports.store.putTaskToken(windowToken(releaseId), token);
}

/** Lets go of a window's token at its end (the wait timed out, or was resumed). */
export async function forgetWindowToken(ports: Pick<Ports, 'store'>, releaseId: string): Promise<void> {
  await ports.store.takeTaskToken(windowToken(releaseId));
}

export interface Promoted {
  releaseId: string;
  /** The window as it was opened; it closes now instead of at endsAt. */
  rollbackWindow: RollbackWindow;
  promotedBy: string;
  /** Seconds of the window left when it was closed. */
  secondsLeft: number;
}

/**
 * A person closes the window early: audited with the caller, then the parked wait is resumed and
 * the release machine finishes the release (SUCCEEDED, alarms unwatched, the lock let go).
 */
export async function promoteRelease(
  ports: Pick<Ports, 'store' | 'workflow' | 'clock'>,
  releaseId: string,
  actor: string,
): Promise<Promoted> {
  const release = await requireRelease(ports, releaseId);
  if (release.status !== 'MONITORING' || !release.rollbackWindow) {
    throw new RefusedError(
      `release ${releaseId} is ${release.status}: promote closes a rollback window, which opens after the last wave`,
      { status: release.status },
    );
  }
  const token = await ports.store.takeTaskToken(windowToken(releaseId));
  if (!token) {
    throw new RefusedError(
      `release ${releaseId} is opening its rollback window: try again in a few seconds`,
      {
        status: release.status,
      },
    );
  }
  const now = ports.clock.now();
  const secondsLeft = windowSecondsLeft(release.rollbackWindow, now);
  await ports.store.appendAudit(
    auditEntry('release.promoted', {
      releaseId,
      key: 'release/promoted',
      at: now.toISOString(),
      actor,
      detail: { endsAt: release.rollbackWindow.endsAt, secondsLeft },
    }),
  );
  try {
    await ports.workflow.sendTaskSuccess(token, { promotedBy: actor });
  } catch (error) {
    // The wait ended meanwhile (the window ran out, or an alarm stopped the release).
    if (!(error instanceof NotFoundError)) {
      await ports.store.putTaskToken(windowToken(releaseId), token);
      throw error;
    }
  }
  return { releaseId, rollbackWindow: release.rollbackWindow, promotedBy: actor, secondsLeft };
}
