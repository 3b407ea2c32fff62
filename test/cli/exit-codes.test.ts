/** Several releases exit with the worst of their codes: needs a person, rolled back, refused by preflight, success. */
import { describe, expect, it } from 'vitest';
import { ExitCode, worstExitCode } from '../../bin/cli/errors';

describe('worstExitCode', () => {
  it('ranks needs a person over rolled back over refused by preflight over success', () => {
    const { ok, rolledBack, needsPerson, refusedByPreflight } = ExitCode;
    expect(worstExitCode([])).toBe(ok);
    expect(worstExitCode([ok, refusedByPreflight])).toBe(refusedByPreflight);
    expect(worstExitCode([refusedByPreflight, rolledBack, ok])).toBe(rolledBack);
    expect(worstExitCode([rolledBack, needsPerson, refusedByPreflight])).toBe(needsPerson);
  });

  it('lets an internal error outrank every release outcome', () => {
    expect(worstExitCode([ExitCode.needsPerson, ExitCode.internal, ExitCode.ok])).toBe(ExitCode.internal);
  });
});
