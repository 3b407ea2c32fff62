/**
 * The release queue through the API: POST /releases?queue=true (and ?preempt=true for an
 * emergency), the queue in GET /releases and in a queued release's view, POST
 * /releases/{id}/cancel, and the requests refused before anything is done. On the local platform
 * (real handlers, the local engine, DynamoDB Local, the simulated fleet).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBackend, type LocalBackend } from '../../bin/cli/serve-command';
import type { ApiPorts, ReleaseView } from '../../lambdas/api/release-view';
import { handleApiRequest } from '../../lambdas/api/router';
import { MAX_QUEUED_RELEASES } from '../../lambdas/core/release-queue';
import { dynamoDbLocalClient } from '../support/dynamodb';
import { fakePorts } from '../support/fakes';
import { apiRequest, bodyOf, fixtureDocument, fixturePlan, type PlanDocument } from './support';

const emergency = (releaseId: string, reason: string): PlanDocument => {
  const document = fixtureDocument(releaseId);
  document.metadata.emergency = { reason };
  return document;
};

/** Ports that fail the test if the router reaches them. */
const untouchablePorts = new Proxy({} as ApiPorts, {
  get(_target, port) {
    throw new Error(`the router used the ${String(port)} port for a request it should refuse first`);
  },
});

describe('queue requests refused before anything is done (400)', () => {
  const answer = (request: ReturnType<typeof apiRequest>) => handleApiRequest(request, untouchablePorts);

  it('refuses an unknown query parameter on POST /releases, and a flag that is not true or false', async () => {
    for (const [query, message] of [
      [{ preemt: 'true' }, 'POST /releases takes only ?queue=true and ?preempt=true, not "preemt"'],
      [{ queue: 'yes' }, 'queue must be true or false, not "yes"'],
      [{ preempt: '1' }, 'preempt must be true or false, not "1"'],
    ] as const) {
      const response = await answer(apiRequest('POST', '/releases', { body: fixtureDocument(), query }));
      expect(response.status).toBe(400);
      expect(bodyOf(response)).toEqual({ error: 'BadRequest', message });
    }
  });

  it('refuses preempt for a release that is no emergency', async () => {
    const response = await answer(
      apiRequest('POST', '/releases', { body: fixtureDocument('plain'), query: { preempt: 'true' } }),
    );
    expect(response.status).toBe(400);
    expect(bodyOf(response)).toEqual({
      error: 'InvalidInput',
      message: 'preempt is for emergency releases only: release plain has no metadata.emergency.reason',
    });
  });

  it('refuses an emergency reason that is empty or over 500 characters, with its path', async () => {
    for (const reason of ['', ' ', 'x'.repeat(501)]) {
      const response = await answer(apiRequest('POST', '/releases', { body: emergency('urgent', reason) }));
      expect(response.status).toBe(400);
      expect(bodyOf(response).problems.map((problem: { path: string }) => problem.path)).toEqual([
        'metadata.emergency.reason',
      ]);
    }
  });
});

describe('a full queue (409 QueueFull)', () => {
  it(`refuses the submission beyond ${MAX_QUEUED_RELEASES}, naming the bound`, async () => {
    const ports = fakePorts();
    const post = (releaseId: string, query: Record<string, string> = { queue: 'true' }) =>
      handleApiRequest(apiRequest('POST', '/releases', { body: fixtureDocument(releaseId), query }), ports);
    expect((await post('holder', {})).status).toBe(202);
    for (let index = 0; index < MAX_QUEUED_RELEASES; index++)
      expect((await post(`waiting-${index}`)).status).toBe(202);
    const refused = await post('one-too-many');
    expect(refused.status).toBe(409);
    expect(bodyOf(refused)).toMatchObject({
      error: 'QueueFull',
      limit: MAX_QUEUED_RELEASES,
      message: expect.stringContaining(
        `the release queue is full: ${MAX_QUEUED_RELEASES} releases wait already`,
      ),
    });
  });
});

describe('the queue on the local platform', () => {
  let client: DynamoDBClient;
  let backend: LocalBackend;

  async function call(method: string, path: string, body?: unknown, query?: Record<string, string>) {
    const response = await backend.handle(apiRequest(method, path, { body, ...(query && { query }) }));
    await backend.idle();
    return { status: response.status, body: bodyOf(response) };
  }
  const view = async (releaseId: string): Promise<ReleaseView> =>
    (await call('GET', `/releases/${releaseId}`)).body;

  beforeAll(async () => {
    client = dynamoDbLocalClient();
    backend = await createLocalBackend({ plan: fixturePlan(), seed: 7, dynamoDb: client });
  });
  afterAll(() => client.destroy());

  it('queues a release behind the running one (202 QUEUED with its position), listed and shown with what it waits behind', async () => {
    expect((await call('POST', '/releases', fixtureDocument('first'))).status).toBe(202);
    // The first parks on an approval: it holds the lock.
    expect((await view('first')).status).toBe('RUNNING');

    const queued = await call('POST', '/releases', fixtureDocument('second'), { queue: 'true' });
    expect(queued).toMatchObject({
      status: 202,
      body: { releaseId: 'second', status: 'QUEUED', position: 1, created: true },
    });
    const again = await call('POST', '/releases', fixtureDocument('second'), { queue: 'true' });
    expect(again).toMatchObject({ status: 200, body: { status: 'QUEUED', position: 1, created: false } });

    const list = await call('GET', '/releases');
    expect(list.body.queue).toEqual([
      { releaseId: 'second', position: 1, queuedAt: expect.any(String), submittedBy: 'tester' },
    ]);
    expect(list.body.releases.map((release: { status: string }) => release.status)).toEqual([
      'QUEUED',
      'RUNNING',
    ]);
    expect(await view('second')).toMatchObject({
      status: 'QUEUED',
      queue: { position: 1, ahead: [], behind: { releaseId: 'first', kind: 'release' } },
    });
  });

  it('runs an emergency with preempt first: the running release is rolled back, then the emergency starts', async () => {
    const urgent = await call('POST', '/releases', emergency('urgent', 'checkout returns 500s'), {
      preempt: 'true',
    });
    expect(urgent).toMatchObject({
      status: 202,
      body: { releaseId: 'urgent', status: 'QUEUED', position: 1 },
    });

    const preempted = await view('first');
    expect(preempted).toMatchObject({
      status: 'ROLLED_BACK',
      reason: 'preempted by emergency release urgent: checkout returns 500s',
      execution: { status: 'ABORTED' },
      rollback: { status: 'SUCCEEDED' },
    });
    const first = await call('GET', '/releases/first', undefined, { auditAfter: '0', auditLimit: '500' });
    expect(first.body.audit.entries).toContainEqual(
      expect.objectContaining({
        action: 'release.preempted',
        actor: 'tester',
        detail: { by: 'urgent', reason: 'checkout returns 500s', from: 'RUNNING' },
      }),
    );
    // The rollback let the lock go; the dispatch started the emergency, which parks on its approval.
    const running = await view('urgent');
    expect(running.status).toBe('RUNNING');
    const urgentAudit = (await call('GET', '/releases/urgent', undefined, { auditAfter: '0' })).body.audit
      .entries;
    expect(urgentAudit.slice(0, 2)).toEqual([
      expect.objectContaining({
        action: 'release.queued',
        actor: 'tester',
        detail: { position: 1, emergency: 'checkout returns 500s', behind: 'first', preempts: 'first' },
      }),
      expect.objectContaining({ action: 'lock.acquired' }),
    ]);
    expect(urgentAudit.map((entry: { action: string }) => entry.action)).toContain('release.dequeued');
    expect(await view('second')).toMatchObject({
      status: 'QUEUED',
      queue: { position: 1, behind: { releaseId: 'urgent' } },
    });
  });

  it('cancels a queued release (200), again harmlessly; anything not queued is 409 naming its status', async () => {
    expect(await call('POST', '/releases/second/cancel')).toEqual({
      status: 200,
      body: { releaseId: 'second', status: 'CANCELLED', cancelled: true },
    });
    expect((await call('POST', '/releases/second/cancel')).body.cancelled).toBe(false);
    expect((await call('GET', '/releases')).body.queue).toEqual([]);
    expect(await view('second')).toMatchObject({ status: 'CANCELLED', reason: 'cancelled by tester' });

    const running = await call('POST', '/releases/urgent/cancel');
    expect(running).toMatchObject({
      status: 409,
      body: {
        error: 'Conflict',
        status: 'RUNNING',
        message:
          'release urgent is RUNNING, not QUEUED: only a queued release can be cancelled (switchyard abort urgent stops it and rolls it back)',
      },
    });
    expect((await call('POST', '/releases/nobody/cancel')).status).toBe(404);
  });
});
