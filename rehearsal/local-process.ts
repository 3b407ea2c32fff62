/**
 * Pieces shared by the local servers a run starts as child processes (DynamoDB Local here, moto
 * in the tests): a free port, the tail of the output for error reports, and stopping.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const STOP_TIMEOUT_MS = 5_000;

/** Something this machine lacks (Java for DynamoDB Local): the message says what to install. */
export class MissingPrerequisiteError extends Error {
  override readonly name = 'MissingPrerequisiteError';
}

export interface RunningServer {
  endpoint: string;
  stop: () => Promise<void>;
}

/** A port the OS just reported free on all interfaces (so on 127.0.0.1 too). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '0.0.0.0');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP port assigned');
  return address.port;
}

/** Drains the child's output (a full pipe would block it) and keeps the end for error reports. */
export function keepTail(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail;
}

/**
 * SIGTERM, then SIGKILL if the process has not exited within a few seconds. With `processGroup`
 * (a child spawned `detached`, so it leads its own group) the whole group is signalled: a server
 * started through wrapper scripts may not be the process that was spawned.
 */
export async function stopProcess(
  child: ChildProcess,
  options: { processGroup?: boolean } = {},
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = once(child, 'exit');
  signal(child, 'SIGTERM', options.processGroup === true);
  const stopped = await Promise.race([exit.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
  if (!stopped) {
    signal(child, 'SIGKILL', options.processGroup === true);
    await exit;
  }
}

/** Sends `name` to the child, or to its process group; a process already gone is not an error. */
export function signal(child: ChildProcess, name: NodeJS.Signals, processGroup: boolean): void {
  if (!processGroup || child.pid === undefined) {
    child.kill(name);
    return;
  }
  try {
    process.kill(-child.pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
