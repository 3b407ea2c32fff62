/**
 * Small release plan documents for the plan and planner tests: plain data, as the API receives
 * it, so each test changes exactly the field it is about.
 */
import { readFileSync } from 'node:fs';
import { checkPlan, type PlanProblem } from '../../../lambdas/core/plan/load';

// biome-ignore lint/suspicious/noExplicitAny: tests write invalid documents field by field, which no plan type describes.
export type Document = Record<string, any>;

export function readExample(relativePath: string): string {
  return readFileSync(new URL(`../../../examples/${relativePath}`, import.meta.url), 'utf8');
}

/** The 1-based line and column of `fragment` in `text`, moved `at` characters into it. */
export function positionOf(text: string, fragment: string, at = 0): { line: number; column: number } {
  const offset = text.indexOf(fragment);
  if (offset < 0 || text.indexOf(fragment, offset + 1) >= 0)
    throw new Error(`"${fragment}" is not in the text once`);
  const before = text.slice(0, offset + at).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/**
 * A valid plan: db ← api ← web in one region, recreating by default, with one canary that
 * analyses through CloudWatch alarms.
 */
export function validDocument(): Document {
  return {
    metadata: { releaseId: 'shop-2026-11-22' },
    defaults: { strategy: { type: 'recreate' } },
    regions: [{ name: 'us-east-1', cluster: 'shop-use1', wave: 1 }],
    services: [
      { name: 'db', image: 'postgres:16.4' },
      {
        name: 'api',
        image: 'registry.example.com/shop/api:2.0.0',
        dependsOn: ['db'],
        strategy: {
          type: 'canary',
          steps: [{ setWeight: 10 }, { analysis: {} }, { setWeight: 100 }],
        },
        analysis: {
          interval: '1m',
          count: 5,
          checks: [{ type: 'cloudwatchAlarms', alarmNames: ['api-5xx'] }],
        },
      },
      { name: 'web', image: 'registry.example.com/shop/web:9.1.0', dependsOn: ['api'] },
    ],
  };
}

/** A service that recreates, named and depending as given: for graph-shaped tests. */
export function service(name: string, dependsOn: string[] = []): Document {
  return { name, image: `registry.example.com/${name}:1.0.0`, dependsOn };
}

/** A canary whose steps set exactly these weights, with no analysis. */
export function canaryWithWeights(weights: number[]): Document {
  return { type: 'canary', steps: weights.map((setWeight) => ({ setWeight })) };
}

/** The path and message of each problem checkPlan finds in `document`; none when it is valid. */
export function problemsOf(document: Document): Array<Pick<PlanProblem, 'path' | 'message'>> {
  const result = checkPlan(document);
  if (result.ok) return [];
  return result.problems.map(({ path, message }) => ({ path, message }));
}
