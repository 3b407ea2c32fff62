/** Parked task tokens (lanes waiting on dependencies): resuming and keeping them alive. */
import { NotFoundError } from '../core/errors';
import { LruMap } from '../core/lru-map';
import type { Ports } from '../ports';

/** A token whose task already ended (stopped, timed out) is stale: nothing is left to resume. */
export async function resumeIfWaiting(ports: Ports, token: string): Promise<void> {
  try {
    await ports.workflow.sendTaskSuccess(token, {});
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}

/**
 * At most one beat per region per this interval from one container: a quarter of the lanes'
 * HeartbeatSeconds (7,200 in service-lane.asl.json), so a lane parked just after a beat still
 * gets the next one in time, while the region's waiting steps keep completing.
 */
export const HEARTBEAT_INTERVAL_SECONDS = 1800;
const lastBeats = new LruMap<string, number>(256);

/** Keeps parked lanes of a region alive while its rollouts make progress (HeartbeatSeconds). */
export async function heartbeatParkedLanes(
  ports: Pick<Ports, 'store' | 'workflow' | 'clock'>,
  releaseId: string,
  region: string,
): Promise<void> {
  const now = ports.clock.now().getTime();
  const key = `${releaseId}/${region}`;
  const last = lastBeats.get(key);
  // A clock behind the last beat (another rehearsal of the same release in this process, whose
  // virtual time starts over) beats again rather than never.
  if (last !== undefined && now >= last && now - last < HEARTBEAT_INTERVAL_SECONDS * 1000) return;
  lastBeats.set(key, now);
  const parked = await ports.store.listTaskTokens(releaseId, 'dependency');
  for (const entry of parked.filter((token) => token.name.startsWith(`${region}/`))) {
    try {
      await ports.workflow.sendTaskHeartbeat(entry.token);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
}
