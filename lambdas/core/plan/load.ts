/**
 * Turns plan text (YAML or JSON; JSON is read by the YAML parser so both get line numbers)
 * into a validated ReleasePlan, or into every problem found, each with its path and position.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
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

export function loadPlan(text: string): PlanLoadResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return {
          path: '',
          message: `syntax error: ${error.message.split('\n')[0]}`,
          line: position.line,
          column: position.col,
        };
      }),
    };
  }
  const raw: unknown = document.toJS();
  return checkPlan(raw, (path) => {
    const node = nearestNode(document.contents as Node | null, path);
    if (!node?.range) return {};
    const position = lineCounter.linePos(node.range[0]);
    return { line: position.line, column: position.col };
  });
}

/** Validates an already-parsed document (the API receives JSON bodies). */
export function checkPlan(
  raw: unknown,
  locate: (path: readonly PathSegment[]) => { line?: number; column?: number } = () => ({}),
): PlanLoadResult {
  const problems: Array<{ path: PathSegment[]; message: string }> = [];
  const parsed = ReleasePlan.safeParse(raw);
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap(describeIssue));
  problems.push(...findPlanProblems(raw));
  if (problems.length === 0 && parsed.success) return { ok: true, plan: parsed.data };
  const seen = new Set<string>();
  const unique = problems.filter((problem) => {
    const key = `${formatPath(problem.path)}|${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    ok: false,
    problems: unique.map((problem) => ({
      path: formatPath(problem.path),
      message: problem.message,
      ...locate(problem.path),
    })),
  };
}

function describeIssue(issue: z.core.$ZodIssue): Array<{ path: PathSegment[]; message: string }> {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path, message: `unknown field "${key}"` }));
    case 'invalid_union': {
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
      return [{ path, message: `must be ${article(issue.expected)}, not ${describeValue(issue.input)}` }];
    case 'invalid_value':
      return [
        { path, message: `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}` },
      ];
    default:
      return [{ path, message: issue.message }];
  }
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((issue) => issue.path.length + (issue.code === 'invalid_type' ? 0 : 0.5)));
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

/** The YAML node at `path`, or the deepest ancestor that exists (a missing field points at its parent). */
function nearestNode(root: Node | null, path: readonly PathSegment[]): Node | null {
  let node: Node | null = root;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
      if (!pair) return node;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return node;
      node = item;
    } else {
      return node;
    }
  }
  return node;
}
