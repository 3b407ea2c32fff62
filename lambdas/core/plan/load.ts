/**
 * Turns plan text (YAML or JSON; JSON is read by the YAML parser so both get line numbers)
 * into a validated ReleasePlan, or into every problem found, each with its path and position.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
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

export function loadPlan(text: string): PlanLoadResult {
  const parsed = parseDocumentText(text);
  return parsed.ok ? checkPlan(parsed.raw, parsed.locate) : parsed;
}

/** Maps a path in the document to where it is written. */
export type Locate = (path: readonly PathSegment[]) => { line?: number; column?: number };

export type ParsedDocument =
  | { ok: true; raw: unknown; locate: Locate }
  | { ok: false; problems: PlanProblem[] };

/**
 * Parses YAML or JSON text into plain data and a `locate` for its paths; syntax errors come
 * back as problems with their position. Shared by every document Switchyard reads (plans, fault files).
 */
export function parseDocumentText(text: string): ParsedDocument {
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
  let raw: unknown;
  try {
    raw = document.toJS();
  } catch (error) {
    // The yaml library refuses alias expansion that would blow up ("billion laughs").
    return {
      ok: false,
      problems: [{ path: '', message: `cannot read the document: ${(error as Error).message}` }],
    };
  }
  return {
    ok: true,
    raw,
    locate: (path) => {
      const node = nearestNode(document.contents as Node | null, path);
      if (!node?.range) return {};
      const position = lineCounter.linePos(node.range[0]);
      return { line: position.line, column: position.col };
    },
  };
}

/** Validates an already-parsed document (the API receives JSON bodies). */
export function checkPlan(raw: unknown, locate: Locate = () => ({})): PlanLoadResult {
  const problems: Array<{ path: PathSegment[]; message: string }> = [];
  // reportInput keeps each issue's input, which tells a missing field from a wrong value.
  const parsed = ReleasePlan.safeParse(raw, { reportInput: true });
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap(describeIssue));
  problems.push(...findPlanProblems(raw));
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
    default:
      return [{ path, message: issue.message }];
  }
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

/** The YAML node at `path`, or the deepest ancestor that exists (a missing field points at its parent). */
function nearestNode(root: Node | null, path: readonly PathSegment[]): Node | null {
  let node: Node | null = root;
  for (const [index, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
      if (!pair) return node;
      const value = pair.value as Node | null;
      // A block collection starts on the line after its key; the key is where a person looks.
      const blockCollection = (isMap(value) || isSeq(value)) && !value.flow;
      node = value && !(blockCollection && index === path.length - 1) ? value : (pair.key as Node);
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
