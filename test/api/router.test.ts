/**
 * Contract tests of the API router: every route, its status codes and bodies. Requests the API
 * refuses before acting are answered without any port; everything else runs against the local
 * platform (real handlers, local Step Functions engine, DynamoDB Local, simulated fleet).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLocalBackend, type LocalBackend } from '../../bin/cli/serve-command';
import { MAX_BODY_BYTES } from '../../lambdas/api/http';
import type { ApiPorts, FailoverView, ReleaseView } from '../../lambdas/api/release-view';
import { handleApiRequest } from '../../lambdas/api/router';
import { dynamoDbLocalClient } from '../support/dynamodb';
import { apiRequest, bodyOf, fixtureDocument, fixturePlan, serviceIn } from './support';

/** Ports that fail the test if the router reaches them. */
const untouchablePorts = new Proxy({} as ApiPorts, {
  get(_target, port) {
    throw new Error(`the router used the ${String(port)} port for a request it should refuse first`);
  },
});

describe('requests refused before anything is done', () => {
  const answer = (request: ReturnType<typeof apiRequest>) => handleApiRequest(request, untouchablePorts);

  it('answers 404 for an unknown path and 405 (with Allow) for a known path and another method', async () => {
    const unknown = await answer(apiRequest('GET', '/deployments'));
    expect(unknown.status).toBe(404);
    expect(bodyOf(unknown)).toMatchObject({
      error: 'NotFound',
      message: expect.stringContaining('/deployments'),
    });

    const wrongMethod = await answer(apiRequest('DELETE', '/releases'));
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, POST');
    expect(bodyOf(wrongMethod)).toMatchObject({ error: 'MethodNotAllowed' });

    const getFailover = await answer(apiRequest('GET', '/failover'));
    expect(getFailover.status).toBe(405);
    expect(getFailover.headers.allow).toBe('POST');
  });

  it('refuses a body over the size limit with 413', async () => {
    const response = await answer(
      apiRequest('POST', '/releases', { rawBody: `{"padding":"${'x'.repeat(MAX_BODY_BYTES)}"}` }),
    );
    expect(response.status).toBe(413);
    expect(bodyOf(response)).toMatchObject({
      error: 'PayloadTooLarge',
      message: expect.stringContaining('1 MiB'),
    });
  });

  it('refuses a body that is not declared as JSON with 415', async () => {
    const yaml = await answer(
      apiRequest('POST', '/releases', {
        rawBody: 'metadata: {}',
        headers: { 'content-type': 'application/yaml' },
      }),
    );
    expect(yaml.status).toBe(415);
    expect(bodyOf(yaml).message).toContain('application/json (got application/yaml)');

    const undeclared = await answer({
      ...apiRequest('POST', '/plans/preview', { rawBody: '{}' }),
      headers: {},
    });
    expect(undeclared.status).toBe(415);
    expect(bodyOf(undeclared).message).toContain('no content-type');
  });

  it('accepts a JSON content type with parameters, in any case', async () => {
    const response = await answer(
      apiRequest('POST', '/plans/preview', {
        body: fixtureDocument(),
        headers: { 'Content-Type': 'Application/JSON; charset=utf-8' },
      }),
    );
    expect(response.status).toBe(200);
  });

  it('refuses bad JSON and a missing body with 400', async () => {
    const bad = await answer(apiRequest('POST', '/releases', { rawBody: '{"metadata": ' }));
    expect(bad.status).toBe(400);
    expect(bodyOf(bad)).toMatchObject({
      error: 'BadRequest',
      message: expect.stringContaining('not valid JSON'),
    });

    const missing = await answer(apiRequest('POST', '/releases'));
    expect(missing.status).toBe(400);
    expect(bodyOf(missing).message).toBe('this request needs a JSON body');

    const notAnObject = await answer(apiRequest('POST', '/failover', { body: ['us-east-1'] }));
    expect(notAnObject.status).toBe(400);
    expect(bodyOf(notAnObject).message).toBe('the body must be a JSON object');

    const noRegion = await answer(apiRequest('POST', '/failback', { body: {} }));
    expect(bodyOf(noRegion).message).toBe('the body needs "region"');
  });

  it('answers an invalid plan with 400 listing every problem with its path', async () => {
    const document = fixtureDocument();
    document.services[2].dependsOn = ['api', 'cache'];
    document.services[1].strategy.steps[2] = { setWeight: 10 };
    delete document.regions[1].cluster;
    for (const path of ['/releases', '/plans/preview', '/plans/preflight']) {
      const response = await answer(apiRequest('POST', path, { body: document }));
      expect(response.status).toBe(400);
      const body = bodyOf(response);
      expect(body.error).toBe('PlanInvalid');
      const paths = body.problems.map((problem: { path: string }) => problem.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'services[2].dependsOn[1]',
          'services[1].strategy.steps[2].setWeight',
          'regions[1].cluster',
        ]),
      );
    }
  });

  it('refuses malformed query parameters with 400 naming them', async () => {
    for (const [query, named] of [
      [{ status: 'DONE' }, 'status must be one of'],
      [{ limit: '0' }, 'limit must be a whole number from 1 to 100'],
      [{ limit: 'ten' }, 'limit must be'],
      [{ since: 'yesterday' }, 'since must be an ISO 8601 date'],
    ] as const) {
      const response = await answer(apiRequest('GET', '/releases', { query }));
      expect(response.status).toBe(400);
      expect(bodyOf(response).message).toContain(named);
    }
    const audit = await answer(apiRequest('GET', '/releases/x', { query: { auditAfter: '-1' } }));
    expect(audit.status).toBe(400);
  });

  it('answers an unexpected failure with 500 and an opaque id that is also logged', async () => {
    const failingPorts = {
      store: {
        getRelease: async () => {
          throw new Error('connection pool exhausted at 10.0.3.17');
        },
      },
    } as unknown as ApiPorts;
    const log = { error: vi.fn() };
    const response = await handleApiRequest(apiRequest('GET', '/releases/shop-1'), failingPorts, { log });
    expect(response.status).toBe(500);
    const body = bodyOf(response);
    expect(body).toMatchObject({ error: 'Internal', errorId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(response.body).not.toContain('10.0.3.17');
    expect(log.error).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({
        errorId: body.errorId,
        path: '/releases/shop-1',
        error: expect.objectContaining({ message: 'connection pool exhausted at 10.0.3.17' }),
      }),
    );
  });
});

describe('releases on the local platform', () => {
  let client: DynamoDBClient;
  let backend: LocalBackend;
  const first = 'shop-2026-12-01';

  /** One request, then virtual time driven until nothing but a person is left to act. */
  async function call(method: string, path: string, body?: unknown, query?: Record<string, string>) {
    const response = await backend.handle(apiRequest(method, path, { body, ...(query && { query }) }));
    await backend.idle();
    return { status: response.status, headers: response.headers, body: bodyOf(response) };
  }

  async function view(releaseId: string): Promise<ReleaseView> {
    const { status, body } = await call('GET', `/releases/${releaseId}`);
    expect(status).toBe(200);
    return body;
  }

  /** Approves whatever the release waits on until it ends. */
  async function approveToTheEnd(releaseId: string): Promise<ReleaseView> {
    for (;;) {
      const current = await view(releaseId);
      if (current.status !== 'RUNNING' && current.status !== 'PENDING') return current;
      expect(
        current.approvalsWaiting.length,
        `${releaseId} is ${current.status} and waits on no one`,
      ).toBeGreaterThan(0);
      await call('POST', `/releases/${releaseId}/approve`);
    }
  }

  beforeAll(async () => {
    client = dynamoDbLocalClient();
    backend = await createLocalBackend({ plan: fixturePlan(), seed: 7, dynamoDb: client });
  });
  afterAll(() => client.destroy());

  it('starts a release (202); the same id and plan again is the same release (200); another plan under that id is a conflict (409)', async () => {
    const started = await call('POST', '/releases', fixtureDocument(first));
    expect(started.status).toBe(202);
    expect(started.headers.location).toBe(`/releases/${first}`);
    expect(started.body).toEqual({
      releaseId: first,
      executionArn: backend.platform.workflow.executionArnFor('release', first),
      consoleUrl: null,
      status: 'PENDING',
      created: true,
    });

    const again = await call('POST', '/releases', fixtureDocument(first));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      releaseId: first,
      created: false,
      executionArn: started.body.executionArn,
    });

    const changed = fixtureDocument(first);
    changed.services[0].image = 'postgres:17.0';
    const conflict = await call('POST', '/releases', changed);
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({
      error: 'ReleaseConflict',
      message: expect.stringContaining(first),
    });
  });

  it('describes a running release: waves, regions, services with step, weights and verdict; approvals waiting; the audit; links', async () => {
    const running = await view(first);
    expect(running).toMatchObject({
      kind: 'release',
      releaseId: first,
      status: 'RUNNING',
      submittedBy: 'tester',
      execution: {
        executionArn: backend.platform.workflow.executionArnFor('release', first),
        status: 'RUNNING',
      },
      approvalsWaiting: ['us-east-1/api/step-1'],
    });
    expect(running.waves.map((wave) => [wave.wave, wave.regions.map((region) => region.region)])).toEqual([
      [1, ['us-east-1']],
      [2, ['us-west-2']],
    ]);
    expect(serviceIn(running, 'us-east-1', 'db')).toMatchObject({
      strategy: 'recreate',
      status: 'COMPLETED',
      step: { index: 1, count: 1, kind: 'done' },
    });
    // Parked at the canary's second step (pause until approved), with 20 % on the canary.
    expect(serviceIn(running, 'us-east-1', 'api')).toMatchObject({
      strategy: 'canary',
      status: 'VALIDATING',
      step: { index: 1, count: 4, kind: 'approval' },
      weights: { stable: 80, canary: 20 },
      verdict: null,
    });
    expect(serviceIn(running, 'us-west-2', 'api')).toMatchObject({ status: 'PENDING', step: null });
    const actions = running.audit.entries.map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining(['release.validated', 'lock.acquired', 'approval.requested']),
    );
    expect(running.audit.lastSeq).toBe(running.audit.entries.at(-1)?.seq);

    // A watcher asks only for what is new.
    const { body: newer } = await call('GET', `/releases/${first}`, undefined, {
      auditAfter: String(running.audit.lastSeq - 2),
    });
    expect(newer.audit.entries.map((entry: { seq: number }) => entry.seq)).toEqual([
      running.audit.lastSeq - 1,
      running.audit.lastSeq,
    ]);
  });

  it('refuses another release while the lock is held, naming the holder and since when (409)', async () => {
    const refused = await call('POST', '/releases', fixtureDocument('shop-2026-12-01-hotfix'));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: 'LockHeld',
      holder: { scope: 'fleet', releaseId: first, kind: 'release', acquiredAt: expect.any(String) },
    });
    expect(refused.body.message).toContain(
      `locked by release ${first} since ${refused.body.holder.acquiredAt}`,
    );
    expect((await call('GET', '/releases/shop-2026-12-01-hotfix')).status).toBe(404);
  });

  it('gives approvals: a named one that is not waiting is 404, by default all that wait, and once only', async () => {
    const unknown = await call('POST', `/releases/${first}/approve`, { approval: 'us-east-1/web/step-0' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('waiting: us-east-1/api/step-1');

    const approved = await call('POST', `/releases/${first}/approve`, { approval: 'us-east-1/api/step-1' });
    expect(approved).toMatchObject({
      status: 200,
      body: { releaseId: first, approved: ['us-east-1/api/step-1'], expired: [] },
    });
    const next = await view(first);
    expect(serviceIn(next, 'us-east-1', 'api')).toMatchObject({ status: 'COMPLETED' });
    expect(next.approvalsWaiting).toEqual(['us-west-2/api/step-1']);
    expect(next.audit.entries).toContainEqual(
      expect.objectContaining({
        action: 'approval.given',
        actor: 'tester',
        region: 'us-east-1',
        service: 'api',
      }),
    );

    const again = await call('POST', `/releases/${first}/approve`, { approval: 'us-east-1/api/step-1' });
    expect(again.status).toBe(404);
  });

  it('aborts a running release: stops it, then rolls it back; a second abort or a rollback has nothing to do (409)', async () => {
    const aborted = await call('POST', `/releases/${first}/abort`);
    expect(aborted.status).toBe(202);
    expect(aborted.body).toMatchObject({
      releaseId: first,
      status: 'ROLLING_BACK',
      started: true,
      rollback: { executionArn: backend.platform.workflow.executionArnFor('rollback', `${first}-rollback`) },
    });
    const rolledBack = await view(first);
    expect(rolledBack).toMatchObject({
      status: 'ROLLED_BACK',
      reason: 'aborted by tester',
      execution: { status: 'ABORTED' },
      rollback: { status: 'SUCCEEDED' },
      // us-west-2's approval was parked when the release stopped: nothing waits on it now.
      approvalsWaiting: [],
    });
    expect(serviceIn(rolledBack, 'us-east-1', 'api')).toMatchObject({
      status: 'ROLLED_BACK',
      weights: { stable: 100, canary: 0 },
    });
    expect(serviceIn(rolledBack, 'us-west-2', 'db').status).not.toBe('COMPLETED');
    expect(rolledBack.audit.entries).toContainEqual(
      expect.objectContaining({ action: 'rollback.requested', actor: 'tester' }),
    );

    const abortAgain = await call('POST', `/releases/${first}/abort`);
    expect(abortAgain).toMatchObject({ status: 409, body: { error: 'Conflict', status: 'ROLLED_BACK' } });
    const rollback = await call('POST', `/releases/${first}/rollback`);
    expect(rollback).toMatchObject({
      status: 409,
      body: { message: `release ${first} is already rolled back` },
    });
    expect((await call('POST', '/releases/no-such-release/abort')).status).toBe(404);
  });

  it('holds a release in its rollback window for a person: promote closes it (200), audited; a second promote is 409', async () => {
    const windowed = {
      ...fixtureDocument('shop-2026-12-01-window'),
      waves: { bake: '0s', rollbackWindow: '30m' },
    };
    expect((await call('POST', '/releases', windowed)).status).toBe(202);
    const monitoring = await approveToTheEnd('shop-2026-12-01-window');
    expect(monitoring.status).toBe('MONITORING');
    expect(monitoring.rollbackWindow).toMatchObject({
      opensAt: expect.any(String),
      endsAt: expect.any(String),
    });
    const listed = await call('GET', '/releases', undefined, { status: 'MONITORING' });
    expect(listed.body.releases[0]).toMatchObject({
      releaseId: 'shop-2026-12-01-window',
      rollbackWindow: { endsAt: monitoring.rollbackWindow!.endsAt },
    });
    const promoted = await call('POST', '/releases/shop-2026-12-01-window/promote');
    expect(promoted).toMatchObject({
      status: 200,
      body: { promotedBy: 'tester', secondsLeft: expect.any(Number) },
    });
    await backend.idle();
    const done = await view('shop-2026-12-01-window');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.audit.entries).toContainEqual(
      expect.objectContaining({ action: 'release.promoted', actor: 'tester' }),
    );
    const again = await call('POST', '/releases/shop-2026-12-01-window/promote');
    expect(again).toMatchObject({ status: 409, body: { error: 'Conflict', status: 'SUCCEEDED' } });
  });

  it('rolls back a finished release only while no later release has changed the fleet', async () => {
    const second = 'shop-2026-12-02';
    const third = 'shop-2026-12-03';
    expect((await call('POST', '/releases', fixtureDocument(second))).status).toBe(202);
    expect((await approveToTheEnd(second)).status).toBe('SUCCEEDED');
    expect((await call('POST', '/releases', fixtureDocument(third))).status).toBe(202);
    expect((await approveToTheEnd(third)).status).toBe('SUCCEEDED');

    const blocked = await call('POST', `/releases/${second}/rollback`);
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({ blockedBy: { releaseId: third, status: 'SUCCEEDED' } });

    const rollbackThird = await call('POST', `/releases/${third}/rollback`);
    expect(rollbackThird).toMatchObject({ status: 202, body: { status: 'ROLLING_BACK', started: true } });
    expect((await view(third)).status).toBe('ROLLED_BACK');

    // The later release is rolled back: the earlier one may go back too.
    expect((await call('POST', `/releases/${second}/rollback`)).status).toBe(202);
    const secondView = await view(second);
    expect(secondView).toMatchObject({ status: 'ROLLED_BACK', rollback: { status: 'SUCCEEDED' } });
    expect(serviceIn(secondView, 'us-west-2', 'web').status).toBe('ROLLED_BACK');
  });

  it('lists releases newest first, filtered by status and since, a page at a time', async () => {
    const all = await call('GET', '/releases');
    expect(all.status).toBe(200);
    expect(all.body.releases.map((release: { releaseId: string }) => release.releaseId)).toEqual([
      'shop-2026-12-03',
      'shop-2026-12-02',
      'shop-2026-12-01-window',
      first,
    ]);
    expect(all.body.releases[0]).toMatchObject({
      kind: 'release',
      status: 'ROLLED_BACK',
      submittedBy: 'tester',
    });
    expect(all.body.cursor).toBeUndefined();

    const firstPage = await call('GET', '/releases', undefined, { limit: '2' });
    expect(firstPage.body.releases).toHaveLength(2);
    const secondPage = await call('GET', '/releases', undefined, {
      limit: '2',
      cursor: firstPage.body.cursor,
    });
    expect(secondPage.body.releases.map((release: { releaseId: string }) => release.releaseId)).toEqual([
      'shop-2026-12-01-window',
      first,
    ]);
    expect(secondPage.body.cursor).toBeUndefined();

    const rolledBack = await call('GET', '/releases', undefined, { status: 'rolled_back' });
    expect(rolledBack.body.releases).toHaveLength(3);
    const running = await call('GET', '/releases', undefined, { status: 'RUNNING' });
    expect(running.body.releases).toEqual([]);
    const future = await call('GET', '/releases', undefined, { since: '2099-01-01' });
    expect(future.body.releases).toEqual([]);

    const foreignCursor = await call('GET', '/releases', undefined, {
      status: 'FAILED',
      cursor: firstPage.body.cursor,
    });
    expect(foreignCursor).toMatchObject({ status: 400, body: { error: 'InvalidInput' } });
  });

  it('fails a region over and back, with the latest release plan describing the fleet', async () => {
    const unknownRegion = await call('POST', '/failover', { region: 'ap-south-1' });
    expect(unknownRegion).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('us-east-1, us-west-2') },
    });
    expect((await call('POST', '/failback', { region: 'us-east-1' })).status).toBe(404);

    const failover = await call('POST', '/failover', { region: 'us-east-1' });
    expect(failover.status).toBe(202);
    expect(failover.body).toMatchObject({
      failoverId: expect.stringMatching(/^failover-us-east-1-\d{8}T\d{6}Z$/),
      direction: 'failover',
      region: 'us-east-1',
      planReleaseId: 'shop-2026-12-03',
      started: true,
    });
    const failedOver = (await call('GET', `/releases/${failover.body.failoverId}`)).body as FailoverView;
    expect(failedOver).toMatchObject({
      kind: 'failover',
      direction: 'failover',
      status: 'SUCCEEDED',
      weightsBefore: { 'us-east-1': 100, 'us-west-2': 100 },
      weightsAfter: { 'us-east-1': 0, 'us-west-2': 200 },
    });
    const twice = await call('POST', '/failover', { region: 'us-east-1' });
    expect(twice).toMatchObject({ status: 409, body: { failoverId: failover.body.failoverId } });
    expect((await call('POST', `/releases/${failover.body.failoverId}/rollback`)).status).toBe(400);

    const failback = await call('POST', '/failback', { region: 'us-east-1' });
    expect(failback).toMatchObject({
      status: 202,
      body: { direction: 'failback', reverses: failover.body.failoverId },
    });
    const failedBack = (await call('GET', `/releases/${failback.body.failoverId}`)).body as FailoverView;
    expect(failedBack).toMatchObject({
      status: 'SUCCEEDED',
      weightsAfter: { 'us-east-1': 100, 'us-west-2': 100 },
    });
    expect((await call('POST', '/failback', { region: 'us-east-1' })).status).toBe(409);

    const listed = await call('GET', '/releases', undefined, { limit: '2' });
    // Each record says what it is and who asked for it (the API caller), not "failover".
    expect(
      listed.body.releases.map((release: { kind: string; submittedBy: string }) => [
        release.kind,
        release.submittedBy,
      ]),
    ).toEqual([
      ['failback', 'tester'],
      ['failover', 'tester'],
    ]);
  });

  it('preflights a plan against the fleet: 200 with the report, whether it passes or not', async () => {
    const passed = await call('POST', '/plans/preflight', fixtureDocument());
    expect(passed.status).toBe(200);
    expect(passed.body).toMatchObject({ releaseId: first, ok: true, problems: [] });
    expect(passed.body.checks).toBeGreaterThan(5);

    const document = fixtureDocument();
    document.regions[1].cluster = 'no-such-cluster';
    const refused = await call('POST', '/plans/preflight', document);
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({
      ok: false,
      problems: [
        expect.objectContaining({
          path: 'regions[1].cluster',
          message: expect.stringContaining('"no-such-cluster"'),
        }),
      ],
    });
  });

  it('previews a plan: the planner output', async () => {
    const preview = await call('POST', '/plans/preview', fixtureDocument());
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      releaseId: first,
      totals: { services: 3, serviceRollouts: 6, approvals: 2 },
    });
    expect(preview.body.waves.map((wave: { wave: number }) => wave.wave)).toEqual([1, 2]);
  });
});
