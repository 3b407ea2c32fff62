/**
 * What the report reads: the JSON `switchyard rehearse --json` prints (a RehearsalResult), checked
 * at the boundary so a wrong file gets a message naming what is wrong, not a broken page.
 * Fields the report does not use are dropped.
 */
import * as z from 'zod';
import { AUDIT_ACTIONS } from '../../lambdas/core/audit';

const ServiceState = z.object({
  status: z.string(),
  image: z.string().nullable(),
  previousImage: z.string().nullable(),
  weights: z.object({ stable: z.number(), canary: z.number() }).nullable(),
  stepReached: z.number(),
  steps: z.number(),
  /** The region was down at the end (results from before this was reported have none). */
  unreachable: z.boolean().optional(),
});

const AuditEntry = z.object({
  atSeconds: z.number(),
  /** Virtual ISO time: places the ISO times in details (an analysis's periods) on the same clock. */
  at: z.string().optional(),
  action: z.enum(AUDIT_ACTIONS),
  region: z.string().optional(),
  service: z.string().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

const Failover = z.object({
  direction: z.enum(['failover', 'failback']),
  region: z.string(),
  atSeconds: z.number(),
  failoverId: z.string().optional(),
  status: z.string(),
  reason: z.string().optional(),
  dnsWeightsBefore: z.record(z.string(), z.number()).optional(),
  dnsWeightsAfter: z.record(z.string(), z.number()).optional(),
  dnsChangedSeconds: z.number().optional(),
  replicaChanges: z
    .array(z.object({ region: z.string(), service: z.string(), before: z.number(), after: z.number() }))
    .default([]),
  replicasChangedSeconds: z.number().optional(),
  unscaled: z.array(z.object({ region: z.string(), service: z.string(), reason: z.string() })).default([]),
});

const FaultWindow = z.object({
  type: z.string(),
  label: z.string(),
  region: z.string().optional(),
  service: z.string().optional(),
  alarmName: z.string().optional(),
  fromSeconds: z.number(),
  untilSeconds: z.number().optional(),
});

/** The fault file as the result reports it (results from before it was reported have none). */
const Faults = z.object({
  description: z.string().optional(),
  windows: z.array(FaultWindow).default([]),
  injected: z
    .array(
      z.object({
        atSeconds: z.number(),
        operation: z.string(),
        region: z.string().optional(),
        service: z.string().optional(),
        error: z.string(),
      }),
    )
    .default([]),
  injectedOmitted: z.number().optional(),
});

/** What failed outside the state machines: alarm handler invocations (retried, dead-lettered), audit writes. */
const RehearsalError = z.object({
  atSeconds: z.number(),
  source: z.string(),
  operation: z.string(),
  error: z.string(),
  message: z.string(),
  alarmName: z.string().optional(),
  attempt: z.number().optional(),
  retryInSeconds: z.number().optional(),
  deadLettered: z.boolean().optional(),
});

export const ReportInputSchema = z.object({
  releaseId: z.string().min(1),
  status: z.string(),
  reason: z.string().optional(),
  seed: z.number(),
  regions: z.record(z.string(), z.record(z.string(), ServiceState)),
  audit: z.array(AuditEntry),
  secondReleases: z
    .array(
      z.object({
        releaseId: z.string(),
        atSeconds: z.number(),
        outcome: z.string(),
        message: z.string(),
        /** Its final status and, when refused, by what (absent in results from before they were reported). */
        status: z.string().optional(),
        refusedBy: z.string().optional(),
        reason: z.string().optional(),
      }),
    )
    .default([]),
  /** The rollback window (results from before windows have none). */
  rollbackWindow: z
    .object({
      opensAtSeconds: z.number(),
      endsAtSeconds: z.number(),
      regions: z.record(z.string(), z.number()),
      closedBy: z.enum(['ended', 'promoted', 'alarm', 'aborted', 'open']),
      closedAtSeconds: z.number().optional(),
      closer: z.string().optional(),
    })
    .optional(),
  counters: z.object({
    stateTransitions: z.number(),
    maxHistoryEvents: z.number(),
    executions: z.number(),
    makespanSeconds: z.number(),
    criticalPathSeconds: z.number(),
    timeToRollbackSeconds: z.number().optional(),
    injectedFailures: z.number(),
  }),
  executions: z
    .array(
      z.object({ name: z.string(), status: z.string(), startSeconds: z.number(), endSeconds: z.number() }),
    )
    .default([]),
  /** Failovers and failbacks during the rehearsal (results from before they were rehearsed have none). */
  failovers: z.array(Failover).default([]),
  /**
   * The plan's waves, when known: a result names waves only once they complete
   * (`wave.completed`), so without this the report infers the waves it cannot see.
   */
  waves: z.array(z.object({ wave: z.number(), regions: z.array(z.string()) })).optional(),
  faults: Faults.optional(),
  /** Analyses a rollback cut short, read back from CloudWatch (results from before had none). */
  interruptedAnalyses: z
    .array(
      z.object({
        region: z.string(),
        service: z.string(),
        stepIndex: z.number(),
        at: z.string(),
        atSeconds: z.number(),
        interruptedBy: z.string(),
        window: z.object({ from: z.string(), to: z.string() }),
        comparison: z.unknown(),
      }),
    )
    .default([]),
  errors: z.array(RehearsalError).default([]),
  /** Route 53 weights at the end: present when the plan has a weighted record (regions can be failed over). */
  dns: z.record(z.string(), z.number()).optional(),
});

export type ReportInput = z.input<typeof ReportInputSchema>;
/** A failover as the report uses it: with its lists, empty when the result had none. */
export type ParsedFailover = z.output<typeof Failover>;
export type ReportedFaults = z.output<typeof Faults>;
export type ReportedFaultWindow = z.output<typeof FaultWindow>;

export type ParsedReportInput = { ok: true; input: ReportInput } | { ok: false; problems: string[] };

export function parseReportInput(document: unknown): ParsedReportInput {
  const parsed = ReportInputSchema.safeParse(document);
  if (parsed.success) return { ok: true, input: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map(
      (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(document)'}: ${issue.message}`,
    ),
  };
}
