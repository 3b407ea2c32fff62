/**
 * The `switchyard` command line on commander: each command's arguments, options (every number
 * and duration with its bound, options.ts), help with examples, and suggestions for a mistyped
 * command or flag. Commander refuses what a command does not take; main() turns that into exit 2.
 *
 * Commander was chosen over citty and yargs: it is the most used and kept (per-command help,
 * did-you-mean for commands and options, excess arguments refused by default since v13, help
 * groups), has no dependencies, and v14 still supports Node 20.
 */
import { Command, Option } from 'commander';
import { RELEASE_STATUSES } from '../../lambdas/core/lifecycle';
// Types only: each command's module is still loaded when its command runs.
import type { AuditOptions } from './audit-command';
import type { InitOptions } from './init-command';
import type { Io } from './io';
import { approveAfterSeconds, durationSeconds, parseSeed, pastTime, wholeNumber } from './options';

/** Whatever a command's action answers: its exit code. */
export type Finish = (exitCode: number) => void;

export const EXIT_CODES_HELP = `Exit codes:
  0  success (with --check: the outcome was the fault file's expect.outcome)
  1  internal error (a bug: please report it)
  2  invalid input, a missing prerequisite, or a request that cannot apply; nothing changed
  3  the release was rolled back
  4  the release failed and needs a person
  5  refused: another release holds the lock, or the release queue is full (20); a release cancelled from the queue
  6  refused by preflight: nothing changed
  7  rehearse --check: the outcome was not the fault file's expect.outcome`;

/** A watch that asks less often than this is not watching. */
const MAX_WATCH_INTERVAL_SECONDS = 300;
const MAX_LIST_LIMIT = 100;
/** The most entries one `audit` prints. */
export const MAX_AUDIT_ENTRIES = 100_000;

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`;
}

export type StoreKind = 'dynamodb-local' | 'memory';
const storeOption = () =>
  new Option(
    '--store <store>',
    "where the run keeps its records: this process (default), or AWS's DynamoDB Local (needs Java 17)",
  )
    .choices(['dynamodb-local', 'memory'])
    .default('memory');

const apiOption = () =>
  new Option('--api <url>', 'the Switchyard API (default $SWITCHYARD_API, else http://127.0.0.1:8080)');
const jsonOption = () => new Option('--json', 'machine-readable output');
const watchOptions = (command: Command) =>
  command
    .option(
      '--watch',
      'follow it to the end: a live view on a terminal, one line per event otherwise; exits by the outcome',
    )
    .addOption(
      new Option('--interval <duration>', 'how often --watch asks (default 2s, at most 5m)').argParser(
        durationSeconds({ min: 0, above: true, max: MAX_WATCH_INTERVAL_SECONDS }),
      ),
    );

export function buildProgram(io: Io, finish: Finish, version: string): Command {
  const program = new Command('switchyard')
    .description('Roll out releases of many microservices on Amazon EKS across AWS regions')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'help for a command: switchyard <command> --help')
    .option('--no-color', 'no colour, even on a terminal (so does NO_COLOR)')
    .configureOutput({
      writeOut: (text) => io.stdout(text.replace(/\n$/, '')),
      writeErr: (text) => io.stderr(text.replace(/\n$/, '')),
      outputError: (text, write) => write(`switchyard: ${text.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError()
    .showHelpAfterError('(switchyard --help lists the commands; switchyard <command> --help their options)')
    .exitOverride()
    .addHelpText('after', `\n${EXIT_CODES_HELP}`);
  program.addHelpCommand('help [command]', 'help for a command');

  const action =
    <A extends unknown[]>(run: (...args: A) => Promise<number> | number) =>
    async (...args: A) =>
      finish(await run(...args));

  // ── plan commands ─────────────────────────────────────────────────────────
  program.commandsGroup('Plan commands:');
  program
    .command('validate')
    .description('check a release plan: every problem with its path, line and column')
    .argument('<plan>', 'the release plan (YAML or JSON)')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples('switchyard validate examples/platform.yaml', 'switchyard validate plan.yaml --json'),
    )
    .action(
      action(async (plan: string, options: { json?: boolean }) =>
        (await import('./plan-commands')).validateCommand(plan, options, io),
      ),
    );
  program
    .command('preview')
    .description(
      'the schedule per wave and region, the critical path, DAG vs phase barriers, Step Functions cost',
    )
    .argument('<plan>', 'the release plan')
    .addOption(jsonOption())
    .addHelpText('after', examples('switchyard preview examples/platform.yaml'))
    .action(
      action(async (plan: string, options: { json?: boolean }) =>
        (await import('./plan-commands')).previewCommand(plan, options, io),
      ),
    );
  program
    .command('schema')
    .description("print the release plan's JSON Schema (or the fault file's)")
    .option('--faults', "the fault file's schema instead")
    .addHelpText(
      'after',
      examples('switchyard schema > release-plan.schema.json', 'switchyard schema --faults'),
    )
    .action(
      action(async (options: { faults?: boolean }) =>
        (await import('./plan-commands')).schemaCommand(options, io),
      ),
    );
  program
    .command('init')
    .description(
      "write a commented starter plan from a namespace's Deployments (read through your kubeconfig)",
    )
    .requiredOption('-n, --namespace <namespace>', 'the namespace whose Deployments become services')
    .option('--context <context>', 'the kubeconfig context (default: the current one)')
    .option('--kubeconfig <file>', 'the kubeconfig file (default $KUBECONFIG, else ~/.kube/config)')
    .option('-o, --out <file>', 'write the plan there instead of standard output')
    .option('--force', 'with --out, overwrite a file that exists')
    .addHelpText(
      'after',
      examples(
        'switchyard init --namespace shop > plan.yaml',
        'switchyard init --namespace shop --context prod-use1 --out plan.yaml',
      ),
    )
    .action(
      action(async (options: InitOptions) => (await import('./init-command')).initCommand(options, io)),
    );

  // ── rehearsal ─────────────────────────────────────────────────────────────
  program.commandsGroup('Rehearsal (no AWS account needed):');
  program
    .command('rehearse')
    .description(
      'run the release through the real state machines and handlers on a local engine, an in-process store (or DynamoDB Local) and a simulated fleet',
    )
    .argument('<plan>', 'the release plan')
    .option('--faults <file>', 'a fault file: what goes wrong, and when (switchyard schema --faults)')
    .addOption(
      new Option('--seed <n>', "the simulation seed (default: the fault file's, else 1)").argParser(
        parseSeed,
      ),
    )
    .option('--json', 'the whole result as JSON on standard output')
    .option('--report <file>', 'also write the HTML report there')
    .addOption(
      new Option(
        '--approve-after <duration>',
        'give approvals after this much virtual time (e.g. 5m; default 5m)',
      ).argParser(approveAfterSeconds),
    )
    .option('--check', "exit 0 if the outcome is the fault file's expect.outcome, 7 if not (for CI)")
    .addOption(storeOption())
    .addHelpText(
      'after',
      examples(
        'switchyard rehearse examples/platform.yaml',
        'switchyard rehearse examples/platform.yaml --faults examples/faults/canary-breach.yaml --report report.html',
        'switchyard rehearse plan.yaml --faults faults/region-outage.yaml --check',
      ),
    )
    .action(
      action(async (plan: string, options: RehearseOptions) =>
        (await import('./rehearse-command')).rehearseCommand(plan, options, io),
      ),
    );
  program
    .command('report')
    .description("one self-contained HTML report of a rehearsal's --json output")
    .argument('<release.json>', "the rehearsal's --json output, or - for standard input")
    .option('-o, --out <file>', 'where to write it (default: beside the input, .html)')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        'switchyard rehearse plan.yaml --json > run.json; switchyard report run.json',
        'switchyard rehearse plan.yaml --json | switchyard report - --out report.html',
      ),
    )
    .action(
      action(async (input: string, options: { out?: string; json?: boolean }) =>
        (await import('./report-command')).reportCommand(input, options, io),
      ),
    );
  program
    .command('serve')
    .description(
      'the HTTP API on 127.0.0.1 over the local engine, DynamoDB Local and a fleet simulated from the plan',
    )
    .addOption(
      new Option('--port <port>', 'the port (default 8080; 0 picks a free one)').argParser(
        wholeNumber(0, 65_535),
      ),
    )
    .option('--plan <file>', 'the plan the simulated fleet is made from (default examples/platform.yaml)')
    .addOption(new Option('--seed <n>', 'the simulation seed (default 1)').argParser(parseSeed))
    .addOption(
      new Option(
        '--approve-after <duration>',
        'give approvals after this much virtual time (default: they wait for switchyard approve)',
      ).argParser(approveAfterSeconds),
    )
    .addHelpText(
      'after',
      examples('switchyard serve', 'switchyard serve --port 9090 --plan plan.yaml --approve-after 1m'),
    )
    .action(
      action(async (options: ServeOptions) => (await import('./serve-command')).serveCommand(options, io)),
    );

  // ── releases over the API ─────────────────────────────────────────────────
  program.commandsGroup(
    'Releases over the API (--api <url>; signed with your AWS credentials for API Gateway):',
  );
  const api = async () => (await import('./api-commands')).apiCommands;
  program
    .command('preflight')
    .description('check the plan against the account and clusters, read only: exit 0 or 6')
    .argument('<plan>', 'the release plan')
    .addOption(apiOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        'switchyard preflight examples/platform.yaml --api https://abc123.execute-api.us-east-1.amazonaws.com/prod',
      ),
    )
    .action(action(async (plan: string, options: ApiOptions) => (await api()).preflight(plan, options, io)));
  watchOptions(
    program
      .command('start')
      .description('submit the plan: the same plan and id again is the same release')
      .argument('<plan>', 'the release plan'),
  )
    .option('--queue', 'while another release holds the lock, wait in the queue instead of being refused')
    .option(
      '--preempt',
      'an emergency release (metadata.emergency) only: roll back the release holding the lock first',
    )
    .addOption(apiOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        'switchyard start examples/platform.yaml --watch',
        'switchyard start plan.yaml --api "$SWITCHYARD_API"',
        'switchyard start plan.yaml --queue --watch',
        'switchyard start hotfix.yaml --preempt   # its metadata.emergency.reason says why',
      ),
    )
    .action(action(async (plan: string, options: StartOptions) => (await api()).start(plan, options, io)));
  watchOptions(
    program
      .command('status')
      .description('waves, regions, services with step, weights and verdict')
      .argument('<release>', 'the release (or failover) id'),
  )
    .addOption(apiOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        'switchyard status platform-2026-11-22',
        'switchyard status platform-2026-11-22 --watch --interval 5s',
      ),
    )
    .action(action(async (id: string, options: WatchOptions) => (await api()).status(id, options, io)));
  program
    .command('list')
    .description('releases, newest first')
    .addOption(new Option('--status <status>', 'only releases in this status').choices(RELEASE_STATUSES))
    .addOption(
      new Option('--since <time>', 'created since: an ISO time, or a duration ago (2h)').argParser(
        pastTime(),
      ),
    )
    .addOption(
      new Option('--limit <n>', `at most this many (1–${MAX_LIST_LIMIT})`).argParser(
        wholeNumber(1, MAX_LIST_LIMIT),
      ),
    )
    .option('--cursor <cursor>', 'the next page, as the previous one said')
    .addOption(apiOption())
    .addOption(jsonOption())
    .addHelpText('after', examples('switchyard list', 'switchyard list --status ROLLED_BACK --since 7d'))
    .action(action(async (options: ListOptions) => (await api()).list(options, io)));
  program
    .command('audit')
    .description("the release's audit ledger, every entry in order")
    .argument('<release>', 'the release (or failover) id')
    .addOption(
      new Option('--limit <n>', `print at most this many entries (1–${MAX_AUDIT_ENTRIES})`).argParser(
        wholeNumber(1, MAX_AUDIT_ENTRIES),
      ),
    )
    .addOption(apiOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples('switchyard audit platform-2026-11-22', 'switchyard audit platform-2026-11-22 --json | jq .'),
    )
    .action(
      action(async (id: string, options: AuditOptions) =>
        (await import('./audit-command')).auditCommand(id, options, io),
      ),
    );
  program
    .command('approve')
    .description('give the named approval, or every one the release waits on')
    .argument('<release>', 'the release id')
    .option('--approval <name>', 'only this approval')
    .addOption(apiOption())
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        'switchyard approve platform-2026-11-22',
        'switchyard approve platform-2026-11-22 --approval us-east-1/auth',
      ),
    )
    .action(action(async (id: string, options: ApproveOptions) => (await api()).approve(id, options, io)));
  program
    .command('promote')
    .description("close a release's rollback window early: it succeeds now, and lets the lock go")
    .argument('<release>', 'the release id (MONITORING)')
    .addOption(apiOption())
    .addOption(jsonOption())
    .addHelpText('after', examples('switchyard promote platform-2026-11-22'))
    .action(action(async (id: string, options: ApiOptions) => (await api()).promote(id, options, io)));
  program
    .command('cancel')
    .description('take a queued release off the queue: nothing of it runs')
    .argument('<release>', 'the queued release')
    .addOption(apiOption())
    .addOption(jsonOption())
    .addHelpText('after', examples('switchyard cancel platform-2026-11-23'))
    .action(action(async (id: string, options: ApiOptions) => (await api()).cancel(id, options, io)));
  for (const [name, description] of [
    ['abort', 'stop a running release, then roll it back'],
    ['rollback', 'roll back a release (a running one is stopped first)'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('<release>', 'the release id')
      .addOption(apiOption())
      .addOption(jsonOption())
      .addHelpText('after', examples(`switchyard ${name} platform-2026-11-22`))
      .action(action(async (id: string, options: ApiOptions) => (await api())[name](id, options, io)));
  }
  for (const [name, description] of [
    ['failover', 'move DNS weight away from a region, scaling the others up first'],
    ['failback', "reverse the region's latest failover"],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('<region>', 'the AWS region, e.g. us-west-2')
      .addOption(apiOption())
      .addOption(jsonOption())
      .addHelpText('after', examples(`switchyard ${name} us-west-2`))
      .action(
        action(async (region: string, options: ApiOptions) => (await api())[name](region, options, io)),
      );
  }
  return program;
}

export interface ApiOptions {
  api?: string;
  json?: boolean;
}
export interface WatchOptions extends ApiOptions {
  watch?: boolean;
  /** Seconds. */
  interval?: number;
}
export interface StartOptions extends WatchOptions {
  queue?: boolean;
  preempt?: boolean;
}
export interface ListOptions extends ApiOptions {
  status?: string;
  /** ISO 8601. */
  since?: string;
  limit?: number;
  cursor?: string;
}
export interface ApproveOptions extends ApiOptions {
  approval?: string;
}
export interface RehearseOptions {
  faults?: string;
  seed?: number;
  json?: boolean;
  report?: string;
  /** Virtual seconds. */
  approveAfter?: number;
  check?: boolean;
  store?: StoreKind;
}
export interface ServeOptions {
  port?: number;
  plan?: string;
  seed?: number;
  /** Virtual seconds. */
  approveAfter?: number;
  store?: StoreKind;
}
