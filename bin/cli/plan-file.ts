import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { MAX_PLAN_FILE_BYTES } from '../../lambdas/core/plan/limits';
import { loadPlan, type PlanProblem } from '../../lambdas/core/plan/load';
import { type ResolvedPlan, resolvePlan } from '../../lambdas/core/plan/resolve';
import type { ReleasePlan } from '../../lambdas/core/plan/schema';
import { describePreflightProblem, type PreflightProblem } from '../../lambdas/core/preflight';
import { UserError } from './errors';

/** The file's text; with `maxBytes`, a longer file is refused having read no more than that. */
export function readTextFile(path: string | undefined, what: string, maxBytes?: number): string {
  if (!path) throw new UserError(`missing ${what}: give the path of a file`);
  let text: string | undefined;
  try {
    text = maxBytes === undefined ? readFileSync(path, 'utf8') : readAtMost(path, maxBytes);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String(code);
    throw new UserError(`cannot read ${what} ${path}: ${reason}`);
  }
  if (text === undefined) {
    throw new UserError(
      `${what} ${path} is larger than ${maxBytes} bytes (${maxBytes! / (1024 * 1024)} MiB), the most switchyard reads`,
    );
  }
  return text;
}

/** Up to `maxBytes` of the file as text, or undefined when there is more (a device that never ends included). */
function readAtMost(path: string, maxBytes: number): string | undefined {
  const buffer = Buffer.allocUnsafe(maxBytes + 1);
  const descriptor = openSync(path, 'r');
  try {
    let size = 0;
    while (size < buffer.length) {
      const read = readSync(descriptor, buffer, size, buffer.length - size, null);
      if (read === 0) break;
      size += read;
    }
    return size > maxBytes ? undefined : buffer.toString('utf8', 0, size);
  } finally {
    closeSync(descriptor);
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
  const text = readTextFile(path, 'plan', MAX_PLAN_FILE_BYTES);
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
