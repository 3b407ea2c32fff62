/**
 * The API never answers 5xx for a client's input. Generated requests — every route, ids and
 * query values of any length and alphabet, random JSON bodies, and plans with single fields made
 * huge, long or of the wrong type — go through the router to the local platform (real handlers,
 * DynamoDB Local with its real key limits, the local engine). Every answer must be below 500,
 * be JSON, and leave nothing in the error log.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBackend, type LocalBackend } from '../../bin/cli/serve-command';
import type { ApiRequest } from '../../lambdas/api/http';
import { dynamoDbLocalClient } from '../support/dynamodb';
import { apiRequest, fixtureDocument, fixturePlan, type PlanDocument } from './support';

/** Runs per property; FUZZ_RUNS raises it for a campaign (the closing note's figures). */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

/** Ids as a client might send them: valid, too long for DynamoDB keys, odd alphabets, encodings. */
const idText = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,80}$/),
  fc.string({ minLength: 81, maxLength: 300 }),
  fc.integer({ min: 1000, max: 120_000 }).map((length) => 'r'.repeat(length)),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('..', '.', '%', '%00', '%E0%A4%A', 'a%2Fb', '\u0000', ' ', '🚀'.repeat(600)),
);

const queryValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer({ min: -5, max: 200 }).map(String),
  fc.constantFrom('1e9', '9007199254740993', '-0', 'NaN', '2026-13-45', '+275760-09-13', ''),
  fc.integer({ min: 3000, max: 40_000 }).map((length) => 'c'.repeat(length)),
  fc
    .record({ index: fc.string(), key: fc.dictionary(fc.string(), fc.string({ maxLength: 3000 })) })
    .map((cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url')),
);

const query = fc.record(
  {
    status: queryValue,
    since: queryValue,
    limit: queryValue,
    cursor: queryValue,
    auditAfter: queryValue,
    auditLimit: queryValue,
  },
  { requiredKeys: [] },
);

/** A plan field at a path, made extreme. */
const extremeValue = fc.oneof(
  fc.constantFrom(1e9, 1e308, -1e308, Number.MAX_SAFE_INTEGER, -1, 0, 0.5, 255, 256, 65536),
  fc.integer({ min: 100, max: 200_000 }).map((length) => 'x'.repeat(length)),
  fc.constantFrom(null, true, [], {}, '', '999999999h', '1h30m30s', 'http://169.254.169.254/'),
  fc.json().map((text) => JSON.parse(text) as unknown),
);

/** Paths of the fixture plan where one value is replaced. */
const PLAN_FIELDS: ReadonlyArray<readonly (string | number)[]> = [
  ['metadata', 'releaseId'],
  ['metadata', 'description'],
  ['defaults', 'concurrency'],
  ['defaults', 'stepRolloutEstimate'],
  ['waves', 'bake'],
  ['regions', 0, 'wave'],
  ['regions', 0, 'name'],
  ['regions', 0, 'concurrency'],
  ['regions', 0, 'cluster'],
  ['services', 0, 'name'],
  ['services', 0, 'replicas'],
  ['services', 0, 'image'],
  ['services', 0, 'dependsOn'],
  ['services', 1, 'strategy'],
  ['services', 1, 'analysis'],
  ['services', 1, 'traffic'],
  ['services', 0, 'namespace'],
];

const mutatedPlan = fc
  .record({
    releaseId: fc.stringMatching(/^fuzz-[a-z0-9]{1,12}$/),
    field: fc.constantFrom(...PLAN_FIELDS),
    value: extremeValue,
  })
  .map(({ releaseId, field, value }) => {
    const document = fixtureDocument(releaseId);
    setPath(document, field, value);
    return document;
  });

const jsonBody = fc.oneof(
  mutatedPlan,
  fc.json({ maxDepth: 4 }).map((text) => JSON.parse(text) as unknown),
  fc.record({ region: fc.oneof(idText, extremeValue) }),
  fc.record({ approval: fc.oneof(idText, extremeValue) }),
);

const request: fc.Arbitrary<ApiRequest> = fc
  .record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
    id: idText,
    route: fc.constantFrom(
      '/releases',
      '/releases/:id',
      '/releases/:id/approve',
      '/releases/:id/abort',
      '/releases/:id/rollback',
      '/failover',
      '/failback',
      '/plans/preview',
      '/plans/preflight',
      '/:id',
      '/releases/:id/:id',
    ),
    query,
    body: fc.option(jsonBody, { nil: undefined }),
  })
  .map(({ method, id, route, query, body }) =>
    apiRequest(
      method,
      route.replaceAll(':id', () => encodeURIComponent(id)),
      {
        ...(body !== undefined && { body }),
        query: Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)) as Record<
          string,
          string
        >,
      },
    ),
  );

describe('no 5xx for a client’s input', () => {
  let client: DynamoDBClient;
  let backend: LocalBackend;
  const errors: unknown[] = [];

  beforeAll(async () => {
    client = dynamoDbLocalClient();
    backend = await createLocalBackend({
      plan: fixturePlan(),
      seed: 11,
      dynamoDb: client,
      log: { error: (message, detail) => errors.push({ message, detail }) },
    });
  });
  afterAll(() => client.destroy());

  async function expectClientAnswer(generated: ApiRequest): Promise<void> {
    const response = await backend.handle(generated);
    const summary = `${generated.method} ${generated.path.slice(0, 120)} → ${response.status} ${response.body.slice(0, 300)}`;
    expect(response.status, summary).toBeLessThan(500);
    expect(() => JSON.parse(response.body), summary).not.toThrow();
    expect(
      errors.map((error) => JSON.stringify(error).slice(0, 300)),
      summary,
    ).toEqual([]);
  }

  it('answers every generated request below 500, in JSON, with nothing logged as an error', async () => {
    await fc.assert(fc.asyncProperty(request, expectClientAnswer), { numRuns: RUNS * 4, seed: 4242 });
  }, 240_000);

  it('answers the edges: ids and fields one past each limit', async () => {
    const tooLongId = 'r'.repeat(81);
    const hugeKey = 'k'.repeat(2049);
    const edges: ApiRequest[] = [
      apiRequest('GET', `/releases/${tooLongId}`),
      apiRequest('GET', `/releases/${'r'.repeat(100_000)}`),
      apiRequest('POST', `/releases/${hugeKey}/approve`),
      apiRequest('POST', `/releases/${hugeKey}/abort`),
      apiRequest('POST', `/releases/${hugeKey}/rollback`),
      apiRequest('POST', `/releases/ok/approve`, { body: { approval: hugeKey } }),
      apiRequest('POST', '/failover', { body: { region: hugeKey } }),
      apiRequest('POST', '/failback', { body: { region: hugeKey } }),
      apiRequest('GET', '/releases', { query: { cursor: 'c'.repeat(10_000) } }),
      apiRequest('GET', '/releases', {
        query: {
          cursor: Buffer.from(
            JSON.stringify({ index: 'byStatus', key: { pk: hugeKey, sk: hugeKey } }),
          ).toString('base64url'),
        },
      }),
      apiRequest('POST', '/releases', { body: withField(['metadata', 'releaseId'], hugeKey) }),
      apiRequest('POST', '/releases', { body: withField(['defaults', 'concurrency'], 1e9) }),
      apiRequest('POST', '/releases', { body: withField(['regions', 0, 'wave'], 1e9) }),
      apiRequest('POST', '/plans/preview', { body: withField(['defaults', 'concurrency'], 1e9) }),
      apiRequest('POST', '/plans/preview', { body: withField(['regions', 0, 'wave'], 1e9) }),
    ];
    for (const edge of edges) await expectClientAnswer(edge);
  }, 120_000);

  it('answers ids past the limit with 404 naming the rule, and bad body fields with 400', async () => {
    const id = await backend.handle(apiRequest('GET', `/releases/${'r'.repeat(81)}`));
    expect(id.status).toBe(404);
    expect(JSON.parse(id.body).message).toMatch(/release ids are 1 to 80 characters/);
    expect(id.body.length).toBeLessThan(1000);

    const region = await backend.handle(apiRequest('POST', '/failover', { body: { region: 'us-east-1x' } }));
    expect(region.status).toBe(400);
    expect(JSON.parse(region.body).message).toMatch(/"region" must be an AWS region name/);

    const longApproval = await backend.handle(
      apiRequest('POST', '/releases/shop-1/approve', { body: { approval: 'a'.repeat(2049) } }),
    );
    expect(longApproval.status).toBe(400);
    expect(JSON.parse(longApproval.body).message).toMatch(/"approval" must be .* at most 256 characters/);
  });
});

function withField(path: readonly (string | number)[], value: unknown): PlanDocument {
  const document = fixtureDocument(`edge-${path.join('-')}`.replace(/[^A-Za-z0-9_-]/g, '-'));
  setPath(document, path, value);
  return document;
}

function setPath(document: PlanDocument, path: readonly (string | number)[], value: unknown): void {
  let node: PlanDocument = document;
  for (const segment of path.slice(0, -1)) node = node[segment] ?? {};
  node[path.at(-1)!] = value;
}
