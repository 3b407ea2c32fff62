/**
 * The release machine's failure path: its `Roll Back Release` state starts the rollback natively
 * with `.sync`, so the release execution ends only when its rollback has (ReleaseRolledBack, or
 * RollbackIncompleteError). This Task gives that state the execution's name and input from the
 * one place every rollback start takes them (app/start-rollback.ts). The status move and its
 * reason are beginRollback's, as for every rollback the release machine runs.
 */
import * as z from 'zod';
import { chooseRollbackExecution } from '../app/start-rollback';
import { defineHandler } from './define';

export const chooseReleaseRollback = defineHandler({
  name: 'chooseReleaseRollback',
  ports: ['workflow'],
  input: z.object({ releaseId: z.string().min(1) }).passthrough(),
  async run({ releaseId }, ports) {
    const { name, input } = await chooseRollbackExecution(ports, releaseId);
    return { name, input };
  },
});
