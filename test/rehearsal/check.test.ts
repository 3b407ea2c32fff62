/**
 * `switchyard rehearse --check`, as CI runs it: every example fault file against the sample
 * platform ends as its `expect.outcome` says (exit 0), a file whose expectation is wrong fails
 * the check (exit 7), and one with no expectation cannot be checked (exit 2, nothing run).
 */
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Run, runAll } from '../support/cli';

const FIXTURES = 'test/rehearsal/fixtures';
const EXAMPLES = readdirSync('examples/faults').filter((name) => name.endsWith('.yaml'));
/** Fault files for examples/judge.yaml (not the sample platform), in their own folder. */
const JUDGE_EXAMPLES = readdirSync('examples/faults/judge').filter((name) => name.endsWith('.yaml'));

const runs: Record<string, readonly string[]> = {
  wrongExpectation: [
    'rehearse',
    `${FIXTURES}/canary.yaml`,
    '--faults',
    `${FIXTURES}/faults/wrong-expectation.yaml`,
    '--check',
  ],
  noExpectation: [
    'rehearse',
    `${FIXTURES}/canary.yaml`,
    '--faults',
    `${FIXTURES}/faults/no-expectation.yaml`,
    '--check',
  ],
  noFaults: ['rehearse', `${FIXTURES}/canary.yaml`, '--check'],
};
for (const name of EXAMPLES)
  runs[name] = ['rehearse', 'examples/platform.yaml', '--faults', `examples/faults/${name}`, '--check'];
for (const name of JUDGE_EXAMPLES)
  runs[`judge/${name}`] = [
    'rehearse',
    'examples/judge.yaml',
    '--faults',
    `examples/faults/judge/${name}`,
    '--check',
  ];

const results: Record<string, Run> = {};

beforeAll(async () => {
  Object.assign(results, await runAll(runs, 120_000));
}, 300_000);

describe('switchyard rehearse --check', () => {
  it('finds every example fault file in examples/faults', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(10);
  });

  it.each([...EXAMPLES, ...JUDGE_EXAMPLES.map((name) => `judge/${name}`)])(
    'holds for examples/faults/%s: exit 0, the outcome it expects',
    (name) => {
      const { code, stderr } = results[name]!;
      expect(stderr).toMatch(
        /^check passed: the outcome is (succeeded|rolledBack|failed|refused), as expected$/m,
      );
      expect(code, stderr.slice(-2000)).toBe(0);
    },
  );

  it('fails when the outcome is not the expected one: exit 7, naming both', () => {
    const { code, stderr } = results.wrongExpectation!;
    expect(code).toBe(7);
    expect(stderr).toContain('check FAILED: expected succeeded, but the rehearsal ended rolledBack (exit 3)');
  });

  it('refuses a fault file that expects nothing, before running anything: exit 2', () => {
    const { code, stdout, stderr } = results.noExpectation!;
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('no-expectation.yaml has no expect.outcome for --check to compare with');
  });

  it('expects a plan rehearsed without faults to succeed', () => {
    const { code, stderr } = results.noFaults!;
    expect(stderr).toContain('check passed: the outcome is succeeded, as expected');
    expect(code).toBe(0);
  });
});
