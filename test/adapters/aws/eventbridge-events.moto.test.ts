/**
 * EventBridgeEvents against moto's EventBridge. What arrived on the bus is read through
 * archives: moto files every event that matches an archive's pattern in it (DescribeArchive
 * counts them), and it matches patterns on source, detail type and detail fields, so a pattern
 * per expectation shows what the events carried.
 *
 * What moto does not emulate, left to eventbridge-events.test.ts (aws-sdk-client-mock): entries
 * failed by the service (throttling, internal failures: moto fails an entry only when a
 * required field is missing), the 256 KB limit of an event (moto accepts more).
 */
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DescribeArchiveCommand,
  EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeEvents } from '../../../lambdas/adapters/aws/eventbridge-events';
import { TransientAwsError } from '../../../lambdas/core/errors';
import type { EventDetailType, SwitchyardEvent } from '../../../lambdas/ports/index';
import { motoClient, uniqueName } from '../../support/moto';
import { expectRejection } from '../../support/rejection';

let eventBridge: EventBridgeClient;
let bus: { name: string; arn: string };

beforeAll(async () => {
  eventBridge = motoClient(EventBridgeClient);
  const name = uniqueName('switchyard-bus');
  const { EventBusArn } = await eventBridge.send(new CreateEventBusCommand({ Name: name }));
  bus = { name, arn: EventBusArn! };
});
afterAll(() => {
  eventBridge?.destroy();
});

/** An archive on the bus of the events matching `pattern`; returns how to count them. */
async function archiveOf(pattern: Record<string, unknown>): Promise<() => Promise<number>> {
  const name = uniqueName('archive');
  await eventBridge.send(
    new CreateArchiveCommand({
      ArchiveName: name,
      EventSourceArn: bus.arn,
      EventPattern: JSON.stringify(pattern),
    }),
  );
  return async () =>
    (await eventBridge.send(new DescribeArchiveCommand({ ArchiveName: name }))).EventCount ?? 0;
}

const events = (eventBusName: string = bus.name) =>
  new EventBridgeEvents(eventBridge, { eventBusName, retryDelayMs: 0 });

const step = (releaseId: string, n: number): SwitchyardEvent => ({
  detailType: 'Service Rollout Step',
  releaseId,
  detail: { service: `svc-${n}`, step: n },
});

describe('publish', () => {
  it('puts more events than PutEvents takes at once (10), with source, detail type and release id', async () => {
    const releaseId = uniqueName('r');
    // The first event of each call of ten, and the last event.
    const sampled = await archiveOf({
      source: ['switchyard'],
      'detail-type': ['Service Rollout Step'],
      detail: { releaseId: [releaseId], step: [0, 10, 20, 22] },
    });

    // moto refuses a PutEvents of more than 10 entries, as EventBridge does.
    await events().publish(Array.from({ length: 23 }, (_, n) => step(releaseId, n)));

    expect(await sampled()).toBe(4);
  });

  it("puts the event's own release id in the detail, over a field of the same name", async () => {
    const releaseId = uniqueName('r');
    const own = await archiveOf({ detail: { releaseId: [releaseId], reason: ['alarm'] } });
    const stray = await archiveOf({ detail: { releaseId: ['stray'] } });

    await events().publish([
      { detailType: 'Release Failed', releaseId, detail: { releaseId: 'stray', reason: 'alarm' } },
    ]);

    expect(await own()).toBe(1);
    expect(await stray()).toBe(0);
  });

  it('puts to a bus named by its ARN', async () => {
    const releaseId = uniqueName('r');
    const arrived = await archiveOf({
      'detail-type': ['Release Started'],
      detail: { releaseId: [releaseId] },
    });

    await events(bus.arn).publish([{ detailType: 'Release Started', releaseId, detail: {} }]);

    expect(await arrived()).toBe(1);
  });

  it('puts again only the entries that failed, once, then reports them as transient', async () => {
    // An empty detail type is the one thing this adapter can send that moto fails per entry.
    const releaseId = uniqueName('r');
    const arrived = await archiveOf({ detail: { releaseId: [releaseId] } });
    const broken = { ...step(releaseId, 1), detailType: '' as EventDetailType };

    const error = await expectRejection(
      events().publish([step(releaseId, 0), broken, step(releaseId, 2)]),
      TransientAwsError,
      'EventBridge rejected 1 event(s) twice: : InvalidArgument Parameter DetailType is not valid.',
    );

    expect(error.awsErrorName).toBe('InvalidArgument');
    // The two good entries went once each; the broken one never arrived.
    expect(await arrived()).toBe(2);
  });

  it('fails the call, not as transient, when the bus does not exist', async () => {
    const error = await events(uniqueName('no-such-bus'))
      .publish([step(uniqueName('r'), 0)])
      .catch((e: unknown) => e);

    expect(error).not.toBeInstanceOf(TransientAwsError);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
