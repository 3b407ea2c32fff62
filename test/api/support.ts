/** Shared by the API tests: the fixture plan, requests, and following a release to its end. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ApiRequest, ApiResponse } from '../../lambdas/api/http';
import type { ReleaseView } from '../../lambdas/api/release-view';
import { checkPlan, parseDocumentText } from '../../lambdas/core/plan/load';
import { type ResolvedPlan, resolvePlan } from '../../lambdas/core/plan/resolve';

export const FIXTURE_PLAN_PATH = fileURLToPath(new URL('./fixtures/approval-plan.yaml', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: tests change plan documents field by field.
export type PlanDocument = Record<string, any>;

/** The fixture plan as the API receives it (plain JSON data), under the given release id. */
export function fixtureDocument(releaseId?: string): PlanDocument {
  const parsed = parseDocumentText(readFileSync(FIXTURE_PLAN_PATH, 'utf8'));
  if (!parsed.ok) throw new Error('the fixture plan does not parse');
  const document = parsed.raw as PlanDocument;
  if (releaseId) document.metadata.releaseId = releaseId;
  return document;
}

export function fixturePlan(): ResolvedPlan {
  const checked = checkPlan(fixtureDocument());
  if (!checked.ok) throw new Error(`the fixture plan is invalid: ${JSON.stringify(checked.problems)}`);
  return resolvePlan(checked.plan);
}

export function apiRequest(
  method: string,
  path: string,
  options: {
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    query?: Record<string, string>;
  } = {},
): ApiRequest {
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return {
    method,
    path,
    query: options.query ?? {},
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...options.headers },
    body,
    caller: 'tester',
  };
}

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field in assertions.
export function bodyOf(response: ApiResponse): any {
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  return JSON.parse(response.body);
}

export function serviceIn(view: ReleaseView, region: string, service: string) {
  const found = view.waves
    .flatMap((wave) => wave.regions)
    .find((entry) => entry.region === region)
    ?.services.find((entry) => entry.service === service);
  if (!found) throw new Error(`${service} in ${region} is not in the view`);
  return found;
}
