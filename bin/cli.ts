/**
 * The `switchyard` command line. Each command answers its exit code; a UserError becomes a
 * message on stderr and its code, never a stack trace; whatever commander refuses (an unknown
 * command or flag, a missing or extra argument, a bad number) exits 2.
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { MissingPrerequisiteError } from '../rehearsal/local-process';
import { ExitCode, UserError } from './cli/errors';
import { type Io, processIo } from './cli/io';
import { buildProgram } from './cli/program';

export type { Io } from './cli/io';

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Commander's own endings that are not mistakes. */
const COMMANDER_SUCCESS = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

export async function main(argv: string[], io: Io = processIo(argv.includes('--no-color'))): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(
    io,
    (code) => {
      exitCode = code;
    },
    VERSION,
  );
  if (argv.length === 0) {
    io.stderr(program.helpInformation().trimEnd());
    return ExitCode.invalidInput;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    const command = argv.find((word) => !word.startsWith('-')) ?? '';
    if (error instanceof CommanderError) {
      return COMMANDER_SUCCESS.has(error.code) && error.exitCode === 0 ? ExitCode.ok : ExitCode.invalidInput;
    }
    // A machine without what a command needs (Java for DynamoDB Local) is not a bug: say what to install.
    if (error instanceof UserError || error instanceof MissingPrerequisiteError) {
      io.stderr(`switchyard ${command}: ${error.message}`);
      return error instanceof UserError ? error.exitCode : ExitCode.invalidInput;
    }
    io.stderr(
      `switchyard ${command}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return ExitCode.internal;
  }
}
