/**
 * What the Lambda entries share of Powertools: one Tracer, which captures every SDK client the
 * adapters create once this module is imported (each AWS call becomes an X-Ray subsegment,
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/tracer/), and the names of
 * the metrics the handler wrapper publishes, which lib/monitoring.ts alarms on. Only Lambda
 * entries import it: the rehearsal and the tests keep plain clients.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { decorateClientsWith } from '../../adapters/aws/client-hook';

export const tracer = new Tracer({ serviceName: 'switchyard' });

// The capture is looked up at each call rather than bound once, so a test can spy on it.
decorateClientsWith((client) => tracer.captureAWSv3Client(client));

/**
 * The parts of the Lambda context object Logger.addContext reads (request id, function name,
 * version, ARN, memory). https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
 */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
}
