/**
 * Turns plan text (YAML or JSON; JSON is read by the YAML parser so both get line numbers)
 * into a validated ReleasePlan, or into every problem found (up to MAX_PROBLEMS), each with its
 * path and position.
 */
import {
  Composer,
  CST,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  type Node,
  type Pair,
  Parser,
  visit,
  type YAMLMap,
} from 'yaml';
import { checkPlan, type Locate, type PathSegment, type PlanLoadResult, type PlanProblem } from './check';
import { MAX_COLLECTION_ENTRIES, MAX_DOCUMENT_VALUES, MAX_NESTING_DEPTH, MAX_SERVICES } from './limits';

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
 * Time and memory follow the text's length: nesting, entries per list or mapping and `maxValues`
 * keys and values are capped while the text is read, before anything recurses over it or holds
 * it, and duplicate keys are found with one set per mapping.
 */
export function parseDocumentText(text: string, maxValues = MAX_DOCUMENT_VALUES): ParsedDocument {
  const lineCounter = new LineCounter();
  const tokens = parseTokens(text, lineCounter, maxValues);
  if (!Array.isArray(tokens)) {
    const position = lineCounter.linePos(tokens.offset);
    return {
      ok: false,
      problems: [{ path: '', message: tokens.message, line: position.line, column: position.col }],
    };
  }
  const { document, errors } = composeOne(tokens, text.length);
  if (errors.length > 0) {
    return {
      ok: false,
      problems: errors.map((error) => {
        const position = lineCounter.linePos(error.offset);
        return {
          path: '',
          message: `syntax error: ${error.message}`,
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
  const keyIndex = new WeakMap<YAMLMap, Map<unknown, number>>();
  return {
    ok: true,
    raw,
    locate: (path) => {
      const node = nearestNode(document, path, keyIndex);
      if (!node?.range) return {};
      const position = lineCounter.linePos(node.range[0]);
      return { line: position.line, column: position.col };
    },
  };
}

/**
 * The concrete syntax tree, or why and where the text is refused before it is composed:
 * - nested too deeply. The parser keeps a stack of what it is inside (the document, the
 *   collections, a scalar being read), so its height is the depth reached; the composer recurses
 *   once per level.
 * - a list or mapping far longer than any in a plan; one a little too long is left to the schema,
 *   which names it by its path.
 * - too many values. Parsing and composing cost about a kilobyte a value.
 */
function parseTokens(
  text: string,
  lineCounter: LineCounter,
  maxValues: number,
): CST.Token[] | { offset: number; message: string } {
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  const tokens: CST.Token[] = [];
  let scalars = 0;
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (collectionsOpen(parser.stack) > MAX_NESTING_DEPTH) {
      return {
        offset: parser.offset,
        message: `the document nests more than ${MAX_NESTING_DEPTH} levels deep; a release plan needs fewer than 10`,
      };
    }
    const open = parser.stack.at(-1);
    if (
      open &&
      COLLECTION_TOKENS.has(open.type) &&
      (open as { items: unknown[] }).items.length > MAX_COLLECTION_ENTRIES
    ) {
      return {
        offset: parser.offset,
        message: `a list or mapping here has more than ${MAX_COLLECTION_ENTRIES} entries; the longest a plan may have (services) has ${MAX_SERVICES}`,
      };
    }
    if (SCALAR_TOKENS.has(CST.tokenType(lexeme) ?? '') && ++scalars > maxValues) {
      return {
        offset: parser.offset,
        message: `the document holds more than ${maxValues} keys and values; a plan of 10,000 services holds about 200,000`,
      };
    }
  }
  for (const token of parser.end()) tokens.push(token);
  return tokens;
}

const COLLECTION_TOKENS: ReadonlySet<string> = new Set(['block-map', 'block-seq', 'flow-collection']);
const SCALAR_TOKENS: ReadonlySet<string> = new Set([
  'scalar',
  'single-quoted-scalar',
  'double-quoted-scalar',
  'block-scalar-header',
]);

/** Collections open on the parser's stack: not the document under them, nor a scalar on top. */
function collectionsOpen(stack: readonly CST.Token[]): number {
  let open = stack.length;
  if (open > 0 && !COLLECTION_TOKENS.has(stack[open - 1]!.type)) open--;
  if (open > 0 && stack[0]!.type === 'document') open--;
  return open;
}

/** The first document and its errors, in the order of the text; a second document is an error. */
function composeOne(
  tokens: readonly CST.Token[],
  length: number,
): { document: Document.Parsed; errors: Array<{ offset: number; message: string }> } {
  // The composer's own duplicate-key check compares each key with every earlier one: quadratic.
  // Merge keys (`<<: *defaults`) as YAML 1.1 and most CI tools read them; a key written in the
  // mapping itself wins over a merged one. https://yaml.org/type/merge.html
  const composer = new Composer({ uniqueKeys: false, merge: true });
  let document: Document.Parsed | undefined;
  const errors: Array<{ offset: number; message: string }> = [];
  for (const composed of composer.compose(tokens, true, length)) {
    if (document) {
      errors.push({
        offset: composed.range[0],
        message: 'a second YAML document starts here; a plan is one document',
      });
      break;
    }
    document = composed;
  }
  // compose(…, forceDoc) always yields a document, even for empty text.
  const first = document!;
  const all = [
    ...errors,
    ...first.errors.map((error) => ({ offset: error.pos[0], message: error.message.split('\n')[0]! })),
    ...keyProblems(first),
  ];
  return { document: first, errors: all.sort((a, b) => a.offset - b.offset) };
}

/**
 * Keys given twice in one mapping, each repeat at its position (a set per mapping keeps it
 * linear), and keys that are lists or mappings, which no plan field has.
 */
function keyProblems(document: Document.Parsed): Array<{ offset: number; message: string }> {
  const problems: Array<{ offset: number; message: string }> = [];
  visit(document, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        if (isMap(key) || isSeq(key)) {
          problems.push({
            offset: key.range?.[0] ?? 0,
            message: 'a key is a list or mapping; keys are names',
          });
          continue;
        }
        if (!isScalar(key)) continue;
        if (seen.has(key.value))
          problems.push({ offset: key.range?.[0] ?? 0, message: 'Map keys must be unique' });
        else seen.add(key.value);
      }
    },
  });
  return problems;
}

/**
 * The YAML node at `path`, or the deepest ancestor that exists (a missing field points at its
 * parent). A path through an alias or a merge key continues where the anchored value is written.
 */
function nearestNode(
  document: Document,
  path: readonly PathSegment[],
  keyIndex: WeakMap<YAMLMap, Map<unknown, number>>,
): Node | null {
  let node = document.contents as Node | null;
  for (const [index, segment] of path.entries()) {
    const target = isAlias(node) ? (node.resolve(document) ?? node) : node;
    if (isMap(target)) {
      const pair = pairOf(document, target, segment, keyIndex, new Set());
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
function pairOf(
  document: Document,
  map: YAMLMap,
  key: PathSegment,
  keyIndex: WeakMap<YAMLMap, Map<unknown, number>>,
  visited: Set<YAMLMap>,
): Pair | undefined {
  if (visited.has(map)) return undefined;
  visited.add(map);
  const own = map.items[positionOfKey(map, key, keyIndex) ?? -1];
  if (own) return own as Pair;
  for (const item of map.items) {
    if (!isScalar(item.key) || typeof item.key.value !== 'symbol') continue; // `<<` is read as a symbol
    const source = isAlias(item.value) ? item.value.resolve(document) : item.value;
    const sources = isSeq(source) ? source.items : [source];
    for (const each of sources) {
      const merged = isAlias(each) ? each.resolve(document) : each;
      const pair = isMap(merged) ? pairOf(document, merged, key, keyIndex, visited) : undefined;
      if (pair) return pair;
    }
  }
  return undefined;
}

/**
 * Where a key sits in a mapping, from an index built on first use: thousands of problems in one
 * mapping (unknown keys, say) are then located in linear time, not by a scan each.
 */
function positionOfKey(
  map: YAMLMap,
  key: PathSegment,
  keyIndex: WeakMap<YAMLMap, Map<unknown, number>>,
): number | undefined {
  let positions = keyIndex.get(map);
  if (!positions) {
    positions = new Map();
    for (const [position, item] of map.items.entries()) {
      // The first of a repeated key, as a scan would find it.
      if (isScalar(item.key) && !positions.has(item.key.value)) positions.set(item.key.value, position);
    }
    keyIndex.set(map, positions);
  }
  return positions.get(key);
}
