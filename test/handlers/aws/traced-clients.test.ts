/**
 * In Lambda, every SDK client the composition root creates (ports.ts directly, clients.ts per
 * region) is captured by Powertools Tracer. No AWS call is made: clients only send when used.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it, vi } from 'vitest';
import * as clients from '../../../lambdas/adapters/aws/clients';
import { eventsPort, preflightPort, storePort, workflowPort } from '../../../lambdas/handlers/aws/ports';
import { tracer } from '../../../lambdas/handlers/aws/powertools';

describe('the Lambda composition root', () => {
  it('has the tracer capture each SDK client it creates, once', async () => {
    const captured: object[] = [];
    vi.spyOn(tracer, 'captureAWSv3Client').mockImplementation((client) => {
      captured.push(client as object);
      return client;
    });
    vi.stubEnv('SWITCHYARD_TABLE_NAME', 'switchyard');
    vi.stubEnv('SWITCHYARD_EVENT_BUS_NAME', 'switchyard');
    vi.stubEnv('SWITCHYARD_STATE_MACHINE_ARNS', '{}');
    vi.stubEnv('SWITCHYARD_PREFLIGHT_FUNCTION_NAME', 'switchyard-preflight');

    await Promise.all([storePort(), workflowPort(), eventsPort(), preflightPort()]);
    for (const made of [DynamoDBClient, SFNClient, EventBridgeClient, LambdaClient]) {
      expect(captured.filter((client) => client instanceof made)).toHaveLength(1);
    }

    const perRegion = [
      clients.elbv2ClientFor('eu-west-1'),
      clients.cloudWatchClientFor('eu-west-1'),
      clients.lambdaClientFor('eu-west-1'),
      clients.sfnClientFor('eu-west-1'),
      clients.eventBridgeClientFor('eu-west-1'),
      clients.eksClientFor('eu-west-1'),
      clients.route53Client(),
    ];
    clients.eksClientFor('eu-west-1'); // reused, not captured again
    expect(captured).toHaveLength(4 + perRegion.length);
    for (const [index, client] of perRegion.entries()) expect(captured[4 + index]).toBe(client);
    vi.unstubAllEnvs();
  });
});
