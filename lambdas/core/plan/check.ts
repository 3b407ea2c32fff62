/**
 * Validates a parsed plan document (the API receives JSON bodies; text goes through load.ts):
 * every problem found, each with its path, in a person's words. Free of the YAML parser, so the
 * Lambda bundles that only check stored plans stay small.
 */
import type * as z from 'zod';
import { ReleasePlan } from './schema';
import { findPlanProblems } from './validate';

export type PathSegment = string | number;

export interface PlanProblem {
  /** Where in the document, e.g. `services[3].dependsOn[0]`; empty for the whole document. */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export type PlanLoadResult = { ok: true; plan: ReleasePlan } | { ok: false; problems: PlanProblem[] };

export function formatPath(path: readonly PathSegment[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`,
    )
    .join('');
}

/** Maps a path in the document to where it is written. */
export type Locate = (path: readonly PathSegment[]) => { line?: number; column?: number };

/** Validates an already-parsed document (the API receives JSON bodies). */
export function checkPlan(raw: unknown, locate: Locate = () => ({})): PlanLoadResult {
  // reportInput keeps each issue's input, which tells a missing field from a wrong value.
  const parsed = ReleasePlan.safeParse(raw, { reportInput: true });
  // Spread into an array, not into push's arguments: a document can have more problems than a call can take.
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap(describeIssue)),
    ...findPlanProblems(raw),
  ];
  if (problems.length === 0 && parsed.success) return { ok: true, plan: parsed.data };
  return { ok: false, problems: locateProblems(problems, locate) };
}

/** Problems with their path written out and their position; the same problem twice is kept once. */
export function locateProblems(
  problems: ReadonlyArray<{ path: readonly PathSegment[]; message: string }>,
  locate: Locate,
): PlanProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((problem) => {
    const key = `${formatPath(problem.path)}|${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.map((problem) => ({
    path: formatPath(problem.path),
    message: problem.message,
    ...locate(problem.path),
  }));
}

/** A zod issue in the words of a person reading the document (one issue may become several). */
export function describeIssue(issue: z.core.$ZodIssue): Array<{ path: PathSegment[]; message: string }> {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys':
      // The path names the field itself, so the line points at it rather than at its parent.
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field "${key}"` }));
    case 'invalid_union': {
      // A discriminated union whose `type` is missing or unknown: name the allowed values.
      const { note, options } = issue as { note?: string; options?: unknown[] };
      if (note === 'No matching discriminator' && Array.isArray(options)) {
        const allowed = options.map((option) => JSON.stringify(option));
        const value = (issue.input as Record<string, unknown> | undefined)?.[String(path.at(-1))];
        return [
          {
            path,
            message:
              value === undefined
                ? `is required (${allowed.join(' or ')})`
                : `must be one of ${allowed.join(', ')}`,
          },
        ];
      }
      // A missing field of a plain union (number or name, say): name what it may be.
      if (issue.input === undefined) {
        const expected = issue.errors.flatMap((branch) =>
          branch.flatMap((inner) =>
            inner.code === 'invalid_type' && inner.path.length === 0 ? [inner.expected] : [],
          ),
        );
        if (expected.length === issue.errors.length)
          return [{ path, message: `is required (${expected.join(' or ')})` }];
      }
      // Report the branch that got furthest, so "pause: {duraton: 1m}" names the field, not the union.
      const branches = issue.errors.filter((branch) => branch.length > 0);
      const best = branches.sort((a, b) => depth(b) - depth(a))[0];
      if (best && depth(best) > 0) {
        return best.flatMap((inner) => describeIssue({ ...inner, path: [...issue.path, ...inner.path] }));
      }
      return [
        {
          path,
          message: issue.message === 'Invalid input' ? 'does not match any allowed form' : issue.message,
        },
      ];
    }
    case 'invalid_type':
      if (issue.input === undefined) return [{ path, message: `is required (${issue.expected})` }];
      // A message the schema gives (a weight that is no whole percentage) is kept as written.
      if (!issue.message.startsWith('Invalid input')) return [{ path, message: issue.message }];
      return [{ path, message: `must be ${article(issue.expected)}, not ${describeValue(issue.input)}` }];
    case 'invalid_value':
      if (issue.input === undefined) {
        return [
          {
            path,
            message: `is required (${issue.values.map((value) => JSON.stringify(value)).join(' or ')})`,
          },
        ];
      }
      return [
        { path, message: `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}` },
      ];
    case 'too_big':
      // zod's own words ("Too big: expected …") in a person's; a message the schema gives is kept.
      if (issue.message.startsWith('Too big')) return [{ path, message: tooBig(issue) }];
      return [{ path, message: issue.message }];
    default:
      return [{ path, message: issue.message }];
  }
}

/** A value past its maximum: how big it is (never the value itself, which may be megabytes) and the limit. */
function tooBig(issue: z.core.$ZodIssueTooBig): string {
  const { input, maximum } = issue;
  if (typeof input === 'string') return `is ${input.length} characters long; at most ${maximum}`;
  if (Array.isArray(input)) return `has ${input.length} items; at most ${maximum}`;
  return `must be at most ${maximum}${typeof input === 'number' ? `, not ${input}` : ''}`;
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  // A field that is missing or of the wrong type says less about the intended branch than a
  // field that is there with a wrong value.
  return Math.max(
    0,
    ...issues.map(
      (issue) => issue.path.length + (issue.code === 'invalid_type' || issue.input === undefined ? 0 : 0.5),
    ),
  );
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
