/** Exit codes of the `switchyard` command, documented in --help and the README. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  invalidInput: 2,
  rolledBack: 3,
  needsPerson: 4,
  refused: 5,
  refusedByPreflight: 6,
} as const;

/** How a release that has ended exits, by its status; other statuses have not ended. */
export const EXIT_BY_RELEASE_STATUS: Readonly<Record<string, number>> = {
  SUCCEEDED: ExitCode.ok,
  ROLLED_BACK: ExitCode.rolledBack,
  FAILED: ExitCode.needsPerson,
  ABORTED: ExitCode.needsPerson,
  REFUSED: ExitCode.refusedByPreflight,
};

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
