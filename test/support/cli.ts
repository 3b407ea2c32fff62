/**
 * The real `switchyard` command, spawned as a user runs it (`node bin/switchyard.js`, from the
 * repository root). Spawns are slow, so a test file starts all of its runs together once.
 */
import { execFile } from 'node:child_process';
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

/** Every named run at once; each test then reads its own result. */
export async function runAll<Name extends string>(
  runs: Readonly<Record<Name, readonly string[]>>,
  timeoutMs?: number,
): Promise<Record<Name, Run>> {
  const names = Object.keys(runs) as Name[];
  const finished = await Promise.all(names.map((name) => switchyard(runs[name], timeoutMs)));
  return Object.fromEntries(names.map((name, index) => [name, finished[index]!])) as Record<Name, Run>;
}
