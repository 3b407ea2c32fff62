/**
 * The release queue's dispatch on DynamoDbStore, on the run's DynamoDB Local: writes that truly
 * overlap (submissions and dispatchers at once), and a dispatcher stopped after each of its steps,
 * whose work the next dispatch finishes, starting the head once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cancelQueuedRelease,
  dispatchQueue,
  releaseLockAndDispatch,
} from '../../../lambdas/app/release-queue';
import { submitRelease } from '../../../lambdas/app/submit-release';
import { RELEASE_LOCK_SCOPE } from '../../../lambdas/core/naming';
import type { Ports } from '../../../lambdas/ports';
import { planDocument } from '../../handlers/world';
import { createDynamoDbTestStore, type DynamoDbTestStore } from '../../support/dynamodb';
import { FakeEvents, FakeWorkflow } from '../../support/fakes';

type QueuePorts = Pick<Ports, 'store' | 'workflow' | 'clock' | 'events'>;

let testStore: DynamoDbTestStore;
let workflow: FakeWorkflow;
let ports: QueuePorts;
beforeEach(async () => {
  testStore = await createDynamoDbTestStore();
  workflow = new FakeWorkflow();
  ports = { store: testStore.store, workflow, clock: testStore.clock, events: new FakeEvents() };
  await submitRelease(ports, planDocument('first'), 'alice');
});
afterEach(async () => {
  await testStore?.dispose();
});

const started = () =>
  workflow.started.filter((execution) => execution.machine === 'release').map((e) => e.name);
const queueIds = async () => (await testStore.store.listQueue()).map((entry) => entry.releaseId);

describe('the release queue on DynamoDB Local', () => {
  it('queues submissions made at once, each once, in order, behind the holder', async () => {
    const ids = ['q-e', 'q-a', 'q-d', 'q-b', 'q-c'];
    const answers = await Promise.all(
      ids.map((id) => submitRelease(ports, planDocument(id), 'bob', { queue: true })),
    );
    expect(answers.map((answer) => answer.release.status)).toEqual(ids.map(() => 'QUEUED'));
    // Each saw its place among those queued so far.
    for (const answer of answers) expect(answer.position).toBeGreaterThanOrEqual(1);
    for (const answer of answers) expect(answer.position).toBeLessThanOrEqual(ids.length);
    // Submitted in the same millisecond: by id.
    expect(await queueIds()).toEqual(['q-a', 'q-b', 'q-c', 'q-d', 'q-e']);
    expect(started()).toEqual(['first']);
  });

  it('of dispatchers racing when the lock frees, starts the head once', async () => {
    await submitRelease(ports, planDocument('second'), 'bob', { queue: true });
    await submitRelease(ports, planDocument('third'), 'cy', { queue: true });
    await testStore.store.releaseLock(RELEASE_LOCK_SCOPE, 'first');

    await Promise.all(Array.from({ length: 4 }, () => dispatchQueue(ports)));

    expect(started()).toEqual(['first', 'second']);
    expect(await queueIds()).toEqual(['third']);
    expect(await testStore.store.getLock(RELEASE_LOCK_SCOPE)).toMatchObject({ releaseId: 'second' });
    const audit = await testStore.store.listAudit('second');
    expect(audit.filter((entry) => entry.action === 'release.dequeued')).toHaveLength(1);
  });

  /** The ports of a dispatcher that stops (crashes) right after its call of `method` has been made. */
  function stoppingAfter(port: 'store' | 'workflow', method: string): QueuePorts {
    const target = ports[port] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const proxy = new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        if (property !== method) return value.bind(object);
        return async (...args: unknown[]) => {
          await value.apply(object, args);
          throw new Error(`stopped after ${port}.${method}`);
        };
      },
    });
    return { ...ports, [port]: proxy };
  }

  it.each([
    ['store', 'acquireLock'],
    ['store', 'setReleaseStatus'],
    ['store', 'appendAudit'],
    ['workflow', 'startExecution'],
  ] as const)(
    'a dispatcher stopped right after %s.%s leaves the head for the next to start, once',
    async (port, method) => {
      await submitRelease(ports, planDocument('second'), 'bob', { queue: true });
      await testStore.store.releaseLock(RELEASE_LOCK_SCOPE, 'first');

      await expect(dispatchQueue(stoppingAfter(port, method))).rejects.toThrow(
        `stopped after ${port}.${method}`,
      );
      // Still on the queue: the entry goes only once the execution has started.
      expect(await queueIds()).toEqual(['second']);

      expect(await dispatchQueue(ports)).toMatchObject({ outcome: 'started', releaseId: 'second' });
      expect(started()).toEqual(['first', 'second']);
      expect(await queueIds()).toEqual([]);
      expect(await testStore.store.getRelease('second')).toMatchObject({ status: 'PENDING' });
      expect(await testStore.store.getLock(RELEASE_LOCK_SCOPE)).toMatchObject({ releaseId: 'second' });
      expect(await dispatchQueue(ports)).toEqual({ outcome: 'idle' });
    },
  );

  it('a cancel is one write: CANCELLED and off the queue, and the next release starts when the lock frees', async () => {
    await submitRelease(ports, planDocument('second'), 'bob', { queue: true });
    await submitRelease(ports, planDocument('third'), 'cy', { queue: true });
    await cancelQueuedRelease(ports, 'second', 'dana');
    expect(await queueIds()).toEqual(['third']);
    expect(await testStore.store.getRelease('second')).toMatchObject({ status: 'CANCELLED' });

    await releaseLockAndDispatch(ports, 'first');
    expect(started()).toEqual(['first', 'third']);
  });
});
