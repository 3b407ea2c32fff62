/**
 * Turns plan text (YAML or JSON; JSON is read by the YAML parser so both get line numbers)
 * into a validated ReleasePlan, or into every problem found, each with its path and position.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { checkPlan, type Locate, type PathSegment, type PlanLoadResult, type PlanProblem } from './check';

export * from './check';

export function loadPlan(text: string): PlanLoadResult {
  const parsed = parseDocumentText(text);
  return parsed.ok ? checkPlan(parsed.raw, parsed.locate) : parsed;
}

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
