/**
 * The release queue's sweep: EventBridge invokes it each minute (lib/switchyard.ts). Every place
 * that lets the release lock go dispatches the queue itself; the sweep starts what those missed
 * (a dispatch that failed, a lease that lapsed, a dispatcher stopped half-way).
 */
import * as z from 'zod';
import { dispatchQueue } from '../app/release-queue';
import { defineHandler } from './define';

export const sweepReleaseQueue = defineHandler({
  name: 'sweepReleaseQueue',
  ports: ['store', 'workflow', 'clock'],
  // The scheduled event says nothing the dispatch needs.
  input: z.object({}).passthrough(),
  async run(_input, ports) {
    return dispatchQueue(ports);
  },
});
