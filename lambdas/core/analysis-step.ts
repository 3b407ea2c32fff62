/**
 * One analysis step, judged from what its checks read: the readings become intervals (checks
 * observed once stand for the latest interval), the intervals a verdict (judgeAnalysis), and
 * the plan's inconclusive policy says what an inconclusive verdict becomes. Free of I/O: the
 * reads are in handlers/service-rollout/analysis.ts.
 */
import type { AlarmState, ComparisonSample } from '../ports';
import {
  type AnalysisJudgement,
  type IntervalResult,
  judgeAnalysis,
  judgeComparison,
  type Verdict,
  worstOf,
} from './analysis';
import { type JudgeCheckPlan, type JudgeVerdict, judgeCanary } from './judge';
import { METRIC_PERIOD_SECONDS, type MetricWindow, readableWindow } from './metric-window';
import type { AnalysisPlan, CheckPlan } from './plan/schema';
import type { RolloutStep } from './strategy';

type CompareCheck = Extract<CheckPlan, { type: 'compare' }>;
type ProbeCheck = Extract<CheckPlan, { type: 'http' | 'tcp' }>;

/** What one check read, in the order the plan lists the checks. */
export type CheckReading =
  /** Per-interval figures of a canary-vs-stable comparison (none: nothing to compare). */
  | { type: 'compare'; check: CompareCheck; samples: readonly ComparisonSample[] }
  /** Per-minute figures of the whole window so far, for a judge check. */
  | { type: 'judge'; check: JudgeCheckPlan; samples: readonly ComparisonSample[] }
  /** A comparison or judge that read nothing, and why. */
  | { type: 'compareSkipped'; detail: string }
  | { type: 'cloudwatchAlarms'; states: Readonly<Record<string, AlarmState>> }
  | { type: 'probe'; check: ProbeCheck; ok: boolean; detail: string }
  | { type: 'lambda'; functionName: string; verdict: 'pass' | 'fail' | 'inconclusive'; detail: string };

/**
 * The metrics window an analysis step judges: only periods complete and published by now (an
 * unpublished one would read as no data). None for a step that reads no metrics.
 */
export function analysisWindow(
  step: RolloutStep,
  windowStart: string | undefined,
  now: Date,
): MetricWindow | undefined {
  if (step.kind !== 'analysis' || !step.metrics) return undefined;
  return readableWindow({
    windowStart: windowStart ? new Date(windowStart) : undefined,
    now,
    durationSeconds: step.seconds,
    intervalSeconds: step.metrics.intervalSeconds,
  });
}

/** The window a comparison (or a judge) reads, or why it has nothing to read in it. */
export function comparisonWindow(
  window: MetricWindow | undefined,
  checkType: 'compare' | 'judge' = 'compare',
): { window: MetricWindow } | { skipped: string } {
  // A blue-green preview: green takes no traffic yet, so there is nothing to compare.
  if (!window) return { skipped: `${checkType} skipped: the new version takes no traffic yet` };
  if (window.to <= window.from)
    return { skipped: `${checkType} judged nothing: no period of the window is published yet` };
  return { window };
}

/** A judge reads the same window minute by minute: each minute is one sample. */
export function perMinute(window: MetricWindow): MetricWindow {
  return { ...window, periodSeconds: METRIC_PERIOD_SECONDS };
}

export interface CombinedReadings {
  intervals: IntervalResult[];
  /** Verdicts over the whole window (judge checks), not per interval. */
  judgements: JudgeVerdict[];
  /** What did not pass, in check order: the audit keeps the first ten, a failure names the first. */
  details: string[];
}

/** The readings as intervals: one per compared period, and the checks observed once folded into the latest. */
export function combineReadings(readings: readonly CheckReading[]): CombinedReadings {
  const intervals: IntervalResult[] = [];
  const instant: IntervalResult[] = [];
  const judgements: JudgeVerdict[] = [];
  const details: string[] = [];
  for (const reading of readings) {
    switch (reading.type) {
      case 'compare':
        for (const sample of reading.samples) {
          const observation = judgeComparison(reading.check, sample.canary, sample.stable);
          intervals.push(observation.result);
          if (observation.result !== 'pass') details.push(`${sample.at}: ${observation.detail}`);
        }
        break;
      case 'judge': {
        const verdict = judgeCanary(reading.check, reading.samples);
        judgements.push(verdict);
        if (verdict.result !== 'pass') details.push(verdict.detail);
        break;
      }
      case 'compareSkipped':
        details.push(reading.detail);
        break;
      case 'cloudwatchAlarms': {
        const named = (wanted: AlarmState) =>
          Object.entries(reading.states)
            .filter(([, state]) => state === wanted)
            .map(([name]) => name);
        const firing = named('ALARM');
        instant.push(
          firing.length > 0 ? 'fail' : named('INSUFFICIENT_DATA').length > 0 ? 'inconclusive' : 'pass',
        );
        if (firing.length > 0) details.push(`alarms in ALARM: ${firing.join(', ')}`);
        break;
      }
      case 'probe': {
        instant.push(reading.ok ? 'pass' : 'fail');
        const what =
          reading.check.type === 'http'
            ? `http ${reading.check.url}`
            : `tcp ${reading.check.host}:${reading.check.port}`;
        if (!reading.ok) details.push(`${what}: ${reading.detail}`);
        break;
      }
      case 'lambda':
        instant.push(reading.verdict);
        if (reading.verdict !== 'pass') details.push(`hook ${reading.functionName}: ${reading.detail}`);
        break;
    }
  }
  if (instant.length > 0) {
    const latest = intervals.pop();
    intervals.push(worstOf([...(latest ? [latest] : []), ...instant]));
  }
  return { intervals, judgements, details };
}

const SEVERITY: Record<Verdict, number> = { pass: 0, inconclusive: 1, fail: 2 };

/**
 * The intervals' judgement with the judges' verdicts over the whole window: the worse decides, so
 * a judge that fails fails the analysis whatever the failure limit, and one with too few samples
 * makes a passing analysis inconclusive (never a pass). Alone, a judge is the judgement.
 */
function withJudgements(
  judgement: AnalysisJudgement,
  judgements: readonly JudgeVerdict[],
  intervalCount: number,
): AnalysisJudgement {
  const worst = judgements.reduce<JudgeVerdict | undefined>(
    (current, next) => (!current || SEVERITY[next.result] > SEVERITY[current.result] ? next : current),
    undefined,
  );
  if (!worst) return judgement;
  if (intervalCount === 0) {
    return {
      ...judgement,
      verdict: worst.result,
      passed: worst.result === 'pass' ? 1 : 0,
      failed: worst.result === 'fail' ? 1 : 0,
      inconclusive: worst.result === 'inconclusive' ? 1 : 0,
      reason: worst.detail,
    };
  }
  return SEVERITY[worst.result] > SEVERITY[judgement.verdict]
    ? { ...judgement, verdict: worst.result, reason: worst.detail }
    : judgement;
}

/** An inconclusive verdict becomes the plan's `inconclusive` (fail or pass), or stays for approval when it is `pause`. */
export function applyInconclusivePolicy(verdict: Verdict, policy: AnalysisPlan['inconclusive']): Verdict {
  return verdict === 'inconclusive' && policy !== 'pause' ? policy : verdict;
}

export interface AnalysisStepOutcome extends CombinedReadings {
  /** After the inconclusive policy: what the step does next. */
  verdict: Verdict;
  /** Before the policy: the counts and reason the audit records. */
  judgement: AnalysisJudgement;
}

export function judgeAnalysisStep(
  analysis: AnalysisPlan,
  readings: readonly CheckReading[],
): AnalysisStepOutcome {
  const combined = combineReadings(readings);
  const judgement = withJudgements(
    judgeAnalysis(combined.intervals, {
      failureLimit: analysis.failureLimit,
      ...(analysis.consecutiveFailureLimit !== undefined && {
        consecutiveFailureLimit: analysis.consecutiveFailureLimit,
      }),
    }),
    combined.judgements,
    combined.intervals.length,
  );
  return {
    ...combined,
    verdict: applyInconclusivePolicy(judgement.verdict, analysis.inconclusive),
    judgement,
  };
}

/** A failed step in words: the judgement's reason, and the first thing that did not pass. */
export function analysisFailureMessage(
  key: { service: string; region: string; stepIndex: number },
  outcome: AnalysisStepOutcome,
): string {
  const first = outcome.details.find((detail) => detail !== outcome.judgement.reason);
  return `${key.service} in ${key.region} failed analysis at step ${key.stepIndex}: ${outcome.judgement.reason}${first ? ` (${first})` : ''}`;
}
