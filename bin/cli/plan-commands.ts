/** The commands over a plan file alone: validate, preview, schema. Nothing leaves the machine. */
import { releasePlanJsonSchema } from '../../lambdas/core/plan/schema';
import { previewRelease } from '../../lambdas/core/planner/preview';
import { ExitCode } from './errors';
import type { Io } from './io';
import { InvalidPlanError, readPlan } from './plan-file';
import { renderPreview } from './render-preview';

export function validateCommand(planPath: string, options: { json?: boolean }, io: Io): number {
  try {
    const { resolved } = readPlan(planPath);
    if (options.json) io.stdout(JSON.stringify({ valid: true, releaseId: resolved.releaseId, problems: [] }));
    else
      io.stdout(
        `${planPath}: valid — release ${resolved.releaseId}, ${resolved.services.size} services, ${resolved.regions.length} regions`,
      );
    return ExitCode.ok;
  } catch (error) {
    if (options.json && error instanceof InvalidPlanError) {
      io.stdout(JSON.stringify({ valid: false, problems: error.problems }, null, 2));
      return ExitCode.invalidInput;
    }
    throw error;
  }
}

export function previewCommand(planPath: string, options: { json?: boolean }, io: Io): number {
  const preview = previewRelease(readPlan(planPath).resolved);
  io.stdout(options.json ? JSON.stringify(preview, null, 2) : renderPreview(preview, io.colors));
  return ExitCode.ok;
}

export async function schemaCommand(options: { faults?: boolean }, io: Io): Promise<number> {
  // The fault file's schema is loaded on use: plan commands stay independent of the rehearsal.
  const schema = options.faults
    ? (await import('../../rehearsal/faults/schema')).faultFileJsonSchema()
    : releasePlanJsonSchema();
  io.stdout(JSON.stringify(schema, null, 2));
  return ExitCode.ok;
}
