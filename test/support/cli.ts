/**
 * The real `switchyard` command, spawned as a user runs it (`node bin/switchyard.js`, from the
 * repository root). Spawns are slow, so a test file starts all of its runs together once.
 */
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function switchyard(args: readonly string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['bin/switchyard.js', ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: '1' },
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/**
 * Runs at once: a process each, and each starts Node and loads the CLI. More than the machine's
 * cores only makes every one of them slower, until the slowest passes its timeout.
 */
const PARALLEL_RUNS = Math.max(2, availableParallelism());

/** Every named run, a few at a time; each test then reads its own result. */
export async function runAll<Name extends string>(
  runs: Readonly<Record<Name, readonly string[]>>,
  timeoutMs?: number,
): Promise<Record<Name, Run>> {
  const waiting = Object.keys(runs) as Name[];
  const results = {} as Record<Name, Run>;
  const worker = async () => {
    for (let name = waiting.shift(); name !== undefined; name = waiting.shift()) {
      results[name] = await switchyard(runs[name], timeoutMs);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_RUNS }, worker));
  return results;
}
