/** The plan language: analysis (checks and how they are judged). */
import * as z from 'zod';
import {
  MAX_ALARM_NAME_LENGTH,
  MAX_ALARMS_PER_CHECK,
  MAX_ANALYSIS_COUNT,
  MAX_CHECKS,
  MAX_FUNCTION_NAME_LENGTH,
  MAX_HOST_LENGTH,
  MAX_JUDGE_CONFIDENCE,
  MAX_JUDGE_SAMPLES,
  MAX_LATENCY_MS,
  MAX_LATENCY_RATIO,
  MAX_REPLICAS,
  MAX_REQUESTS_PER_INTERVAL,
  MAX_URL_LENGTH,
  MIN_JUDGE_CONFIDENCE,
} from './limits';

import { Duration, Text } from './schema-primitives';

// ── analysis ─────────────────────────────────────────────────────────────────

export const AlarmCheck = z
  .object({
    type: z.literal('cloudwatchAlarms'),
    alarmNames: z.array(z.string().min(1).max(MAX_ALARM_NAME_LENGTH)).min(1).max(MAX_ALARMS_PER_CHECK),
  })
  .strict()
  .describe('Fails while any of these CloudWatch alarms is in ALARM.');

export const CompareCheck = z
  .object({
    type: z.literal('compare'),
    maxErrorRateIncreasePoints: z
      .number()
      .min(0)
      .max(100)
      .default(0.5)
      .describe('Canary error rate may exceed stable by at most this many percentage points.'),
    maxP95LatencyRatio: z
      .number()
      .min(1)
      .max(MAX_LATENCY_RATIO)
      .default(1.1)
      .describe('Canary p95 latency may be at most this multiple of stable p95 (1.1 = +10 %).'),
    minRequests: z
      .number()
      .int()
      .min(1)
      .max(MAX_REQUESTS_PER_INTERVAL)
      .default(100)
      .describe('Fewer canary requests than this in an interval is inconclusive, never a pass or fail.'),
    abortErrorRatePercent: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('Roll back at once when the canary error rate passes this.'),
    abortP95LatencyMs: z
      .number()
      .positive()
      .max(MAX_LATENCY_MS)
      .optional()
      .describe('Roll back at once when canary p95 passes this.'),
    abortAlarm: z
      .boolean()
      .optional()
      .describe(
        'With an abort limit, Switchyard makes the canary a CloudWatch alarm on it (switchyard-abort-…) while the canary runs; false makes none (bring your own <service>-<region>-canary-errors alarm).',
      ),
    maxUnhealthyTargets: z
      .number()
      .int()
      .min(0)
      .max(MAX_REPLICAS)
      .default(0)
      .describe(
        "An interval fails when more of the canary's targets than this were unhealthy at once (UnHealthyHostCount's maximum), whatever its traffic.",
      ),
  })
  .strict()
  .describe(
    "Compares canary against stable target-group metrics (ALB traffic only). Canary errors are its targets' 5xx plus the connections the load balancer could not make to them.",
  );

const Critical = z
  .boolean()
  .describe('true: this metric failing fails the judgement on its own, whatever the score.');

/** Minutes per side a judge needs unless the plan says otherwise. */
export const DEFAULT_JUDGE_MIN_SAMPLES = 10;

export const JudgeCheck = z
  .object({
    type: z.literal('judge'),
    confidence: z
      .number()
      .min(MIN_JUDGE_CONFIDENCE)
      .max(MAX_JUDGE_CONFIDENCE)
      .default(0.98)
      .describe(
        'How sure the judge must be that the canary is worse before failing it. 1 − confidence is the chance of failing an equal canary in one judgement, split evenly over the metrics judged (Bonferroni).',
      ),
    minSamples: z
      .number()
      .int()
      .min(1)
      .max(MAX_JUDGE_SAMPLES)
      .default(DEFAULT_JUDGE_MIN_SAMPLES)
      .describe(
        'Minutes each side needs before the judge judges; fewer is inconclusive, never a pass or fail. The analysis must last at least this many minutes.',
      ),
    minRequests: z
      .number()
      .int()
      .min(1)
      .max(MAX_REQUESTS_PER_INTERVAL)
      .default(50)
      .describe(
        'A minute counts as a sample of a side only with at least this many requests (RequestCount).',
      ),
    errorRate: z
      .object({
        tolerancePoints: z
          .number()
          .min(0)
          .max(100)
          .default(0.1)
          .describe(
            "The band around stable's error rate, in percentage points, that a canary may differ by before it counts as worse.",
          ),
        critical: Critical.default(true),
      })
      .strict()
      .default({ tolerancePoints: 0.1, critical: true }),
    p95Latency: z
      .object({
        tolerance: z
          .number()
          .min(0)
          .max(MAX_LATENCY_RATIO)
          .default(0.1)
          .describe("The band around stable's median p95, as a fraction of it (0.1 = ±10 %)."),
        critical: Critical.default(false),
      })
      .strict()
      .default({ tolerance: 0.1, critical: false }),
    passScore: z
      .number()
      .min(0)
      .max(100)
      .default(100)
      .describe(
        'The percentage of judged metrics that must pass (as Kayenta scores a canary); 100 fails the judgement on any failing metric.',
      ),
  })
  .strict()
  .describe(
    'A statistical judgement of canary against stable over the analysis window: per-minute error rates and p95 latencies of their target groups (ALB traffic only), compared with a one-sided Mann-Whitney U test, and the Hodges-Lehmann shift against a tolerance band.',
  );

/** On http and tcp checks: a probe runs where Switchyard runs, so local targets are refused unless meant. */
const AllowLocalTargets = z
  .boolean()
  .optional()
  .describe(
    'true lets this probe reach a local address: loopback (localhost, 127.0.0.0/8, ::1), link-local (169.254.0.0/16, fe80::/10), the instance metadata service or EKS Pod Identity Agent (fd00:ec2::254, fd00:ec2::23) or unspecified (0.0.0.0, ::). Refused otherwise: a probe runs where Switchyard runs, not beside the service.',
  );

export const HttpCheck = z
  .object({
    type: z.literal('http'),
    url: z.url().max(MAX_URL_LENGTH),
    expectStatus: z.number().int().min(100).max(599).default(200),
    bodyContains: Text.optional(),
    timeout: Duration.default('5s'),
    allowLocalTargets: AllowLocalTargets,
  })
  .strict();

export const TcpCheck = z
  .object({
    type: z.literal('tcp'),
    host: z.string().min(1).max(MAX_HOST_LENGTH),
    port: z.number().int().min(1).max(65535),
    timeout: Duration.default('3s'),
    allowLocalTargets: AllowLocalTargets,
  })
  .strict();

export const LambdaCheck = z
  .object({
    type: z.literal('lambda'),
    functionName: z.string().min(1).max(MAX_FUNCTION_NAME_LENGTH),
  })
  .strict()
  .describe('Invokes a Lambda hook; it returns { "verdict": "pass" | "fail" | "inconclusive" }.');

export const Check = z.discriminatedUnion('type', [
  AlarmCheck,
  CompareCheck,
  JudgeCheck,
  HttpCheck,
  TcpCheck,
  LambdaCheck,
]);

/** The checks that read the canary's and stable's target-group metrics from CloudWatch. */
const TARGET_GROUP_METRIC_CHECKS: ReadonlySet<unknown> = new Set(['compare', 'judge']);

export function readsTargetGroupMetrics(check: unknown): boolean {
  return (
    typeof check === 'object' &&
    check !== null &&
    TARGET_GROUP_METRIC_CHECKS.has((check as { type?: unknown }).type)
  );
}

export const Analysis = z
  .object({
    interval: Duration.default('1m').describe(
      'How long each judged interval is: a whole number of minutes, since ALB metrics come per minute.',
    ),
    duration: Duration.optional().describe('How long to analyse; give this or count.'),
    count: z
      .number()
      .int()
      .min(1)
      .max(MAX_ANALYSIS_COUNT)
      .optional()
      .describe('How many intervals to analyse; give this or duration.'),
    failureLimit: z
      .number()
      .int()
      .min(0)
      .max(MAX_ANALYSIS_COUNT)
      .default(0)
      .describe('Failed intervals tolerated before the verdict is fail.'),
    consecutiveFailureLimit: z.number().int().min(1).max(MAX_ANALYSIS_COUNT).optional(),
    inconclusive: z
      .enum(['pause', 'fail', 'pass'])
      .default('pause')
      .describe('What an inconclusive verdict does: pause for approval, fail, or pass.'),
    approvalTimeout: Duration.default('1h').describe('How long an inconclusive pause waits before failing.'),
    checks: z.array(Check).min(1).max(MAX_CHECKS),
  })
  .strict();
