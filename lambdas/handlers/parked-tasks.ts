/** Parked task tokens (lanes waiting on dependencies): resuming and keeping them alive. */
import { NotFoundError } from '../core/errors';
import type { Ports } from '../ports';

/** A token whose task already ended (stopped, timed out) is stale: nothing is left to resume. */
export async function resumeIfWaiting(ports: Ports, token: string): Promise<void> {
  try {
    await ports.workflow.sendTaskSuccess(token, {});
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

/** Keeps parked lanes of a region alive while its rollouts make progress (HeartbeatSeconds). */
export async function heartbeatParkedLanes(ports: Ports, releaseId: string, region: string): Promise<void> {
  const parked = await ports.store.listTaskTokens(releaseId, 'dependency');
  for (const entry of parked.filter((token) => token.name.startsWith(`${region}/`))) {
    try {
      await ports.workflow.sendTaskHeartbeat(entry.token);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
}
