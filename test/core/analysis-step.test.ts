import { describe, expect, it } from 'vitest';
import type { IntervalResult, Verdict } from '../../lambdas/core/analysis';
import {
  applyInconclusivePolicy,
  type CheckReading,
  combineReadings,
  comparisonWindow,
  judgeAnalysisStep,
} from '../../lambdas/core/analysis-step';
import type { AnalysisPlan, CheckPlan } from '../../lambdas/core/plan/schema';
import type { ComparisonSample } from '../../lambdas/ports';

type CompareCheck = Extract<CheckPlan, { type: 'compare' }>;
const compare: CompareCheck = {
  type: 'compare',
  maxErrorRateIncreasePoints: 0.5,
  maxP95LatencyRatio: 1.1,
  minRequests: 100,
  maxUnhealthyTargets: 0,
};
const http = { type: 'http', url: 'https://auth.example/healthz' } as Extract<CheckPlan, { type: 'http' }>;
const tcp = { type: 'tcp', host: 'db.internal', port: 5432 } as Extract<CheckPlan, { type: 'tcp' }>;

const sample = (at: string, canaryErrors: number): ComparisonSample => ({
  at,
  canary: { requests: 1000, errors: canaryErrors, p95LatencyMs: 200 },
  stable: { requests: 1000, errors: 0, p95LatencyMs: 200 },
});
const GOOD = sample('12:00', 0);
const BAD = sample('12:01', 50);
const QUIET: ComparisonSample = {
  at: '12:02',
  canary: { requests: undefined, errors: 0, p95LatencyMs: undefined },
  stable: { requests: 1000, errors: 0, p95LatencyMs: 200 },
};

const compared = (...samples: ComparisonSample[]): CheckReading => ({
  type: 'compare',
  check: compare,
  samples,
});
const alarms = (states: Record<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'>): CheckReading => ({
  type: 'cloudwatchAlarms',
  states,
});
const probe = (ok: boolean, check: Extract<CheckPlan, { type: 'http' | 'tcp' }> = http): CheckReading => ({
  type: 'probe',
  check,
  ok,
  detail: ok ? '200' : '503',
});
const hook = (verdict: 'pass' | 'fail' | 'inconclusive'): CheckReading => ({
  type: 'lambda',
  functionName: 'smoke',
  verdict,
  detail: verdict,
});

describe('combineReadings', () => {
  it.each<[string, CheckReading[], IntervalResult[]]>([
    ['nothing read: no interval', [], []],
    ['one interval per compared period', [compared(GOOD, BAD, QUIET)], ['pass', 'fail', 'inconclusive']],
    [
      'a check observed once stands for an interval of its own when nothing was compared',
      [probe(true)],
      ['pass'],
    ],
    [
      'checks observed once fold into the latest compared period: the worst wins',
      [compared(GOOD, GOOD), probe(false)],
      ['pass', 'fail'],
    ],
    [
      'a passing instant check leaves a failed latest period failed',
      [compared(GOOD, BAD), probe(true)],
      ['pass', 'fail'],
    ],
    ['alarms: one in ALARM fails', [alarms({ a: 'OK', b: 'ALARM' })], ['fail']],
    [
      'alarms: insufficient data is inconclusive',
      [alarms({ a: 'OK', b: 'INSUFFICIENT_DATA' })],
      ['inconclusive'],
    ],
    ['alarms: ALARM beats insufficient data', [alarms({ a: 'INSUFFICIENT_DATA', b: 'ALARM' })], ['fail']],
    ['alarms all OK pass', [alarms({ a: 'OK' })], ['pass']],
    ['a hook says inconclusive', [hook('inconclusive')], ['inconclusive']],
    [
      'several instant checks: the worst of them',
      [probe(true), hook('inconclusive'), probe(true, tcp)],
      ['inconclusive'],
    ],
    [
      'a skipped comparison adds no interval',
      [{ type: 'compareSkipped', detail: 'skipped' }, probe(true)],
      ['pass'],
    ],
  ])('%s', (_name, readings, intervals) => {
    expect(combineReadings(readings).intervals).toEqual(intervals);
  });

  it('names what did not pass, in check order', () => {
    const { details } = combineReadings([
      compared(GOOD, BAD),
      { type: 'compareSkipped', detail: 'compare skipped: the new version takes no traffic yet' },
      alarms({ a: 'ALARM', b: 'OK', c: 'ALARM' }),
      probe(false),
      probe(false, tcp),
      hook('fail'),
      probe(true),
    ]);
    expect(details).toEqual([
      expect.stringMatching(/^12:01: canary error rate 5.00 %/),
      'compare skipped: the new version takes no traffic yet',
      'alarms in ALARM: a, c',
      'http https://auth.example/healthz: 503',
      'tcp db.internal:5432: 503',
      'hook smoke: fail',
    ]);
  });
});

describe('applyInconclusivePolicy', () => {
  it.each<[Verdict, AnalysisPlan['inconclusive'], Verdict]>([
    ['inconclusive', 'pause', 'inconclusive'],
    ['inconclusive', 'fail', 'fail'],
    ['inconclusive', 'pass', 'pass'],
    ['pass', 'fail', 'pass'],
    ['fail', 'pass', 'fail'],
    ['pass', 'pause', 'pass'],
  ])('%s under %s is %s', (verdict, policy, expected) => {
    expect(applyInconclusivePolicy(verdict, policy)).toBe(expected);
  });
});

describe('judgeAnalysisStep', () => {
  const analysis = (overrides: Partial<AnalysisPlan> = {}) =>
    ({
      checks: [],
      failureLimit: 0,
      inconclusive: 'pause',
      approvalTimeout: '1h',
      ...overrides,
    }) as AnalysisPlan;

  it.each<[string, Partial<AnalysisPlan>, CheckReading[], Verdict]>([
    ['all periods pass', {}, [compared(GOOD, GOOD)], 'pass'],
    ['one failed period past a limit of 0 fails', {}, [compared(GOOD, BAD)], 'fail'],
    [
      'one failed period within a limit of 1 passes',
      { failureLimit: 1 },
      [compared(GOOD, BAD, GOOD)],
      'pass',
    ],
    [
      'two failures in a row reach a consecutive limit of 2',
      { failureLimit: 5, consecutiveFailureLimit: 2 },
      [compared(BAD, BAD, GOOD)],
      'fail',
    ],
    ['nothing read is inconclusive, paused for approval', {}, [], 'inconclusive'],
    [
      'mostly quiet periods: inconclusive becomes fail under inconclusive: fail',
      { inconclusive: 'fail' },
      [compared(QUIET, QUIET, GOOD)],
      'fail',
    ],
    [
      'mostly quiet periods: inconclusive becomes pass under inconclusive: pass',
      { inconclusive: 'pass' },
      [compared(QUIET, QUIET, GOOD)],
      'pass',
    ],
  ])('%s', (_name, overrides, readings, verdict) => {
    expect(judgeAnalysisStep(analysis(overrides), readings).verdict).toBe(verdict);
  });

  it('keeps the judgement before the policy for the audit', () => {
    const outcome = judgeAnalysisStep(analysis({ inconclusive: 'pass' }), [compared(QUIET, QUIET, GOOD)]);
    expect(outcome.verdict).toBe('pass');
    expect(outcome.judgement).toMatchObject({ verdict: 'inconclusive', passed: 1, inconclusive: 2 });
  });
});

describe('comparisonWindow', () => {
  const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 12, minute));
  it.each<[string, { from: Date; to: Date; periodSeconds: number } | undefined, string | undefined]>([
    [
      'no window: the new version takes no traffic',
      undefined,
      'compare skipped: the new version takes no traffic yet',
    ],
    [
      'an empty window: nothing published yet',
      { from: at(5), to: at(5), periodSeconds: 60 },
      'compare judged nothing: no period of the window is published yet',
    ],
    ['a window of published periods is read', { from: at(0), to: at(3), periodSeconds: 60 }, undefined],
  ])('%s', (_name, window, skipped) => {
    const read = comparisonWindow(window);
    expect('skipped' in read ? read.skipped : undefined).toBe(skipped);
  });
});
