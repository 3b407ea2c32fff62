/** Exit codes of the `switchyard` command, documented in --help and the README. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  invalidInput: 2,
  rolledBack: 3,
  needsPerson: 4,
  refused: 5,
  refusedByPreflight: 6,
  /** rehearse --check: the outcome was not the fault file's expect.outcome. */
  checkFailed: 7,
} as const;

/** How a release that has ended exits, by its status; other statuses have not ended. */
export const EXIT_BY_RELEASE_STATUS: Readonly<Record<string, number>> = {
  SUCCEEDED: ExitCode.ok,
  ROLLED_BACK: ExitCode.rolledBack,
  FAILED: ExitCode.needsPerson,
  ABORTED: ExitCode.needsPerson,
  REFUSED: ExitCode.refusedByPreflight,
  // Taken off the queue by a person: it never ran, as a release refused at the door.
  CANCELLED: ExitCode.refused,
};

/**
 * Several releases (a rehearsal with second releases) exit with the worst of their codes, worst
 * first: a release that needs a person, then one rolled back (it changed the fleet and undid it),
 * then one refused by preflight (it changed nothing), then success.
 */
const EXIT_SEVERITY: readonly number[] = [
  ExitCode.needsPerson,
  ExitCode.rolledBack,
  ExitCode.refusedByPreflight,
  ExitCode.ok,
];

export function worstExitCode(codes: readonly number[]): number {
  const ranked = (code: number) => {
    const rank = EXIT_SEVERITY.indexOf(code);
    // A code outside the ranking (internal error) outranks them all.
    return rank === -1 ? -1 : rank;
  };
  return codes.reduce((worst, code) => (ranked(code) < ranked(worst) ? code : worst), ExitCode.ok);
}

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
