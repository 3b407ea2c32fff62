/**
 * `switchyard validate` and `preview` on plans that push every bound: a number past its maximum,
 * text nested 100,000 deep, a 100 kB name, a file past 10 MiB, thousands of problems. Each exits
 * 0 or 2 with a message, never 1 with a stack trace. Spawned as a user runs them, all at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  MAX_ANALYSIS_COUNT,
  MAX_CONCURRENCY,
  MAX_PLAN_FILE_BYTES,
  MAX_PROBLEMS,
  MAX_REPLICAS,
  MAX_WAVE,
} from '../../lambdas/core/plan/limits';
import { type Document, validDocument } from '../core/plan/documents';
import { type Run, runAll } from '../support/cli';

const directory = mkdtempSync(join(tmpdir(), 'switchyard-bounds-'));

function planFile(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

function changed(change: (document: Document) => void): string {
  const document = validDocument();
  change(document);
  return stringify(document);
}

const files = {
  hugeWave: planFile(
    'huge-wave.yaml',
    changed((plan) => {
      plan.regions[0].wave = 1e9;
    }),
  ),
  hugeConcurrency: planFile(
    'huge-concurrency.yaml',
    changed((plan) => {
      plan.defaults.concurrency = 1e9;
    }),
  ),
  infiniteReplicas: planFile(
    'infinite-replicas.yaml',
    changed((plan) => {
      plan.services[0].replicas = Number.POSITIVE_INFINITY;
    }),
  ),
  hugeReplicas: planFile(
    'huge-replicas.yaml',
    changed((plan) => {
      plan.services[0].replicas = 1e308;
    }),
  ),
  longName: planFile(
    'long-name.yaml',
    changed((plan) => {
      plan.services[0].name = 'a'.repeat(100_000);
    }),
  ),
  deepNesting: planFile('deep.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
  manyProblems: planFile(
    'many-problems.yaml',
    changed((plan) => {
      plan.services[1].dependsOn = Array(1000).fill('nowhere');
      plan.services[2].dependsOn = Array(1000).fill('nowhere');
    }),
  ),
  atTheMaxima: planFile(
    'at-the-maxima.yaml',
    changed((plan) => {
      plan.defaults.concurrency = MAX_CONCURRENCY;
      plan.regions[0].wave = 1;
      plan.services[0].replicas = MAX_REPLICAS;
      plan.services[1].analysis.count = MAX_ANALYSIS_COUNT;
    }),
  ),
  largestFile: planFile('largest.yaml', `#${' '.repeat(MAX_PLAN_FILE_BYTES - 2)}\n`),
  tooLarge: planFile('too-large.yaml', `#${' '.repeat(MAX_PLAN_FILE_BYTES - 1)}\n`),
};

const runs = {
  validateHugeWave: ['validate', files.hugeWave],
  previewHugeWave: ['preview', files.hugeWave],
  previewHugeConcurrency: ['preview', files.hugeConcurrency],
  previewInfiniteReplicas: ['preview', files.infiniteReplicas],
  previewHugeReplicas: ['preview', '--json', files.hugeReplicas],
  validateLongName: ['validate', files.longName],
  validateDeepNesting: ['validate', files.deepNesting],
  previewDeepNesting: ['preview', files.deepNesting],
  validateManyProblems: ['validate', '--json', files.manyProblems],
  previewAtTheMaxima: ['preview', '--json', files.atTheMaxima],
  validateLargestFile: ['validate', files.largestFile],
  validateTooLarge: ['validate', files.tooLarge],
} as const;

const results = {} as Record<keyof typeof runs, Run>;

beforeAll(async () => {
  Object.assign(results, await runAll(runs, 120_000));
}, 180_000);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe('validate and preview at and past the bounds', () => {
  it('exit 0 or 2, never 1, and never print a stack trace', () => {
    for (const [name, { code, stderr }] of Object.entries(results)) {
      expect([0, 2], name).toContain(code);
      expect(stderr, name).not.toMatch(STACK_FRAME);
      expect(stderr, name).not.toContain('internal error');
    }
  });

  it('name the field past its maximum, with the maximum', () => {
    expect(results.validateHugeWave.stderr).toContain(
      `regions[0].wave: must be at most ${MAX_WAVE}, not 1000000000`,
    );
    expect(results.previewHugeWave.code).toBe(2);
    expect(results.previewHugeConcurrency.stderr).toContain(
      `defaults.concurrency: must be at most ${MAX_CONCURRENCY}, not 1000000000`,
    );
    expect(results.previewHugeReplicas.stderr).toContain(
      `services[0].replicas: must be at most ${MAX_REPLICAS}`,
    );
    expect(results.previewInfiniteReplicas.stderr).toContain('services[0].replicas');
    expect(results.validateLongName.stderr).toContain(
      'services[0].name: is 100000 characters long; at most 63',
    );
  });

  it('refuse text nested past the limit before reading it', () => {
    for (const run of [results.validateDeepNesting, results.previewDeepNesting]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('the document nests more than 64 levels deep');
    }
  });

  it(`list at most ${MAX_PROBLEMS} problems, then say there are more`, () => {
    const { code, stdout } = results.validateManyProblems;
    expect(code).toBe(2);
    const { problems } = JSON.parse(stdout) as { problems: Array<{ message: string }> };
    expect(problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(problems.at(-1)!.message).toMatch(/^more problems than the 1000 listed/);
  });

  it('preview a plan at the maxima', () => {
    const { code, stdout } = results.previewAtTheMaxima;
    expect(code).toBe(0);
    expect(JSON.parse(stdout).totals.services).toBe(3);
  });

  it(`read a plan file of ${MAX_PLAN_FILE_BYTES} bytes, and refuse one byte more unread`, () => {
    expect(results.validateLargestFile.code).toBe(2);
    expect(results.validateLargestFile.stderr).not.toContain('larger than');
    expect(results.validateTooLarge.code).toBe(2);
    expect(results.validateTooLarge.stderr).toBe(
      `switchyard validate: plan ${files.tooLarge} is larger than ${MAX_PLAN_FILE_BYTES} bytes (10 MiB), the most switchyard reads\n`,
    );
  });
});
