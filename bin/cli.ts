/**
 * The `switchyard` command line. Each command returns its exit code; a UserError becomes a
 * message on stderr and its code, never a stack trace.
 */
import { parseArgs } from 'node:util';
import { releasePlanJsonSchema } from '../lambdas/core/plan/schema';
import { previewRelease } from '../lambdas/core/planner/preview';
import { apiCommands } from './cli/api-commands';
import { ExitCode, UserError } from './cli/errors';
import { type Io, processIo } from './cli/io';
import { InvalidPlanError, readPlan } from './cli/plan-file';
import { renderPreview } from './cli/render-preview';
import { serveCommand } from './cli/serve-command';

export type { Io } from './cli/io';

export const HELP = `switchyard — roll out releases of many microservices on Amazon EKS across regions

Usage: switchyard <command> [options]

Plan commands
  validate <plan>            check a release plan; every problem with its path and line
  preview <plan> [--json]    the schedule per wave and region, critical path, DAG vs phase barriers, cost
  schema [--faults]          print the release plan's JSON Schema (or the fault file's)

Rehearsal (no AWS account needed)
  rehearse <plan> [--faults <file>] [--seed N] [--json] [--report out.html] [--approve-after SECONDS]
                             run the release through the real state machines and handlers
                             on a local engine, DynamoDB Local and a simulated fleet
  report <release.json> [--out report.html]
                             one self-contained HTML report of a rehearsal's --json output

Local API (no AWS account needed)
  serve [--port N] [--plan <file>] [--seed N] [--approve-after SECONDS]
                             the HTTP API on 127.0.0.1 (default port 8080) over the local engine,
                             DynamoDB Local and a fleet simulated from the plan (default
                             examples/platform.yaml); approvals wait for a person unless
                             --approve-after gives them that many virtual seconds after asked

Releases over the API (--api <url>, default $SWITCHYARD_API or http://127.0.0.1:8080;
signed with your AWS credentials when the URL is API Gateway)
  preflight <plan>           check the plan against the account and clusters (read only):
                             every cluster, access entry, Deployment, load balancer, target
                             group, alarm and record it names
  start <plan> [--watch]     submit the plan; the same plan and id again is the same release
  status <id> [--watch] [--interval SECONDS]
                             waves, regions, services with step, weights and verdict; --watch
                             follows it to the end and exits by its outcome
  list [--status S] [--since TIME] [--limit N] [--cursor C]
  approve <id> [--approval NAME]
                             give the named approval, or all the release waits on
  abort <id>                 stop a running release, then roll it back
  rollback <id>              roll back a release (a running one is aborted first)
  failover <region>          move DNS weight away from a region, scaling the others up first
  failback <region>          reverse the region's latest failover

Options
  --json                     machine-readable output
  -h, --help                 this help

Exit codes
  0  success
  1  internal error (a bug: please report it)
  2  invalid input: the plan, a fault file or the command line
  3  the release was rolled back
  4  the release failed and needs a person
  5  refused: another release holds the lock
  6  refused by preflight: nothing changed
`;

type Command = (args: string[], io: Io) => Promise<number> | number;

const commands: Record<string, Command> = {
  validate: (args, io) => {
    const { values, positionals } = parseArgs({
      args,
      options: { json: { type: 'boolean' } },
      allowPositionals: true,
    });
    try {
      const { resolved } = readPlan(positionals[0]);
      const regions = resolved.regions.length;
      if (values.json)
        io.stdout(JSON.stringify({ valid: true, releaseId: resolved.releaseId, problems: [] }));
      else
        io.stdout(
          `${positionals[0]}: valid — release ${resolved.releaseId}, ${resolved.services.size} services, ${regions} regions`,
        );
      return ExitCode.ok;
    } catch (error) {
      if (values.json && error instanceof InvalidPlanError) {
        io.stdout(JSON.stringify({ valid: false, problems: error.problems }, null, 2));
        return ExitCode.invalidInput;
      }
      throw error;
    }
  },
  preview: (args, io) => {
    const { values, positionals } = parseArgs({
      args,
      options: { json: { type: 'boolean' } },
      allowPositionals: true,
    });
    const { resolved } = readPlan(positionals[0]);
    const preview = previewRelease(resolved);
    io.stdout(values.json ? JSON.stringify(preview, null, 2) : renderPreview(preview, io.isTty));
    return ExitCode.ok;
  },
  // Loaded on use: the plan commands stay fast and independent of the rehearsal's code.
  rehearse: async (args, io) => (await import('./cli/rehearse-command')).rehearseCommand(args, io),
  report: async (args, io) => (await import('./cli/report-command')).reportCommand(args, io),
  serve: serveCommand,
  ...apiCommands,
  schema: async (args, io) => {
    const { values } = parseArgs({ args, options: { faults: { type: 'boolean' } } });
    const schema = values.faults
      ? (await import('../rehearsal/faults/schema')).faultFileJsonSchema()
      : releasePlanJsonSchema();
    io.stdout(JSON.stringify(schema, null, 2));
    return ExitCode.ok;
  },
};

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    io.stdout(HELP);
    return name ? ExitCode.ok : ExitCode.invalidInput;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`switchyard: unknown command "${name}"\n\n${HELP}`);
    return ExitCode.invalidInput;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(HELP);
    return ExitCode.ok;
  }
  try {
    return await command(args, io);
  } catch (error) {
    if (error instanceof UserError) {
      io.stderr(`switchyard ${name}: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`switchyard ${name}: ${error.message}\n(see switchyard --help)`);
      return ExitCode.invalidInput;
    }
    io.stderr(
      `switchyard ${name}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return ExitCode.internal;
  }
}
