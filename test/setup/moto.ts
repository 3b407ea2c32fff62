/**
 * vitest globalSetup: one moto server (moto_server, threaded) for the whole test run, on a free
 * port of 127.0.0.1, handed to the test processes through `provide`; see test/support/moto.ts.
 * Test files run in parallel against it, so they never reset it: each one names what it creates
 * uniquely. Fails the run, saying what to install, when moto_server is missing.
 */

import type { TestProject } from 'vitest/node';
import { startMotoServer } from '../support/moto-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the run's moto server. */
    motoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startMotoServer();
  project.provide('motoEndpoint', server.endpoint);
  return server.stop;
}
