/**
 * Turns plan text (YAML or JSON; JSON is read by the YAML parser so both get line numbers)
 * into a validated ReleasePlan, or into every problem found, each with its path and position.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  type YAMLMap,
} from 'yaml';
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
  // Merge keys (`<<: *defaults`) as YAML 1.1 and most CI tools read them; a key written in the
  // mapping itself wins over a merged one. https://yaml.org/type/merge.html
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
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
      const node = nearestNode(document, path);
      if (!node?.range) return {};
      const position = lineCounter.linePos(node.range[0]);
      return { line: position.line, column: position.col };
    },
  };
}

/**
 * The YAML node at `path`, or the deepest ancestor that exists (a missing field points at its
 * parent). A path through an alias or a merge key continues where the anchored value is written.
 */
function nearestNode(document: Document, path: readonly PathSegment[]): Node | null {
  let node = document.contents as Node | null;
  for (const [index, segment] of path.entries()) {
    const target = isAlias(node) ? (node.resolve(document) ?? node) : node;
    if (isMap(target)) {
      const pair = pairOf(document, target, segment, new Set());
      if (!pair) return node;
      const value = pair.value as Node | null;
      // A block collection starts on the line after its key; the key is where a person looks.
      const blockCollection = (isMap(value) || isSeq(value)) && !value.flow;
      node = value && !(blockCollection && index === path.length - 1) ? value : (pair.key as Node);
    } else if (isSeq(target) && typeof segment === 'number') {
      const item = target.items[segment] as Node | undefined;
      if (!item) return node;
      node = item;
    } else {
      return node;
    }
  }
  return node;
}

/** The pair for `key` in `map`: its own, else the first merged map's (as the yaml library merges). */
function pairOf(document: Document, map: YAMLMap, key: PathSegment, visited: Set<YAMLMap>): Pair | undefined {
  if (visited.has(map)) return undefined;
  visited.add(map);
  const own = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  if (own) return own as Pair;
  for (const item of map.items) {
    if (!isScalar(item.key) || typeof item.key.value !== 'symbol') continue; // `<<` is read as a symbol
    const source = isAlias(item.value) ? item.value.resolve(document) : item.value;
    const sources = isSeq(source) ? source.items : [source];
    for (const each of sources) {
      const merged = isAlias(each) ? each.resolve(document) : each;
      const pair = isMap(merged) ? pairOf(document, merged, key, visited) : undefined;
      if (pair) return pair;
    }
  }
  return undefined;
}
