/**
 * What analysis reads: CloudWatch alarm states, canary-vs-stable target group metrics from the
 * ALB's CloudWatch namespace, active probes, and Lambda hooks. This adapter only gathers figures;
 * judging them (thresholds, too few requests) is the core's job.
 */

import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import { NotFoundError, TransientAwsError } from '../../core/errors';
import type {
  AlarmState,
  ComparisonSample,
  ProbeResult,
  ResolvedTraffic,
  Signals,
  VersionMetrics,
} from '../../ports/index';
import { describeAlarmStates } from './alarm-states';
import { loadBalancerDimension, targetGroupDimension } from './alb-dimensions';
import type { ClientForRegion } from './clients';
import { awsErrorName, callAws } from './errors';
import { payloadJson } from './lambda-payload';
import { pages } from './paging';
import { type HttpCheckPlan, httpProbe, type TcpCheckPlan, tcpProbe } from './probes';

export const SIGNALS_IAM_ACTIONS = [
  'cloudwatch:DescribeAlarms',
  'cloudwatch:GetMetricData',
  'lambda:InvokeFunction',
] as const;

const ALB_NAMESPACE = 'AWS/ApplicationELB';

type HookVerdict = 'pass' | 'fail' | 'inconclusive';
const HOOK_VERDICTS: ReadonlySet<string> = new Set<HookVerdict>(['pass', 'fail', 'inconclusive']);
/** How much of an unusable hook answer to quote back. */
const QUOTE_LENGTH = 200;

const TRACKS = ['canary', 'stable'] as const;
type TrackName = (typeof TRACKS)[number];

/**
 * The figures per target group, as GetMetricData query ids (lowercase first, [A-Za-z0-9_]), with
 * the statistic the ALB documentation calls useful for each:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 *
 * A canary's errors are what its targets answered with 5xx plus the connections the load balancer
 * could not make to them: a target that crashes, refuses connections or times out answers nothing,
 * the load balancer answers 502/503/504 itself, and HTTPCode_Target_5XX_Count stays 0. The load
 * balancer's own HTTPCode_ELB_5XX_Count is not read: it is published per load balancer (and per
 * Availability Zone), never per target group, so it cannot tell a canary's failures from those of
 * every other service behind the same load balancer. TargetConnectionErrorCount (per target group)
 * is the part of those 5xx a canary's targets caused; UnHealthyHostCount says when its targets fail
 * their health checks, whatever traffic they get.
 */
const METRICS = {
  requests: { metricName: 'RequestCount', stat: 'Sum' },
  targetErrors: { metricName: 'HTTPCode_Target_5XX_Count', stat: 'Sum' },
  connectionErrors: { metricName: 'TargetConnectionErrorCount', stat: 'Sum' },
  p95: { metricName: 'TargetResponseTime', stat: 'p95' },
  unhealthy: { metricName: 'UnHealthyHostCount', stat: 'Maximum' },
} as const;
type Figure = keyof typeof METRICS;

export interface SignalsClients {
  cloudWatch: ClientForRegion<CloudWatchClient>;
  lambda: ClientForRegion<LambdaClient>;
}

export class CloudWatchSignals implements Signals {
  constructor(private readonly clients: SignalsClients) {}

  async alarmStates(region: string, alarmNames: readonly string[]): Promise<Record<string, AlarmState>> {
    const names = [...new Set(alarmNames)];
    const states = await describeAlarmStates(this.clients.cloudWatch(region), region, names);
    const missing = names.filter((name) => states[name] === undefined);
    if (missing.length > 0) {
      throw new NotFoundError(
        `CloudWatch alarm${missing.length > 1 ? 's' : ''} ${missing.map((name) => `"${name}"`).join(', ')} not found in ${region}`,
      );
    }
    return states;
  }

  async compareTargetGroups(
    region: string,
    traffic: ResolvedTraffic,
    window: { from: Date; to: Date; periodSeconds: number },
  ): Promise<ComparisonSample[]> {
    const { periodSeconds } = window;
    const [first, ...later] = periodStarts(window);
    if (first === undefined) return [];
    const starts = [first, ...later];
    const loadBalancer = loadBalancerDimension(traffic.loadBalancerArn);
    const targetGroups: Record<TrackName, string> = {
      canary: targetGroupDimension(traffic.canaryTargetGroupArn),
      stable: targetGroupDimension(traffic.stableTargetGroupArn),
    };
    const queries: MetricDataQuery[] = TRACKS.flatMap((track) =>
      (Object.keys(METRICS) as Figure[]).map((figure) => ({
        Id: queryId(track, figure),
        MetricStat: {
          Metric: {
            Namespace: ALB_NAMESPACE,
            MetricName: METRICS[figure].metricName,
            Dimensions: [
              { Name: 'TargetGroup', Value: targetGroups[track] },
              { Name: 'LoadBalancer', Value: loadBalancer },
            ],
          },
          Period: periodSeconds,
          Stat: METRICS[figure].stat,
        },
        ReturnData: true,
      })),
    );

    const client = this.clients.cloudWatch(region);
    const series = new Map<string, Map<number, number>>();
    const listing = pages(
      `GetMetricData in ${region}`,
      (nextToken: string | undefined) =>
        callAws(
          client.send(
            new GetMetricDataCommand({
              MetricDataQueries: queries,
              StartTime: window.from,
              EndTime: window.to,
              ScanBy: 'TimestampAscending',
              NextToken: nextToken,
            }),
          ),
        ),
      (page) => page.NextToken || undefined,
    );
    for await (const page of listing) {
      for (const result of page.MetricDataResults ?? []) collect(series, result);
    }

    const byPeriod = new Map(
      [...series].map(([id, points]) => [id, valuesByPeriod(points, first, periodSeconds)]),
    );
    const value = (track: TrackName, figure: Figure, period: number) =>
      byPeriod.get(queryId(track, figure))?.get(period);

    return starts.map((at, period) => {
      const metrics = (track: TrackName): VersionMetrics => {
        const unhealthyTargets = value(track, 'unhealthy', period);
        const requests = value(track, 'requests', period);
        // No RequestCount datapoint is no data (unpublished, or nothing reported), not zero requests.
        if (requests === undefined) {
          return { requests: undefined, errors: 0, p95LatencyMs: undefined, unhealthyTargets };
        }
        // With requests counted, a missing error metric is zero: the ALB reports no datapoint for it
        // then ("Reporting criteria: There is a nonzero value").
        const p95Seconds = value(track, 'p95', period);
        return {
          requests,
          errors:
            (value(track, 'targetErrors', period) ?? 0) + (value(track, 'connectionErrors', period) ?? 0),
          p95LatencyMs: requests > 0 && p95Seconds !== undefined ? p95Seconds * 1000 : undefined,
          unhealthyTargets,
        };
      };
      return { at: at.toISOString(), canary: metrics('canary'), stable: metrics('stable') };
    });
  }

  httpProbe(check: HttpCheckPlan): Promise<ProbeResult> {
    return httpProbe(check);
  }

  tcpProbe(check: TcpCheckPlan): Promise<ProbeResult> {
    return tcpProbe(check);
  }

  async invokeHook(
    region: string,
    functionName: string,
    payload: Record<string, unknown>,
  ): Promise<{ verdict: HookVerdict; detail: string }> {
    let response: InvokeCommandOutput;
    try {
      response = await callAws(
        this.clients.lambda(region).send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'RequestResponse',
            Payload: new TextEncoder().encode(JSON.stringify(payload)),
          }),
        ),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ResourceNotFoundException') {
        throw new NotFoundError(`analysis hook function "${functionName}" not found in ${region}`);
      }
      throw error;
    }
    return hookVerdict(functionName, response.FunctionError, new TextDecoder().decode(response.Payload));
  }
}

/** Reads a hook's answer `{ verdict, detail }`; anything else is a failed check, with what was seen. */
export function hookVerdict(
  functionName: string,
  functionError: string | undefined,
  text: string,
): { verdict: HookVerdict; detail: string } {
  const answer = payloadJson(text);
  const fields = typeof answer === 'object' && answer !== null ? (answer as Record<string, unknown>) : {};

  if (functionError !== undefined) {
    const message = typeof fields.errorMessage === 'string' ? fields.errorMessage : quote(text);
    const type = typeof fields.errorType === 'string' ? `${fields.errorType}: ` : '';
    return { verdict: 'fail', detail: `hook ${functionName} failed (${functionError}): ${type}${message}` };
  }
  const { verdict, detail } = fields;
  if (typeof verdict !== 'string' || !HOOK_VERDICTS.has(verdict)) {
    return {
      verdict: 'fail',
      detail: `hook ${functionName} answered no verdict of pass, fail or inconclusive: ${quote(text)}`,
    };
  }
  return {
    verdict: verdict as HookVerdict,
    detail: typeof detail === 'string' && detail !== '' ? detail : `hook ${functionName} answered ${verdict}`,
  };
}

function quote(text: string): string {
  if (text === '') return '(empty)';
  return text.length > QUOTE_LENGTH ? `${text.slice(0, QUOTE_LENGTH)}…` : text;
}

// ── metrics ──────────────────────────────────────────────────────────────────

function queryId(track: TrackName, figure: Figure): string {
  return `${track}_${figure}`;
}

function collect(series: Map<string, Map<number, number>>, result: MetricDataResult): void {
  if (result.StatusCode === 'InternalError') {
    throw new TransientAwsError(
      `GetMetricData could not compute ${result.Id}: ${result.Messages?.map((m) => m.Value).join('; ') ?? ''}`,
      'InternalError',
    );
  }
  if (result.StatusCode === 'Forbidden') {
    throw new Error(`GetMetricData was not allowed to read ${result.Id}`);
  }
  if (result.Id === undefined) return;
  let points = series.get(result.Id);
  if (points === undefined) {
    points = new Map();
    series.set(result.Id, points);
  }
  const timestamps = result.Timestamps ?? [];
  const values = result.Values ?? [];
  timestamps.forEach((timestamp, index) => {
    const value = values[index];
    if (value !== undefined) points.set(new Date(timestamp).getTime(), value);
  });
}

/** A series' values by period index counted from `first`; points outside the window are dropped. */
function valuesByPeriod(
  points: Map<number, number>,
  first: Date,
  periodSeconds: number,
): Map<number, number> {
  const byPeriod = new Map<number, number>();
  for (const [timestamp, value] of points) {
    const period = Math.floor((timestamp - first.getTime()) / (periodSeconds * 1000));
    if (period >= 0) byPeriod.set(period, value);
  }
  return byPeriod;
}

/**
 * The starts of the periods CloudWatch reports for the window. CloudWatch rounds a recent start
 * time down to the minute, or for a 5, 10, 20 or 30 s period to that division of a minute, and
 * stamps each datapoint with the start of its period.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */
export function periodStarts(window: { from: Date; to: Date; periodSeconds: number }): Date[] {
  const periodMs = window.periodSeconds * 1000;
  if (!Number.isInteger(window.periodSeconds) || window.periodSeconds <= 0) {
    throw new Error(`period must be a whole number of seconds above 0 (got ${window.periodSeconds})`);
  }
  const roundingMs = window.periodSeconds < 60 ? periodMs : 60_000;
  const first = Math.floor(window.from.getTime() / roundingMs) * roundingMs;
  const starts: Date[] = [];
  for (let at = first; at < window.to.getTime(); at += periodMs) starts.push(new Date(at));
  return starts;
}
