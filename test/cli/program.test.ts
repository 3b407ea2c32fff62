/**
 * The command line itself, spawned as a user runs it: per-command help with examples, the
 * version, did-you-mean for commands and flags, extra arguments and bad numbers refused with
 * exit 2, durations, colour only on a terminal that wants it, and a missing Java named.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RehearsalResult } from '../../rehearsal/rehearse';
import { type Run, repoRoot, runAll } from '../support/cli';

const FIXTURES = 'test/rehearsal/fixtures';
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;
const ESC = String.fromCharCode(27);

const runs = {
  help: ['--help'],
  rehearseHelp: ['rehearse', '--help'],
  helpRehearse: ['help', 'rehearse'],
  version: ['--version'],
  none: [],
  extraArgument: ['validate', 'examples/platform.yaml', 'extra'],
  missingArgument: ['validate'],
  typoCommand: ['rehears', 'examples/platform.yaml'],
  typoFlag: ['rehearse', 'examples/platform.yaml', '--fault', 'x.yaml'],
  badDuration: ['rehearse', `${FIXTURES}/approval.yaml`, '--approve-after', '5 minutes'],
  badChoice: ['rehearse', `${FIXTURES}/approval.yaml`, '--store', 'postgres'],
  approveAfterMinutes: ['rehearse', `${FIXTURES}/approval.yaml`, '--approve-after', '3m', '--json'],
} as const;

const results = {} as Record<keyof typeof runs, Run>;

/** A command on a pseudo-terminal (util-linux `script`), so stdout is a TTY as in a shell. */
function onTerminal(args: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'script',
      ['-qec', `${JSON.stringify(process.execPath)} bin/switchyard.js ${args}`, '/dev/null'],
      {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', TERM: 'xterm-256color', ...env },
        timeout: 60_000,
      },
      (error, stdout) => (error && typeof error.code !== 'number' ? reject(error) : resolve(stdout)),
    );
  });
}

const terminal = { coloured: '', noColorEnv: '', noColorFlag: '' };
let withoutJava: Run;
const noJavaPath = mkdtempSync(join(tmpdir(), 'switchyard-nojava-'));
afterAll(() => rmSync(noJavaPath, { recursive: true, force: true }));

beforeAll(async () => {
  symlinkSync(process.execPath, join(noJavaPath, 'node'));
  const preview = `preview ${FIXTURES}/canary.yaml`;
  [terminal.coloured, terminal.noColorEnv, terminal.noColorFlag] = await Promise.all([
    onTerminal(preview),
    onTerminal(preview, { NO_COLOR: '1' }),
    onTerminal(`${preview} --no-color`),
  ]);
  Object.assign(results, await runAll(runs, 120_000));
  withoutJava = await new Promise<Run>((resolve) =>
    execFile(
      process.execPath,
      ['bin/switchyard.js', 'rehearse', `${FIXTURES}/canary.yaml`, '--store', 'dynamodb-local'],
      { cwd: repoRoot, env: { ...process.env, PATH: noJavaPath }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr }),
    ),
  );
}, 240_000);

describe('help and version', () => {
  it('gives each command its own help, with its options and examples', () => {
    const { code, stdout } = results.rehearseHelp;
    expect(code).toBe(0);
    expect(stdout).not.toBe(results.help.stdout);
    expect(stdout).toMatch(/^Usage: switchyard rehearse \[options\] <plan>/);
    for (const flag of [
      '--faults <file>',
      '--seed <n>',
      '--approve-after <duration>',
      '--check',
      '--store <store>',
    ])
      expect(stdout).toContain(flag);
    expect(stdout).toContain('Examples:\n  $ switchyard rehearse examples/platform.yaml');
    expect(results.helpRehearse.stdout).toBe(stdout);
  });

  it('prints the version from package.json', () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(results.version).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('with no command, prints the help on stderr: exit 2', () => {
    expect(results.none.code).toBe(2);
    expect(results.none.stderr).toContain('Usage: switchyard [options] [command]');
  });
});

describe('mistakes on the command line: exit 2, a message, no stack trace', () => {
  it.each([
    ['extraArgument', "too many arguments for 'validate'. Expected 1 argument but got 2."],
    ['missingArgument', "missing required argument 'plan'"],
    ['typoCommand', "unknown command 'rehears'\n(Did you mean rehearse?)"],
    ['typoFlag', "unknown option '--fault'\n(Did you mean --faults?)"],
    [
      'badDuration',
      "option '--approve-after <duration>' argument '5 minutes' is invalid. expected a duration like 90s, 5m or 1h30m",
    ],
    [
      'badChoice',
      "option '--store <store>' argument 'postgres' is invalid. Allowed choices are dynamodb-local, memory.",
    ],
  ] as const)('%s', (name, message) => {
    const { code, stdout, stderr } = results[name];
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`switchyard: ${message}`);
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it('names the missing Java and what to install when DynamoDB Local is asked for: exit 2', () => {
    expect(withoutJava.code).toBe(2);
    expect(withoutJava.stderr).toContain('needs Java 17 or later on PATH: install it');
    expect(withoutJava.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('durations', () => {
  it('reads --approve-after 3m as three virtual minutes after the approval was asked for', () => {
    const { code, stdout, stderr } = results.approveAfterMinutes;
    expect(code, stderr).toBe(0);
    const { audit } = JSON.parse(stdout) as RehearsalResult;
    const asked = audit.find((entry) => entry.action === 'approval.requested');
    const given = audit.find((entry) => entry.action === 'approval.given');
    expect(asked && given).toBeTruthy();
    expect(Date.parse(given!.at) - Date.parse(asked!.at)).toBe(3 * 60 * 1000);
  });
});

describe('colour', () => {
  it('colours a terminal, and nothing when NO_COLOR is set or --no-color is given', () => {
    expect(terminal.coloured).toContain(`${ESC}[1m`);
    expect(terminal.noColorEnv).toContain('Release fixture-canary');
    expect(terminal.noColorEnv).not.toContain(ESC);
    expect(terminal.noColorFlag).toContain('Release fixture-canary');
    expect(terminal.noColorFlag).not.toContain(ESC);
  });
});
