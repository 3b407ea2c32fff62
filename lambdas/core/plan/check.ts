/**
 * Validates a parsed plan document (the API receives JSON bodies; text goes through load.ts):
 * every problem found (up to MAX_PROBLEMS), each with its path, in a person's words. Free of the
 * YAML parser, so the Lambda bundles that only check stored plans stay small.
 */
import type * as z from 'zod';
import { MAX_PROBLEMS } from './limits';
import { BaselinePhase, Region, type ReleasePlan, ReleasePlanOutline, Service } from './schema';
import { asRecord, findPlanProblems } from './validate';

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

/**
 * Validates an already-parsed document (the API receives JSON bodies). At most MAX_PROBLEMS
 * problems are listed, and then one saying there are more: checking stops there, so time and
 * memory stay in proportion to the document however wrong it is.
 */
export function checkPlan(raw: unknown, locate: Locate = () => ({})): PlanLoadResult {
  const shape = checkShape(raw, MAX_PROBLEMS);
  // Spread into an array, not into push's arguments: a call takes fewer arguments than a document has problems.
  const shapeProblems = shape.issues.flatMap(describeIssue);
  const rules = findPlanProblems(raw, Math.max(0, MAX_PROBLEMS - shapeProblems.length));
  const problems = [...shapeProblems, ...rules.problems];
  if (problems.length === 0 && shape.plan) return { ok: true, plan: shape.plan };
  const listed = locateProblems(problems.slice(0, MAX_PROBLEMS), locate);
  if (!shape.complete || !rules.complete || problems.length > MAX_PROBLEMS) {
    listed.push({
      path: '',
      message: `more problems than the ${MAX_PROBLEMS} listed: checking stopped there; fix these and check again`,
    });
  }
  return { ok: false, problems: listed };
}

/** The long lists of a plan, whose elements are checked one at a time. */
const LISTS = [
  { path: ['regions'], element: Region, of: (plan: Record<string, unknown>) => plan.regions },
  { path: ['services'], element: Service, of: (plan: Record<string, unknown>) => plan.services },
  {
    path: ['baseline', 'phases'],
    element: BaselinePhase,
    of: (plan: Record<string, unknown>) => asRecord(plan.baseline)?.phases,
  },
] as const;

/**
 * The schema's issues, stopping between list elements once `budget` are found (`complete` is
 * false then); the plan with its defaults when there are none. The outline checks everything but
 * the lists' elements; each element is then checked by itself, its issues' paths prefixed.
 */
function checkShape(
  raw: unknown,
  budget: number,
): { plan: ReleasePlan | undefined; issues: z.core.$ZodIssue[]; complete: boolean } {
  // reportInput keeps each issue's input, which tells a missing field from a wrong value.
  const outline = ReleasePlanOutline.safeParse(raw, { reportInput: true });
  const issues: z.core.$ZodIssue[] = outline.success ? [] : [...outline.error.issues];
  // A list the outline refused (missing, not a list, too long) has no elements worth checking.
  const refused = new Set(issues.map((issue) => formatPath(issue.path as PathSegment[])));
  const document = asRecord(raw) ?? {};
  const elements = new Map<string, unknown[]>();
  let complete = true;
  for (const list of LISTS) {
    const items = list.of(document);
    if (!Array.isArray(items) || refused.has(formatPath(list.path))) continue;
    const values: unknown[] = [];
    for (const [index, item] of items.entries()) {
      if (issues.length >= budget) {
        complete = false;
        break;
      }
      const result = list.element.safeParse(item, { reportInput: true });
      if (result.success) values.push(result.data);
      else
        for (const issue of result.error.issues)
          issues.push({ ...issue, path: [...list.path, index, ...issue.path] });
    }
    elements.set(formatPath(list.path), values);
  }
  if (!outline.success || issues.length > 0) return { plan: undefined, issues, complete };
  const baseline = outline.data.baseline;
  const plan = {
    ...outline.data,
    regions: elements.get('regions'),
    services: elements.get('services'),
    ...(baseline && { baseline: { ...baseline, phases: elements.get('baseline.phases') } }),
  } as ReleasePlan;
  return { plan, issues, complete };
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
    case 'too_small':
      if (issue.message.startsWith('Too small')) return [{ path, message: tooSmall(issue) }];
      return [{ path, message: issue.message }];
    default:
      return [{ path, message: issue.message }];
  }
}

/** A value under its minimum, in a person's words: "must be at least 1, not 0". */
function tooSmall(issue: z.core.$ZodIssueTooSmall): string {
  const { input, minimum, inclusive } = issue;
  if (typeof input === 'string')
    return input.length === 0
      ? 'must not be empty'
      : `is ${input.length} characters long; at least ${minimum}`;
  if (Array.isArray(input))
    return input.length === 0 ? 'must not be empty' : `has ${input.length} items; at least ${minimum}`;
  const bound = inclusive === false ? `more than ${minimum}` : `at least ${minimum}`;
  return `must be ${bound}${typeof input === 'number' ? `, not ${input}` : ''}`;
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
