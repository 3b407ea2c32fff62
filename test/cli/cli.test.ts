/**
 * The real `switchyard` command, spawned as a user runs it (`node bin/switchyard.js`, from the
 * repository root). Each spawn costs about half a second, so all of them start together once
 * and each test reads its own result.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../../lambdas/core/plan/load';
import { resolvePlan } from '../../lambdas/core/plan/resolve';
import { previewRelease } from '../../lambdas/core/planner/preview';
import { readExample } from '../core/plan/documents';
import { type Run, runAll } from '../support/cli';

const runs = {
  validPlan: ['validate', 'examples/platform.yaml'],
  cycle: ['validate', 'examples/invalid/cycle.yaml'],
  badWeights: ['validate', 'examples/invalid/bad-weights.yaml'],
  regionSubsetJson: ['validate', '--json', 'examples/invalid/region-subset.yaml'],
  preview: ['preview', 'examples/platform.yaml'],
  previewJson: ['preview', 'examples/platform.yaml', '--json'],
  schema: ['schema'],
  faultSchema: ['schema', '--faults'],
  missingFile: ['validate', 'examples/no-such-plan.yaml'],
  unknownCommand: ['deploy', 'examples/platform.yaml'],
  help: ['--help'],
} as const;

const results = {} as Record<keyof typeof runs, Run>;

beforeAll(async () => {
  Object.assign(results, await runAll(runs, 60_000));
}, 240_000);

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe('switchyard validate', () => {
  it('accepts the reference platform: exit 0', () => {
    const { code, stdout, stderr } = results.validPlan;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(
      'examples/platform.yaml: valid — release platform-2026-11-22, 13 services, 3 regions\n',
    );
  });

  it('names the cycle with the file, line and column: exit 2, no stack trace', () => {
    const { code, stdout, stderr } = results.cycle;
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('examples/invalid/cycle.yaml: 1 problem');
    expect(stderr).toContain(
      'examples/invalid/cycle.yaml:33:16  services[1].dependsOn: dependency cycle: orders → payments → ledger → orders',
    );
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it('lists every weight problem, each at its line', () => {
    const { code, stderr } = results.badWeights;
    expect(code).toBe(2);
    expect(stderr).toContain('examples/invalid/bad-weights.yaml: 3 problems');
    expect(stderr).toContain(
      'examples/invalid/bad-weights.yaml:44:22  services[1].strategy.steps[4].setWeight: weight 20 does not increase on 25',
    );
    expect(stderr).toContain(
      'examples/invalid/bad-weights.yaml:46:22  services[1].strategy.steps[6].setWeight: weight 150 is outside 1..100',
    );
    expect(stderr).toContain('services[1].strategy.steps: the canary never reaches 100 %');
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it('--json prints the problems as the plan loader reports them: exit 2', () => {
    const { code, stdout } = results.regionSubsetJson;
    expect(code).toBe(2);
    const loaded = loadPlan(readExample('invalid/region-subset.yaml'));
    expect(loaded.ok).toBe(false);
    expect(JSON.parse(stdout)).toEqual({ valid: false, problems: loaded.ok ? [] : loaded.problems });
    expect(JSON.parse(stdout).problems.map((problem: { path: string }) => problem.path)).toEqual([
      'regions[1].services[0]',
      'regions[1].services[1]',
      'regions[1].services[2]',
      'regions',
    ]);
  });

  it('says clearly that a file is missing: exit 2', () => {
    const { code, stdout, stderr } = results.missingFile;
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toBe('switchyard validate: cannot read plan examples/no-such-plan.yaml: no such file\n');
  });
});

describe('switchyard preview', () => {
  it('shows each region, the critical path, DAG against phase barriers, and the baseline', () => {
    const { code, stdout, stderr } = results.preview;
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    for (const region of ['us-east-1', 'us-west-2', 'eu-west-1'])
      expect(stdout).toContain(`  ${region}  cluster`);
    expect(stdout).toContain(
      'critical path (*): postgres → auth → mcp-memory → circle-of-experts → api-gateway  3h58m30s',
    );
    expect(stdout).toMatch(/^ {2}\* {2}postgres /m);
    expect(stdout).toMatch(/DAG \(services start when their own dependencies are done\)\s+12h25m30s/);
    expect(stdout).toMatch(/phase barriers \(topological levels, same estimates\)\s+12h26m/);
    expect(stdout).toMatch(/critical path \(lower bound\)\s+12h25m30s/);
    expect(stdout).toContain('(stated 5m15s–7m30s)');
    expect(stdout).not.toContain('\x1b[');
  });

  it('--json is the preview the planner computes', () => {
    const { code, stdout } = results.previewJson;
    expect(code).toBe(0);
    const loaded = loadPlan(readExample('platform.yaml'));
    if (!loaded.ok) throw new Error('the reference platform should load');
    const expected = JSON.parse(JSON.stringify(previewRelease(resolvePlan(loaded.plan))));
    const preview = JSON.parse(stdout);
    expect(preview).toEqual(expected);
    expect(Object.keys(preview)).toEqual(['releaseId', 'waves', 'totals', 'baseline', 'rollbackRamps']);
    expect(preview.waves[0].regions[0]).toMatchObject({
      region: 'us-east-1',
      criticalPath: { services: ['postgres', 'auth', 'mcp-memory', 'circle-of-experts', 'api-gateway'] },
    });
  });
});

describe('switchyard schema', () => {
  it('prints exactly the published schema/release-plan.schema.json', () => {
    const { code, stdout } = results.schema;
    expect(code).toBe(0);
    const published = readFileSync(new URL('../../schema/release-plan.schema.json', import.meta.url), 'utf8');
    // Regenerate with: npx switchyard schema > schema/release-plan.schema.json
    expect(stdout).toBe(published);
  });

  it('with --faults, prints exactly the published schema/fault-file.schema.json', () => {
    const { code, stdout } = results.faultSchema;
    expect(code).toBe(0);
    const published = readFileSync(new URL('../../schema/fault-file.schema.json', import.meta.url), 'utf8');
    expect(stdout).toBe(published);
  });
});

describe('the command line', () => {
  it('refuses an unknown command with the help: exit 2', () => {
    const { code, stdout, stderr } = results.unknownCommand;
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(/^switchyard: unknown command 'deploy'\n/);
    expect(stderr).toContain('switchyard --help lists the commands');
  });

  it('--help lists the commands and the exit codes', () => {
    const { code, stdout } = results.help;
    expect(code).toBe(0);
    for (const command of [
      'validate [options] <plan>',
      'preview [options] <plan>',
      'rehearse [options] <plan>',
      'audit [options] <release>',
    ])
      expect(stdout).toContain(command);
    expect(stdout).toContain('Exit codes:');
    expect(stdout).toMatch(/^ {2}0 {2}success/m);
    expect(stdout).toMatch(/^ {2}2 {2}invalid input/m);
  });
});
