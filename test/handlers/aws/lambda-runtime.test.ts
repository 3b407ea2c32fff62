/**
 * The Lambda wrapper around a handler definition: the Lambda context on every log line, the
 * keys of the event beside it, and one metric per outcome with the handler as a dimension.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import type { LambdaContext } from '../../../lambdas/handlers/aws/powertools';
import { defineHandler } from '../../../lambdas/handlers/define';

// Powertools writes to the global console (where a spy sees it) in dev mode, where metrics
// would be off unless asked for; it tells cold starts only of on-demand initialisation.
vi.hoisted(() => {
  process.env.POWERTOOLS_DEV = 'true';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
});
const { lambdaHandler } = await import('../../../lambdas/handlers/aws/lambda-runtime');

class ShelfEmptyError extends Error {
  override name = 'ShelfEmptyError';
}

const Input = z.object({ releaseId: z.string(), region: z.string(), fail: z.boolean().optional() });
const restock = defineHandler({
  name: 'restock',
  ports: [],
  input: Input,
  run: async ({ fail }) => {
    if (fail) throw new ShelfEmptyError('nothing left');
    return { restocked: true };
  },
});

function contextFor(requestId: string): LambdaContext {
  return {
    awsRequestId: requestId,
    functionName: 'switchyard-restock',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:switchyard-restock',
    memoryLimitInMB: '256',
  };
}

type Line = Record<string, unknown>;
let lines: Line[] = [];
beforeEach(() => {
  lines = [];
  const capture = (text: unknown) => {
    lines.push(JSON.parse(String(text)) as Line);
  };
  for (const method of ['info', 'warn', 'error', 'log'] as const) {
    vi.spyOn(console, method).mockImplementation(capture);
  }
});
afterEach(() => vi.restoreAllMocks());

const logsSaying = (message: string) => lines.filter((line) => line.message === message);
const metricsRecords = () => lines.filter((line) => line._aws !== undefined);

describe('lambdaHandler', () => {
  const handler = lambdaHandler(restock, {});

  it('logs with the request id and cold start, and the event keys, then a success metric for the handler', async () => {
    await expect(handler({ releaseId: 'rel-1', region: 'eu-west-1' }, contextFor('req-1'))).resolves.toEqual({
      restocked: true,
    });
    await handler({ releaseId: 'rel-2', region: 'us-east-1' }, contextFor('req-2'));

    const [first, second] = logsSaying('handled');
    expect(first).toMatchObject({
      function_request_id: 'req-1',
      function_name: 'switchyard-restock',
      cold_start: true,
      handler: 'restock',
      releaseId: 'rel-1',
      region: 'eu-west-1',
    });
    expect(second).toMatchObject({ function_request_id: 'req-2', cold_start: false, releaseId: 'rel-2' });

    const [metrics] = metricsRecords();
    expect(metrics).toMatchObject({ service: 'switchyard', handler: 'restock', HandlerSucceeded: 1 });
    expect(metrics).not.toHaveProperty('HandlerFailed');
    expect(typeof metrics?.HandlerDuration).toBe('number');
    expect(metrics?._aws).toMatchObject({
      CloudWatchMetrics: [
        {
          Namespace: 'Switchyard',
          Dimensions: [['service', 'handler']],
          Metrics: expect.arrayContaining([
            { Name: 'HandlerSucceeded', Unit: 'Count' },
            { Name: 'HandlerDuration', Unit: 'Milliseconds' },
          ]),
        },
      ],
    });
  });

  it('rethrows a failure by its name, logs it with the request id, and counts it for the handler', async () => {
    await expect(
      handler({ releaseId: 'rel-3', region: 'eu-west-1', fail: true }, contextFor('req-3')),
    ).rejects.toMatchObject({ name: 'ShelfEmptyError' });

    expect(logsSaying('failed')).toEqual([
      expect.objectContaining({
        function_request_id: 'req-3',
        errorName: 'ShelfEmptyError',
        releaseId: 'rel-3',
      }),
    ]);
    expect(metricsRecords()).toEqual([expect.objectContaining({ handler: 'restock', HandlerFailed: 1 })]);
    expect(metricsRecords()[0]).not.toHaveProperty('HandlerSucceeded');
  });

  it('drops one invocation’s keys before the next', async () => {
    await handler({ releaseId: 'rel-4', region: 'eu-west-1' }, contextFor('req-4'));
    await handler({}, contextFor('req-5')).catch(() => undefined);
    const [invalid] = logsSaying('failed');
    expect(invalid).toMatchObject({ function_request_id: 'req-5', errorName: 'InvalidInputError' });
    expect(invalid).not.toHaveProperty('releaseId');
    expect(invalid).not.toHaveProperty('region');
  });
});
