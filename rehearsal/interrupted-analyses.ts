/**
 * Analyses a rollback cut short. An analysis judges its whole window in one Task at the window's
 * end, so when an alarm stops the release mid-window, no verdict (and no `comparison`) is ever
 * written. What the canary looked like up to the stop is still in CloudWatch; the rehearsal reads
 * it back, through the same Signals port and the same bounded form the analysis handler uses
 * (core/analysis-readings.ts), so the report can show the series that set the alarm off.
 */
import { loadReleaseContext } from '../lambdas/app/release-context';
import { type RecordedComparison, recordedComparison } from '../lambdas/core/analysis-readings';
import { analysisWindow, comparisonWindow } from '../lambdas/core/analysis-step';
import { PUBLICATION_ALLOWANCE_SECONDS } from '../lambdas/core/metric-window';
import type { Ports } from '../lambdas/ports';
import type { ReportedAuditEntry } from './release-outcome';

export interface InterruptedAnalysis {
  region: string;
  service: string;
  stepIndex: number;
  /** When the analysis was cut: the rollback's start, on the release's clock. */
  at: string;
  atSeconds: number;
  /** What cut it: the audit entry that set the rollback off. */
  interruptedBy: string;
  window: { from: string; to: string };
  comparison: RecordedComparison;
}

/** At most this many: one per service lane the rollback stopped mid-analysis. */
const MAX_INTERRUPTED = 100;

export async function readInterruptedAnalyses(
  ports: Pick<Ports, 'store' | 'trafficReader' | 'signals'>,
  releaseId: string,
  audit: readonly ReportedAuditEntry[],
): Promise<InterruptedAnalysis[]> {
  const rollback = audit.find((entry) => entry.action === 'rollback.started');
  if (!rollback) return [];
  const trigger =
    audit.findLast(
      (entry) =>
        entry.seq < rollback.seq &&
        (entry.action === 'alarm.received' || entry.action === 'rollback.requested'),
    ) ?? rollback;
  const context = await loadReleaseContext(ports.store, releaseId);
  const found: InterruptedAnalysis[] = [];
  for (const [lane, completed] of lastStepCompleted(audit, rollback.seq)) {
    if (found.length >= MAX_INTERRUPTED) break;
    const [region, service] = lane.split('\u0000') as [string, string];
    const stepIndex = Number(completed.detail?.stepIndex) + 1;
    const step = context.steps(service)[stepIndex];
    const judged = audit.some(
      (entry) =>
        entry.region === region &&
        entry.service === service &&
        entry.action.startsWith('analysis.') &&
        entry.detail?.stepIndex === stepIndex,
    );
    const analysis = context.service(service).analysis;
    const check = analysis?.checks.find((candidate) => candidate.type === 'compare');
    const target = context.trafficTarget(region, service);
    if (step?.kind !== 'analysis' || judged || !check || !target) continue;
    // Read afterwards, as a person would (the caller lets time run on until the minutes before
    // the stop are published): the window from the step's start up to the stop.
    const readAt = new Date(Date.parse(rollback.at) + PUBLICATION_ALLOWANCE_SECONDS * 1000);
    const read = comparisonWindow(analysisWindow(step, completed.at, readAt));
    if ('skipped' in read) continue;
    const resolved = await ports.trafficReader.resolve(target);
    const samples = await ports.signals.compareTargetGroups(region, resolved, read.window);
    const comparison = recordedComparison([{ type: 'compare', check, samples }], read.window);
    if (!comparison) continue;
    found.push({
      region,
      service,
      stepIndex,
      at: rollback.at,
      atSeconds: rollback.atSeconds,
      interruptedBy: String(trigger.detail?.reason ?? trigger.action),
      window: { from: read.window.from.toISOString(), to: read.window.to.toISOString() },
      comparison,
    });
  }
  return found;
}

/** Each lane's last `step.completed` before the rollback began: the step it was in came next. */
function lastStepCompleted(
  audit: readonly ReportedAuditEntry[],
  beforeSeq: number,
): Map<string, ReportedAuditEntry> {
  const last = new Map<string, ReportedAuditEntry>();
  const ended = new Set<string>();
  for (const entry of audit) {
    if (entry.seq >= beforeSeq || !entry.region || !entry.service) continue;
    const lane = `${entry.region}\u0000${entry.service}`;
    if (entry.action === 'step.completed') last.set(lane, entry);
    if (entry.action === 'service.completed' || entry.action === 'service.failed') ended.add(lane);
  }
  for (const lane of ended) last.delete(lane);
  return last;
}
