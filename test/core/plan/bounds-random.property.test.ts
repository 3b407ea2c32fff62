/**
 * Every plan field is bounded: random documents with extreme values through loadPlan, checkPlan and
 * previewRelease always return, with the plan or with problems, and never throw. "Always returns" is
 * the test timeout. The edges of each bound are in bounds.property.test.ts.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { stringify } from 'yaml';
import { checkPlan, loadPlan } from '../../../lambdas/core/plan/load';
import { checkAndPreview, richDocument, withValue } from './bounds-support';
import { type Document, service } from './documents';

const NUMBER_PATHS = numbersOf(richDocument());
const STRING_PATHS = stringsOf(richDocument());
const LIST_PATHS = [
  'services',
  'regions',
  'services[1].dependsOn',
  'services[1].strategy.steps',
  'services[1].analysis.checks',
  'services[1].analysis.checks[1].alarmNames',
  'regions[1].services',
  'baseline.phases',
];

/** Every path in a document whose value is a number (or a string). */
function numbersOf(document: unknown, path = ''): string[] {
  return pathsOf(document, path)
    .filter(([, value]) => typeof value === 'number')
    .map(([at]) => at);
}
function stringsOf(document: unknown, path = ''): string[] {
  return pathsOf(document, path)
    .filter(([, value]) => typeof value === 'string')
    .map(([at]) => at);
}
function pathsOf(value: unknown, path: string): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.flatMap((item, index) => pathsOf(item, `${path}[${index}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => pathsOf(item, path ? `${path}.${key}` : key));
  }
  return [[path, value]];
}

const extremeNumbers = fc.oneof(
  fc.constantFrom(
    1e9,
    1e308,
    Number.MAX_VALUE,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    2 ** 31,
    2 ** 32 + 1,
    -0,
    0,
    -1,
    -1e308,
    Number.MIN_VALUE,
    0.5,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
  ),
  fc.double(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
);

/** The document through checkPlan (as the API gets it) and as YAML text through loadPlan (as the CLI does). */
function everyWay(document: Document): void {
  checkAndPreview(checkPlan(document));
  // YAML writes NaN and ±Infinity as .nan and .inf, which JSON cannot say.
  checkAndPreview(loadPlan(stringify(document)));
}

describe('random documents: validation and preview return, never throw', () => {
  it('any number in any numeric field, several at once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...NUMBER_PATHS), extremeNumbers), { minLength: 1, maxLength: 4 }),
        (changes) => {
          const document = richDocument();
          for (const [path, value] of changes) withValue(document, path, value);
          everyWay(document);
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);

  it('long strings, up to 100 kB, in any string field', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...STRING_PATHS),
        fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(100_000)),
        fc.constantFrom('a', '9', 'é', '𝄞', '[', '{"a":', '- ', '\n'),
        (path, length, unit) => {
          everyWay(withValue(richDocument(), path, unit.repeat(length)));
        },
      ),
      { numRuns: 100 },
    );
  }, 120_000);

  it('any JSON value in any field', () => {
    const allPaths = [
      ...NUMBER_PATHS,
      ...STRING_PATHS,
      ...LIST_PATHS,
      'metadata',
      'defaults',
      'waves',
      'dns',
      'baseline',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...allPaths), fc.jsonValue({ maxDepth: 6 }), (path, value) => {
        everyWay(withValue(richDocument(), path, value));
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('huge lists, up to 200,000 items, in any list field', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LIST_PATHS),
        fc.integer({ min: 0, max: 200_000 }),
        fc.constantFrom<unknown>(1, 'db', 'x', {}, [], null, { setWeight: 200 }, service('db')),
        (path, length, item) => {
          checkAndPreview(checkPlan(withValue(richDocument(), path, Array(length).fill(item))));
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it('text nested up to 100,000 levels deep, alone or inside a plan', () => {
    const plan = stringify(richDocument());
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom('[', '{"a":', '- ', '{a: '),
        fc.boolean(),
        (depth, opener, inside) => {
          const closer = opener === '[' ? ']' : opener === '- ' ? '' : '}';
          const nested = `${opener.repeat(depth)}1${closer.repeat(depth)}`;
          checkAndPreview(loadPlan(inside ? `${plan}extra: ${nested}\n` : nested));
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
