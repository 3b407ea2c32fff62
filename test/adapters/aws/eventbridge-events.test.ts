import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, expect, it } from 'vitest';
import { EventBridgeEvents } from '../../../lambdas/adapters/aws/eventbridge-events';
import { TransientAwsError } from '../../../lambdas/core/errors';
import type { SwitchyardEvent } from '../../../lambdas/ports/index';

const eventBridge = mockClient(EventBridgeClient);
const events = new EventBridgeEvents(new EventBridgeClient({ region: 'eu-west-1' }), {
  eventBusName: 'switchyard-bus',
  retryDelayMs: 0,
});

const step = (n: number): SwitchyardEvent => ({
  detailType: 'Service Rollout Step',
  releaseId: 'r-1',
  detail: { service: `svc-${n}`, step: n },
});

function acceptAll() {
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })),
  }));
}

beforeEach(() => eventBridge.reset());

it('puts events in chunks of 10 with source switchyard, the detail type, and the release id in the detail', async () => {
  acceptAll();
  await events.publish(Array.from({ length: 23 }, (_, i) => step(i)));

  const calls = eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
  expect(calls.map((entries) => entries.length)).toEqual([10, 10, 3]);
  expect(calls[2]?.[2]).toEqual({
    Source: 'switchyard',
    DetailType: 'Service Rollout Step',
    Detail: JSON.stringify({ service: 'svc-22', step: 22, releaseId: 'r-1' }),
    EventBusName: 'switchyard-bus',
  });
});

it('puts nothing for no events', async () => {
  await events.publish([]);
  expect(eventBridge.calls()).toHaveLength(0);
});

it('retries only the entries that failed, once', async () => {
  eventBridge
    .on(PutEventsCommand)
    .resolvesOnce({
      FailedEntryCount: 1,
      Entries: [
        { EventId: 'e-0' },
        { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
        { EventId: 'e-2' },
      ],
    })
    .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

  await events.publish([step(0), step(1), step(2)]);

  const calls = eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
  expect(calls).toHaveLength(2);
  expect(calls[1]?.map((entry) => JSON.parse(entry.Detail!).service)).toEqual(['svc-1']);
});

it('gives up with a transient error when entries fail twice', async () => {
  eventBridge.on(PutEventsCommand).resolves({
    FailedEntryCount: 1,
    Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
  });
  const error = await events.publish([step(0)]).catch((e) => e);
  expect(error).toBeInstanceOf(TransientAwsError);
  expect(error.awsErrorName).toBe('InternalFailure');
  expect(error.message).toContain('Service Rollout Step: InternalFailure try again');
  expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(2);
});
