import { readFileSync } from 'node:fs';
import { loadPlan, type PlanProblem } from '../../lambdas/core/plan/load';
import { type ResolvedPlan, resolvePlan } from '../../lambdas/core/plan/resolve';
import type { ReleasePlan } from '../../lambdas/core/plan/schema';
import { describePreflightProblem, type PreflightProblem } from '../../lambdas/core/preflight';
import { UserError } from './errors';

export function readTextFile(path: string | undefined, what: string): string {
  if (!path) throw new UserError(`missing ${what}: give the path of a file`);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String(code);
    throw new UserError(`cannot read ${what} ${path}: ${reason}`);
  }
}

export class InvalidPlanError extends UserError {
  constructor(
    readonly file: string,
    readonly problems: PlanProblem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${formatProblems(file, problems)}`,
    );
  }
}

export function formatProblems(file: string, problems: readonly PlanProblem[]): string {
  return problems
    .map((problem) => {
      const where = problem.line !== undefined ? `${file}:${problem.line}:${problem.column}` : file;
      return `  ${where}  ${problem.path || '(document)'}: ${problem.message}`;
    })
    .join('\n');
}

export function readPlan(path: string | undefined): {
  plan: ReleasePlan;
  resolved: ResolvedPlan;
  text: string;
} {
  const text = readTextFile(path, 'plan');
  const result = loadPlan(text);
  if (!result.ok) throw new InvalidPlanError(path!, result.problems);
  return { plan: result.plan, resolved: resolvePlan(result.plan), text };
}

/** A preflight's problems, one per line, under a heading; what `preflight` and `rehearse` print. */
export function preflightLines(report: {
  problems: readonly PreflightProblem[];
  moreProblems?: number;
  checks: number;
}): string[] {
  const count = report.problems.length + (report.moreProblems ?? 0);
  return [
    `  refused by preflight: nothing changed (${count} problem${count === 1 ? '' : 's'} in ${report.checks} checks)`,
    ...report.problems.map((problem) => `    ${describePreflightProblem(problem)}`),
    ...(report.moreProblems ? [`    … and ${report.moreProblems} more`] : []),
    '',
  ];
}
