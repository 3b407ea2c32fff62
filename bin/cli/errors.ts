/** Exit codes of the `switchyard` command, documented in --help and the README. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  invalidInput: 2,
  rolledBack: 3,
  needsPerson: 4,
  refused: 5,
} as const;

/** A mistake in what the user gave us: printed as a message, never as a stack trace. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.invalidInput,
  ) {
    super(message);
  }
}
