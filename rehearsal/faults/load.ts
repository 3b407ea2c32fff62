/**
 * Turns fault-file text (YAML or JSON) into a validated FaultFile, or into every problem found,
 * each with its path and position, the way plans are loaded (and with the same helpers).
 */
import {
  describeIssue,
  type Locate,
  locateProblems,
  type PathSegment,
  type PlanProblem,
  parseDocumentText,
} from '../../lambdas/core/plan/load';
import { type ResolvedPlan, seconds } from '../../lambdas/core/plan/resolve';
import {
  type FailbackFault,
  type FailoverFault,
  FaultFile,
  type FaultPlan,
  type SecondReleaseFault,
} from './schema';
import { findFaultProblems } from './validate';

export type FaultProblem = PlanProblem;

export type FaultLoadResult = { ok: true; faults: FaultFile } | { ok: false; problems: FaultProblem[] };

/**
 * Reads a fault file. With `plan`, the names it uses are checked against the plan's services,
 * regions and strategies too; a fault file is only ever run against a plan, so pass it.
 */
export function loadFaults(text: string, plan?: ResolvedPlan): FaultLoadResult {
  const parsed = parseDocumentText(text);
  if (!parsed.ok) return parsed;
  // An empty file is a file with no faults.
  return checkFaults(parsed.raw ?? {}, plan, parsed.locate);
}

/** Validates an already-parsed fault document. */
export function checkFaults(raw: unknown, plan?: ResolvedPlan, locate: Locate = () => ({})): FaultLoadResult {
  const problems: Array<{ path: PathSegment[]; message: string }> = [];
  const parsed = FaultFile.safeParse(raw, { reportInput: true });
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap(describeIssue));
  if (plan) problems.push(...findFaultProblems(raw, plan));
  if (problems.length === 0 && parsed.success) return { ok: true, faults: parsed.data };
  return { ok: false, problems: locateProblems(problems, locate) };
}

/** The releases the engine must submit while the rehearsed one runs, earliest first. */
export function secondReleases(faults: FaultFile): SecondReleaseFault[] {
  return inTimeOrder(faults, (fault): fault is SecondReleaseFault => fault.type === 'secondRelease');
}

/** The operator's failovers and failbacks, earliest first. */
export function operatorActions(faults: FaultFile): Array<FailoverFault | FailbackFault> {
  return inTimeOrder(
    faults,
    (fault): fault is FailoverFault | FailbackFault => fault.type === 'failover' || fault.type === 'failback',
  );
}

/** The faults of one kind that act at a time, earliest first; file order within one instant. */
function inTimeOrder<T extends FaultPlan & { at: string }>(
  faults: FaultFile,
  is: (fault: FaultPlan) => fault is T,
): T[] {
  return faults.faults.filter(is).sort((a, b) => seconds(a.at) - seconds(b.at));
}
