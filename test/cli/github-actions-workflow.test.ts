/**
 * examples/ci/github-actions.yml keeps its contract: its triggers, every switchyard command it
 * runs exists with the flags it passes (asked of the real CLI's help), the rehearsal matrix covers
 * every example fault file, and only the jobs that take AWS credentials may request an OIDC token.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Run, repoRoot, runAll } from '../support/cli';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, { branches?: string[] }>;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = parse(readFileSync(join(repoRoot, 'examples/ci/github-actions.yml'), 'utf8')) as Workflow;
const CONFIGURE_AWS = 'aws-actions/configure-aws-credentials';
/** A GitHub Actions expression, as the workflow spells it. */
const gh = (expression: string) => `\${{ ${expression} }}`;

/** Each `npx switchyard …` line of a job's run steps, as its command and the flags it passes. */
function switchyardCommands(job: Job): Array<{ command: string; flags: string[]; line: string }> {
  return job.steps
    .flatMap((step) => (step.run ?? '').split('\n'))
    .map((line) => line.trim())
    .filter((line) => line.startsWith('npx switchyard '))
    .map((line) => {
      const words = line.split(/\s+/).slice(2);
      return { command: words[0]!, flags: words.filter((word) => word.startsWith('--')), line };
    });
}
const commandsOf = (name: string) => switchyardCommands(workflow.jobs[name]!).map((run) => run.line);
const usesOf = (job: Job) => job.steps.flatMap((step) => (step.uses ? [step.uses] : []));

let help: Record<string, Run>;
const commands = [
  ...new Set(
    Object.values(workflow.jobs)
      .flatMap((job) => switchyardCommands(job))
      .map((run) => run.command),
  ),
];

beforeAll(async () => {
  help = await runAll(
    Object.fromEntries(['', ...commands].map((command) => [command, [command, '--help'].filter(Boolean)])),
  );
}, 120_000);

describe('the GitHub Actions workflow example', () => {
  it('runs on pull requests to main and on pushes to main', () => {
    expect(workflow.on).toEqual({ pull_request: { branches: ['main'] }, push: { branches: ['main'] } });
  });

  it('validates, preflights when an API is configured, and rehearses on a pull request', () => {
    expect(commandsOf('validate')).toEqual(['npx switchyard validate "$PLAN"']);
    expect(workflow.jobs.preflight!.if).toContain("github.event_name == 'pull_request'");
    expect(workflow.jobs.preflight!.if).toContain("vars.SWITCHYARD_API != ''");
    expect(commandsOf('preflight')).toEqual(['npx switchyard preflight "$PLAN" --api "$SWITCHYARD_API"']);
    expect(workflow.jobs.rehearse!.if).toBe("github.event_name == 'pull_request'");
    expect(commandsOf('rehearse')).toEqual([
      `npx switchyard rehearse "$PLAN" --faults "${gh('matrix.faults')}" --check`,
    ]);
    // DynamoDB Local, the rehearsal's store, is a Java 17 jar.
    // The rehearsal keeps its records in its own process by default: no Java to set up.
    expect(workflow.jobs.rehearse!.steps.some((step) => step.uses?.startsWith('actions/setup-java@'))).toBe(
      false,
    );
  });

  it('starts the release through the API and follows it on a push to main', () => {
    expect(workflow.jobs.release!.if).toContain("github.event_name == 'push'");
    expect(commandsOf('release')).toEqual([
      `npx switchyard start "$PLAN" --api "${gh('vars.SWITCHYARD_API')}" --watch`,
    ]);
  });

  it('rehearses every example fault file, and only those', () => {
    const faults = readdirSync(join(repoRoot, 'examples/faults'))
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => `examples/faults/${name}`)
      .sort();
    expect([...(workflow.jobs.rehearse!.strategy!.matrix!.faults as string[])].sort()).toEqual(faults);
  });

  it('runs only commands the CLI has, with flags their help names', () => {
    const listed = help['']!;
    expect(listed.code).toBe(0);
    for (const command of commands) {
      expect(listed.stdout, `switchyard --help lists ${command}`).toMatch(
        new RegExp(`^\\s+${command}\\b`, 'm'),
      );
      expect(help[command]!.code, `switchyard ${command} --help`).toBe(0);
    }
    for (const job of Object.values(workflow.jobs)) {
      for (const { command, flags } of switchyardCommands(job)) {
        for (const flag of flags) {
          expect(help[command]!.stdout, `switchyard ${command} --help names ${flag}`).toContain(flag);
        }
      }
    }
  });

  it('grants id-token: write only to the jobs that take AWS credentials through OIDC', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const configures = usesOf(job).filter((uses) => uses.startsWith(`${CONFIGURE_AWS}@`));
      expect(job.permissions?.['id-token'] === 'write', name).toBe(configures.length > 0);
    }
    const roles = Object.values(workflow.jobs).flatMap((job) =>
      job.steps.filter((step) => step.uses?.startsWith(`${CONFIGURE_AWS}@`)).map((step) => step.with),
    );
    expect(roles).toEqual([
      {
        'role-to-assume': gh('vars.SWITCHYARD_PREFLIGHT_ROLE_ARN'),
        'aws-region': gh('vars.AWS_REGION'),
      },
      {
        'role-to-assume': gh('vars.SWITCHYARD_DEPLOY_ROLE_ARN'),
        'aws-region': gh('vars.AWS_REGION'),
      },
    ]);
  });

  it('pins every action by its major version', () => {
    for (const uses of Object.values(workflow.jobs).flatMap(usesOf)) {
      expect(uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
    }
  });
});
