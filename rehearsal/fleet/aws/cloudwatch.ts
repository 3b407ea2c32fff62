/**
 * Simulated Amazon CloudWatch, answering the SDK commands the signals adapter sends
 * (GetMetricData, DescribeAlarms), so the rehearsal runs the real adapter
 * (lambdas/adapters/aws/cloudwatch-signals.ts) and its reading of the ALB's metrics against it.
 *
 * Datapoints come from the fleet's history (metrics.ts), per target group and minute, in the
 * AWS/ApplicationELB namespace with the TargetGroup and LoadBalancer dimensions, and follow what
 * Elastic Load Balancing publishes: a count that is zero has no datapoint (RequestCount too: no
 * datapoint when no request flowed), TargetResponseTime only when a target answered, host counts
 * always (health checks are on).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 *
 * Each minute is published one to two minutes after it ends (seeded per load balancer and
 * minute); a period is returned only once it is complete and every minute of it is published.
 * StartTime is rounded as CloudWatch documents, and a Period that is not a multiple of 60 is
 * refused: these are standard-resolution metrics.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html
 *
 * Alarm states come from alarms.ts; alarms that do not exist are left out, as DescribeAlarms does.
 *
 * PutMetricAlarm makes a metric-math alarm on one canary target group (what Switchyard's abort
 * alarms are), evaluated by alarms.ts each minute: at most 10 metrics, one expression returning
 * data, standard-resolution periods. Tags are kept only when the call creates the alarm; an
 * update ignores them. ListTagsForResource answers by alarm ARN; DeleteAlarms deletes by name.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create-alarm-on-metric-math-expression.html
 */
import {
  type CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  type DescribeAlarmsOutput,
  GetMetricDataCommand,
  type GetMetricDataOutput,
  ListTagsForResourceCommand,
  type MetricDataQuery,
  type MetricDataResult,
  PutMetricAlarmCommand,
  type Tag,
} from '@aws-sdk/client-cloudwatch';
import type { ResolvedService } from '../../../lambdas/core/plan/resolve';
import type { Track } from '../../../lambdas/ports';
import { noise } from '../../random';
import type { FleetAlarms } from '../alarms';
import type { FleetContext } from '../context';
import { SimulatedAwsError } from '../errors';
import { type FleetMetrics, MINUTE_MS, type MinuteFigures, mixtureP95 } from '../metrics';
import { SIMULATED_ACCOUNT, type SimulatedLoadBalancing } from './elbv2';
import { compileMetricMath } from './metric-math';

const NAMESPACE = 'AWS/ApplicationELB';
/** DescribeAlarms takes at most 100 names, and returns at most 100 alarms a page. */
const MAX_ALARM_NAMES = 100;
const MAX_QUERIES = 500;
const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;
const DAY_MS = 24 * 3600_000;
/** An alarm's Metrics may hold at most 10 metrics (PutMetricAlarm, Metrics). */
const MAX_ALARM_METRICS = 10;

type Statistic = 'Sum' | 'Minimum' | 'Maximum' | 'Average' | 'p95';

/** How each target-group metric is read from a period's minutes, by statistic. */
const METRICS: Record<
  string,
  Partial<Record<Statistic, (minutes: readonly MinuteFigures[]) => number | undefined>>
> = {
  RequestCount: { Sum: (minutes) => sumOf(minutes, (minute) => minute.requests) },
  HTTPCode_Target_5XX_Count: { Sum: (minutes) => sumOf(minutes, (minute) => minute.targetErrors) },
  TargetConnectionErrorCount: { Sum: (minutes) => sumOf(minutes, (minute) => minute.connectionErrors) },
  // Seconds, as CloudWatch has it; only target answers have a response time.
  TargetResponseTime: {
    p95: (minutes) => {
      const p95 = mixtureP95(
        minutes.flatMap((minute) =>
          minute.p95Ms === undefined ? [] : [{ p95Ms: minute.p95Ms, requests: minute.answered }],
        ),
      );
      return p95 === undefined ? undefined : p95 / 1000;
    },
  },
  HealthyHostCount: hostStatistics((minute) => minute.healthyHosts),
  UnHealthyHostCount: hostStatistics((minute) => minute.unhealthyHosts),
};

export class SimulatedCloudWatch {
  /** Tags by alarm ARN, set when PutMetricAlarm created the alarm. */
  private readonly tags = new Map<string, Tag[]>();
  /** Every alarm call made, in order: what the rehearsal reports of Switchyard's alarms. */
  readonly alarmCalls: Array<{ atMs: number; region: string; action: string; alarmName: string }> = [];

  constructor(
    private readonly context: FleetContext,
    private readonly balancers: SimulatedLoadBalancing,
    private readonly metrics: FleetMetrics,
    private readonly alarms: FleetAlarms,
  ) {}

  /** A CloudWatch client for a region, answering from this simulation. */
  client(region: string): CloudWatchClient {
    return { send: (command: unknown) => this.send(region, command) } as unknown as CloudWatchClient;
  }

  /**
   * When the minute starting at `minuteMs` becomes readable: one to two minutes after it ends,
   * fixed by the seed, the load balancer and the minute.
   */
  publishedAtMs(region: string, loadBalancer: string, minuteMs: number): number {
    const delayMs =
      60_000 +
      Math.round(60 * noise(this.context.seed, 'cloudwatch-delay', region, loadBalancer, minuteMs)) * 1000;
    return minuteMs + MINUTE_MS + delayMs;
  }

  async send(region: string, command: unknown): Promise<unknown> {
    if (!this.context.plan.regions.some((candidate) => candidate.name === region)) {
      throw new SimulatedAwsError('UnrecognizedClientException', `no simulated region ${region}`);
    }
    if (command instanceof GetMetricDataCommand) return this.getMetricData(region, command.input);
    if (command instanceof DescribeAlarmsCommand) return this.describeAlarms(region, command.input);
    if (command instanceof PutMetricAlarmCommand) return this.putMetricAlarm(region, command.input);
    if (command instanceof DeleteAlarmsCommand) return this.deleteAlarms(region, command.input);
    if (command instanceof ListTagsForResourceCommand) return this.listTags(command.input);
    const name = (command as { constructor?: { name?: string } })?.constructor?.name ?? String(command);
    throw new Error(`the simulated CloudWatch does not implement ${name}`);
  }

  // ── GetMetricData ─────────────────────────────────────────────────────────

  private getMetricData(region: string, input: GetMetricDataCommand['input']): GetMetricDataOutput {
    const queries = input.MetricDataQueries ?? [];
    if (queries.length === 0 || queries.length > MAX_QUERIES) {
      throw invalid(`The parameter MetricDataQueries must hold 1 to ${MAX_QUERIES} queries.`);
    }
    const startMs = input.StartTime ? new Date(input.StartTime).getTime() : Number.NaN;
    const endMs = input.EndTime ? new Date(input.EndTime).getTime() : Number.NaN;
    if (Number.isNaN(startMs) || Number.isNaN(endMs)) {
      throw new SimulatedAwsError('MissingRequiredParameterException', 'StartTime and EndTime are required.');
    }
    if (startMs >= endMs) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
    const ids = new Set<string>();
    queries.forEach((query, index) => {
      const member = `MetricDataQueries.member.${index + 1}`;
      if (!query.Id || !QUERY_ID.test(query.Id)) {
        throw invalid(
          `The value ${query.Id} for parameter ${member}.Id is invalid: it starts with a lowercase letter and has only letters, digits and underscores.`,
        );
      }
      if (ids.has(query.Id)) throw invalid(`The value ${query.Id} for parameter ${member}.Id is used twice.`);
      ids.add(query.Id);
      const period = query.MetricStat?.Period;
      if (!query.MetricStat)
        throw new Error(`the simulated CloudWatch answers metric queries only (${member})`);
      // Standard resolution: "a period can be as short as one minute (60 seconds) and must be a
      // multiple of 60" (MetricStat, CloudWatch API Reference).
      if (period === undefined || !Number.isInteger(period) || period < 60 || period % 60 !== 0) {
        throw invalid(
          `The parameter ${member}.MetricStat.Period must be a multiple of 60 for a metric of standard resolution (got ${period}).`,
        );
      }
    });

    const nowMs = this.context.nowMs();
    const firstMs = roundedStartMs(startMs, nowMs);
    const results = queries.map((query) => this.result(region, query, firstMs, endMs, nowMs));
    if (input.ScanBy !== 'TimestampAscending') {
      for (const result of results) {
        result.Timestamps?.reverse();
        result.Values?.reverse();
      }
    }
    return { MetricDataResults: results, Messages: [] };
  }

  private result(
    region: string,
    query: MetricDataQuery,
    firstMs: number,
    endMs: number,
    nowMs: number,
  ): MetricDataResult {
    const stat = query.MetricStat!;
    const metricName = stat.Metric?.MetricName ?? '';
    const empty: MetricDataResult = {
      Id: query.Id,
      Label: metricName,
      Timestamps: [],
      Values: [],
      StatusCode: 'Complete',
    };
    const group = this.targetGroupOf(region, stat.Metric);
    if (!group) return empty;
    const read = METRICS[metricName]?.[stat.Stat as Statistic];
    if (!read) {
      if (!METRICS[metricName]) return empty;
      throw new Error(`the simulated CloudWatch does not compute ${stat.Stat} of ${metricName}`);
    }
    const periodMs = stat.Period! * 1000;
    const result: MetricDataResult = { ...empty, Timestamps: [], Values: [] };
    for (
      let periodStart = firstMs;
      periodStart + periodMs <= Math.min(endMs, nowMs);
      periodStart += periodMs
    ) {
      const minuteStarts = Array.from(
        { length: periodMs / MINUTE_MS },
        (_, index) => periodStart + index * MINUTE_MS,
      );
      // A period is there once every minute of it is published.
      if (minuteStarts.some((minute) => this.publishedAtMs(region, group.loadBalancer, minute) > nowMs))
        continue;
      const minutes = minuteStarts.map((minute) =>
        this.metrics.minute(group.service, region, group.track, minute),
      );
      const value = read(minutes);
      if (value === undefined) continue;
      result.Timestamps!.push(new Date(periodStart));
      result.Values!.push(value);
    }
    return result;
  }

  /**
   * The target group a metric's dimensions name: exactly TargetGroup and LoadBalancer, the target
   * group one of this region's, the load balancer the one its service's rule is on.
   */
  private targetGroupOf(
    region: string,
    metric: NonNullable<MetricDataQuery['MetricStat']>['Metric'],
  ): { service: ResolvedService; track: Track; loadBalancer: string } | undefined {
    if (metric?.Namespace !== NAMESPACE) return undefined;
    const dimensions = new Map(
      (metric.Dimensions ?? []).map((dimension) => [dimension.Name, dimension.Value]),
    );
    const targetGroup = dimensions.get('TargetGroup');
    const loadBalancer = dimensions.get('LoadBalancer');
    if (dimensions.size !== 2 || !targetGroup || !loadBalancer) return undefined;
    const arn = `arn:aws:elasticloadbalancing:${region}:${SIMULATED_ACCOUNT}:${targetGroup}`;
    const found = this.balancers.targetGroup(region, arn);
    const service = found && this.context.service(found.service);
    if (!found || !service || service.traffic.type === 'replicaRatio') return undefined;
    // An albIngress service's load balancer is the one the controller made (its name is the
    // controller's, not the plan's).
    const name = loadBalancer.split('/')[1] ?? '';
    const known =
      service.traffic.type === 'alb'
        ? name === service.traffic.loadBalancerName
        : this.balancers.loadBalancerNamed(region, name) !== undefined;
    if (!known) return undefined;
    return { service, track: found.track, loadBalancer };
  }

  // ── DescribeAlarms ────────────────────────────────────────────────────────

  private describeAlarms(region: string, input: DescribeAlarmsCommand['input']): DescribeAlarmsOutput {
    const names = input.AlarmNames;
    if (names && names.length > MAX_ALARM_NAMES) {
      throw new SimulatedAwsError(
        'ValidationError',
        `1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ALARM_NAMES}`,
      );
    }
    const pageSize = input.MaxRecords ?? MAX_ALARM_NAMES;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_ALARM_NAMES) {
      throw new SimulatedAwsError(
        'ValidationError',
        `1 validation error detected: Value '${pageSize}' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and ${MAX_ALARM_NAMES}`,
      );
    }
    const types = input.AlarmTypes ?? ['MetricAlarm'];
    // The simulated alarms are all metric alarms; there is no composite one.
    const existing = types.includes('MetricAlarm')
      ? [...new Set(names ?? this.alarms.names(region))]
          .filter((name) => this.alarms.exists(region, name))
          .sort()
      : [];
    const offset = input.NextToken ? Number(input.NextToken) : 0;
    const page = existing.slice(offset, offset + pageSize);
    const nowMs = this.context.nowMs();
    return {
      MetricAlarms: page.map((name) => ({
        AlarmName: name,
        AlarmArn: this.alarmArn(region, name),
        StateValue: this.alarms.stateAt(region, name, nowMs),
      })),
      CompositeAlarms: [],
      ...(offset + pageSize < existing.length && { NextToken: String(offset + pageSize) }),
    };
  }

  // ── PutMetricAlarm, DeleteAlarms, ListTagsForResource ─────────────────────

  private alarmArn(region: string, name: string): string {
    return `arn:aws:cloudwatch:${region}:${SIMULATED_ACCOUNT}:alarm:${name}`;
  }

  private putMetricAlarm(region: string, input: PutMetricAlarmCommand['input']): object {
    const name = input.AlarmName ?? '';
    if (name.length < 1 || name.length > 255)
      throw invalid('The parameter AlarmName must be 1 to 255 characters.');
    const queries = input.Metrics ?? [];
    const metrics = queries.filter((query) => query.MetricStat);
    const returning = queries.filter((query) => query.ReturnData !== false);
    if (metrics.length > MAX_ALARM_METRICS)
      throw invalid(`The parameter Metrics may hold at most ${MAX_ALARM_METRICS} metrics.`);
    const [result] = returning;
    if (returning.length !== 1 || !result?.Expression)
      throw new Error('the simulated CloudWatch makes alarms on one returned metric math expression only');
    if (input.Threshold === undefined || !input.ComparisonOperator)
      throw invalid('The parameters Threshold and ComparisonOperator are required.');
    let group: ReturnType<SimulatedCloudWatch['targetGroupOf']>;
    const reads = metrics.map((query) => {
      const stat = query.MetricStat!;
      if (stat.Period !== 60)
        throw new Error('the simulated CloudWatch evaluates alarms of 60-second periods only');
      const found = this.targetGroupOf(region, stat.Metric);
      if (!found || (group && found.service !== group.service))
        throw new Error(`the simulated CloudWatch alarms on one of its target groups only (${query.Id})`);
      group = found;
      const read = METRICS[stat.Metric?.MetricName ?? '']?.[stat.Stat as Statistic];
      if (!read)
        throw new Error(
          `the simulated CloudWatch does not compute ${stat.Stat} of ${stat.Metric?.MetricName}`,
        );
      return { id: query.Id!, read };
    });
    if (group?.track !== 'canary')
      throw new Error('the simulated CloudWatch alarms on a canary target group only');
    const evaluate = compileMetricMath(result.Expression);
    const threshold = input.Threshold;
    const compare = COMPARISONS[input.ComparisonOperator];
    if (!compare) throw new Error(`the simulated CloudWatch does not compare ${input.ComparisonOperator}`);
    const arn = this.alarmArn(region, name);
    const created = !this.alarms.exists(region, name);
    this.alarms.putMetricAlarm({
      name,
      region,
      service: group.service,
      breaches: (minute) => {
        const value = evaluate(Object.fromEntries(reads.map(({ id, read }) => [id, read([minute])])));
        return value === undefined ? undefined : compare(value, threshold);
      },
    });
    // Tags only on create: "If you are using this operation to update an existing alarm, any tags
    // you specify in this parameter are ignored."
    if (created) this.tags.set(arn, [...(input.Tags ?? [])]);
    this.alarmCalls.push({
      atMs: this.context.nowMs(),
      region,
      action: created ? 'created' : 'updated',
      alarmName: name,
    });
    return {};
  }

  private deleteAlarms(region: string, input: DeleteAlarmsCommand['input']): object {
    for (const name of input.AlarmNames ?? []) {
      if (!this.alarms.exists(region, name)) continue;
      this.alarms.deleteAlarm(region, name);
      this.tags.delete(this.alarmArn(region, name));
      this.alarmCalls.push({ atMs: this.context.nowMs(), region, action: 'deleted', alarmName: name });
    }
    return {};
  }

  private listTags(input: ListTagsForResourceCommand['input']): object {
    const arn = input.ResourceARN ?? '';
    const [, , , region, , , name] = arn.split(':');
    if (!region || !name || !this.alarms.exists(region, name))
      throw new SimulatedAwsError('ResourceNotFoundException', `No alarm ${arn}`);
    return { Tags: [...(this.tags.get(arn) ?? [])] };
  }
}

const COMPARISONS: Record<string, (value: number, threshold: number) => boolean> = {
  GreaterThanThreshold: (value, threshold) => value > threshold,
  GreaterThanOrEqualToThreshold: (value, threshold) => value >= threshold,
  LessThanThreshold: (value, threshold) => value < threshold,
  LessThanOrEqualToThreshold: (value, threshold) => value <= threshold,
};

function invalid(message: string): SimulatedAwsError {
  return new SimulatedAwsError('InvalidParameterValueException', message);
}

/**
 * StartTime as CloudWatch rounds it: down to the minute when less than 15 days ago, to 5 minutes
 * up to 63 days ago, to the hour before that.
 */
function roundedStartMs(startMs: number, nowMs: number): number {
  const age = nowMs - startMs;
  const unit = age < 15 * DAY_MS ? MINUTE_MS : age < 63 * DAY_MS ? 5 * MINUTE_MS : 60 * MINUTE_MS;
  return Math.floor(startMs / unit) * unit;
}

/** A count's Sum, or no datapoint when it is zero: the ALB reports only nonzero counts. */
function sumOf(
  minutes: readonly MinuteFigures[],
  count: (minute: MinuteFigures) => number,
): number | undefined {
  const sum = minutes.reduce((total, minute) => total + count(minute), 0);
  return sum > 0 ? sum : undefined;
}

function hostStatistics(
  hosts: (minute: MinuteFigures) => { minimum: number; maximum: number; average: number },
): Partial<Record<Statistic, (minutes: readonly MinuteFigures[]) => number>> {
  return {
    Minimum: (minutes) => Math.min(...minutes.map((minute) => hosts(minute).minimum)),
    Maximum: (minutes) => Math.max(...minutes.map((minute) => hosts(minute).maximum)),
    Average: (minutes) => minutes.reduce((sum, minute) => sum + hosts(minute).average, 0) / minutes.length,
  };
}
