/**
 * moto (an independent implementation of the AWS APIs, in Python) as a local server on a free
 * port of 127.0.0.1: `moto_server`, as its documentation starts it, or a single-threaded server
 * built the same way (moto/server.py's main: DomainDispatcherApplication(create_backend_app)
 * under werkzeug's run_simple), for work that moto's threaded server gets wrong: concurrent
 * DynamoDB TransactWriteItems crash it ("dictionary changed size during iteration").
 *
 * As with DynamoDB Local (rehearsal/dynamodb-local.ts), a port chosen in advance can be taken
 * before moto binds it: the server must answer moto's own API, and a process that exits before
 * answering is retried on another port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, keepTail, type RunningServer, signal, stopProcess } from '../../rehearsal/local-process';

export type { RunningServer } from '../../rehearsal/local-process';

const PORT_ATTEMPTS = 3;
const READY_TIMEOUT_MS = 30_000;
const PROBE_INTERVAL_MS = 50;
const HOST = '127.0.0.1';

const INSTALL_HINT =
  'the moto tests need moto 5.x with its server extra on PATH (`pip install "moto[server]"`, ' +
  'which provides `moto_server`); on the CI machine image it is preinstalled under pyenv';

/**
 * moto's server, one request at a time: argv is host and port. MOTO_PORT is what moto_server
 * sets too (moto builds some URLs that point back at itself from it).
 */
const SINGLE_THREADED_SERVER = `
import os, sys
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
host, port = sys.argv[1], int(sys.argv[2])
os.environ.setdefault("MOTO_PORT", str(port))
app = DomainDispatcherApplication(create_backend_app)
run_simple(host, port, app, threaded=False)
`;

export interface MotoServerOptions {
  /** false: one request at a time, for DynamoDB transactions issued concurrently. */
  threaded?: boolean;
}

/** Where `moto_server` is on PATH; throws, saying what to install, when it is not. */
export function findMotoServer(): string {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    if (directory === '') continue;
    const candidate = join(directory, 'moto_server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  throw new Error(`moto_server not found on PATH: ${INSTALL_HINT}`);
}

/**
 * The Python that runs moto_server: the `python3` beside it (a virtualenv's or pipx's bin, or
 * pyenv's shims, which pick the same version for both), else the one on PATH.
 */
function pythonOf(motoServer: string): string {
  const beside = join(dirname(realpathSync(motoServer)), 'python3');
  return existsSync(beside) ? beside : 'python3';
}

export async function startMotoServer(options: MotoServerOptions = {}): Promise<RunningServer> {
  const motoServer = findMotoServer();
  const threaded = options.threaded ?? true;
  const failures: string[] = [];
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
    const port = await freePort();
    const endpoint = `http://${HOST}:${port}`;
    const [command, args] = threaded
      ? [motoServer, ['-H', HOST, '-p', String(port)]]
      : [pythonOf(motoServer), ['-c', SINGLE_THREADED_SERVER, HOST, String(port)]];
    // Its own process group: moto_server may be a wrapper (pyenv's shim) around the Python
    // process that serves, and stopping must reach that one too.
    const child = spawn(command, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    const output = keepTail(child);
    const killOnExit = () => signal(child, 'SIGKILL', true);
    process.once('exit', killOnExit);

    const ended = exited(child, command);
    let ready: boolean;
    try {
      ready = await Promise.race([answersAsMoto(endpoint, child), ended.then(() => false)]);
    } catch (error) {
      process.off('exit', killOnExit);
      throw error;
    }
    if (ready) {
      ended.catch(() => {}); // a late 'error' (e.g. from kill) must not surface as unhandled
      return {
        endpoint,
        stop: async () => {
          process.off('exit', killOnExit);
          await stopProcess(child, { processGroup: true });
        },
      };
    }
    process.off('exit', killOnExit);
    failures.push(`port ${port}: ${await ended}\n${output()}`);
  }
  throw new Error(
    `moto (${threaded ? motoServer : `single-threaded, ${pythonOf(motoServer)}`}) did not start; ${INSTALL_HINT}:\n${failures.join('\n')}`,
  );
}

/**
 * true once the endpoint answers moto's own API (`/moto-api/data.json`, the state of every
 * backend: `{}` on a new server); false if the process exits first.
 */
async function answersAsMoto(endpoint: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (child.exitCode === null && child.signalCode === null) {
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) });
      const body = await response.text();
      if (response.ok && body.trimStart().startsWith('{')) return true;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      signal(child, 'SIGKILL', true);
      throw new Error(`moto did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000}s`);
    }
    await sleep(PROBE_INTERVAL_MS);
  }
  return false;
}

/** Why the process ended: a spawn error or its exit. */
function exited(child: ChildProcess, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new Error(`${command} could not be run: ${INSTALL_HINT}`) : error);
    });
    child.once('exit', (code, exitSignal) => resolve(`exited with ${exitSignal ?? `code ${code}`}`));
  });
}
