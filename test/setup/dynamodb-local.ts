/**
 * vitest globalSetup: one DynamoDB Local (AWS's jar, in memory) for the whole test run, on a
 * free port, handed to the test processes through `provide`; see test/support/dynamodb.ts.
 *
 * Starting it is shared with the rehearsal: rehearsal/dynamodb-local.ts.
 */

import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../rehearsal/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the run's DynamoDB Local. */
    dynamoDbLocalEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startDynamoDbLocal();
  project.provide('dynamoDbLocalEndpoint', server.endpoint);
  return server.stop;
}
