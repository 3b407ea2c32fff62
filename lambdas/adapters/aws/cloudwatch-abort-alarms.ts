/**
 * The abort alarms Switchyard makes for canaries, in CloudWatch: one metric-math alarm per canary
 * on its target group. Switchyard acts only on alarms that carry its tag: an alarm of the same
 * name someone else made is refused, never overwritten or deleted.
 */
import {
  type CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  type MetricDataQuery,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import type { AbortLimits } from '../../core/abort-alarm';
import { AlarmNotOwnedError } from '../../core/errors';
import type { AbortAlarmDefinition, AbortAlarms } from '../../ports/index';
import { loadBalancerDimension, targetGroupDimension } from './alb-dimensions';
import type { ClientForRegion } from './clients';
import { callAws } from './errors';

export const ABORT_ALARMS_IAM_ACTIONS = [
  'cloudwatch:DescribeAlarms',
  'cloudwatch:ListTagsForResource',
  'cloudwatch:PutMetricAlarm',
  'cloudwatch:TagResource',
  'cloudwatch:DeleteAlarms',
] as const;

/** The tag that marks an alarm as Switchyard's own; its value is the release that made it. */
export const ABORT_ALARM_TAG = 'switchyard.dev/abort-alarm';
export const RELEASE_TAG = 'switchyard.dev/release';

/** ALB metrics come per minute: the alarm judges each minute on its own. */
const PERIOD_SECONDS = 60;

export class CloudWatchAbortAlarms implements AbortAlarms {
  constructor(private readonly cloudWatch: ClientForRegion<CloudWatchClient>) {}

  async ensure(alarm: AbortAlarmDefinition): Promise<'created' | 'exists'> {
    const client = this.cloudWatch(alarm.region);
    const existing = await this.findOwned(client, alarm.region, alarm.name);
    if (existing) return 'exists';
    // Tags are set only when PutMetricAlarm creates the alarm (ignored on an update):
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
    await callAws(
      client.send(
        new PutMetricAlarmCommand({
          ...abortAlarmQuery(alarm),
          AlarmName: alarm.name,
          AlarmDescription: `Switchyard: rolls release ${alarm.releaseId} back when ${alarm.service}'s canary in ${alarm.region} passes its abort limits. Made and deleted by Switchyard.`,
          EvaluationPeriods: 1,
          DatapointsToAlarm: 1,
          // A minute without canary requests is no evidence of a bad canary.
          TreatMissingData: 'notBreaching',
          ActionsEnabled: false,
          Tags: [
            { Key: ABORT_ALARM_TAG, Value: 'true' },
            { Key: RELEASE_TAG, Value: alarm.releaseId },
          ],
        }),
      ),
    );
    return 'created';
  }

  async remove(region: string, name: string): Promise<'deleted' | 'absent'> {
    const client = this.cloudWatch(region);
    if (!(await this.findOwned(client, region, name))) return 'absent';
    await callAws(client.send(new DeleteAlarmsCommand({ AlarmNames: [name] })));
    return 'deleted';
  }

  /**
   * The alarm of that name when Switchyard made it, undefined when there is none; refuses one
   * without the tag. ListTagsForResource takes the alarm's ARN:
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListTagsForResource.html
   */
  private async findOwned(
    client: CloudWatchClient,
    region: string,
    name: string,
  ): Promise<string | undefined> {
    const described = await callAws(
      client.send(
        new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
      ),
    );
    const found = [...(described.MetricAlarms ?? []), ...(described.CompositeAlarms ?? [])].find(
      (alarm) => alarm.AlarmName === name,
    );
    if (!found) return undefined;
    const arn = found.AlarmArn;
    const tags = arn
      ? (await callAws(client.send(new ListTagsForResourceCommand({ ResourceARN: arn })))).Tags
      : [];
    if (!(tags ?? []).some((tag) => tag.Key === ABORT_ALARM_TAG && tag.Value === 'true')) {
      throw new AlarmNotOwnedError(
        `CloudWatch alarm "${name}" in ${region} exists without the ${ABORT_ALARM_TAG} tag: Switchyard did not make it and leaves it alone (rename it, or set abortAlarm: false on the compare check)`,
      );
    }
    return arn;
  }
}

/**
 * The alarm's metric math on the canary target group: error rate in percent (its targets' 5xx and
 * the connections it refused, over its requests) and, with a latency limit, p95 in milliseconds.
 * One limit alarms on that figure; two alarm on an IF(... OR ...) of both. 4 metrics and 1
 * expression at most, inside the limit of 10 metrics an alarm may use:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create-alarm-on-metric-math-expression.html
 */
export function abortAlarmQuery(alarm: Pick<AbortAlarmDefinition, 'traffic' | 'limits'>): {
  Metrics: MetricDataQuery[];
  Threshold: number;
  ComparisonOperator: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold';
} {
  const dimensions = [
    { Name: 'TargetGroup', Value: targetGroupDimension(alarm.traffic.canaryTargetGroupArn) },
    { Name: 'LoadBalancer', Value: loadBalancerDimension(alarm.traffic.loadBalancerArn) },
  ];
  const metric = (id: string, metricName: string, stat: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: 'AWS/ApplicationELB', MetricName: metricName, Dimensions: dimensions },
      Period: PERIOD_SECONDS,
      Stat: stat,
    },
    ReturnData: false,
  });
  const { errorRatePercent, p95LatencyMs } = alarm.limits as AbortLimits;
  const errorRate = '100 * (FILL(target5xx, 0) + FILL(connectionErrors, 0)) / requests';
  // TargetResponseTime is in seconds.
  const p95 = 'p95 * 1000';
  const metrics: MetricDataQuery[] = [];
  if (errorRatePercent !== undefined)
    metrics.push(
      metric('requests', 'RequestCount', 'Sum'),
      metric('target5xx', 'HTTPCode_Target_5XX_Count', 'Sum'),
      metric('connectionErrors', 'TargetConnectionErrorCount', 'Sum'),
    );
  if (p95LatencyMs !== undefined) metrics.push(metric('p95', 'TargetResponseTime', 'p95'));
  const abort = (expression: string, label: string): MetricDataQuery => ({
    Id: 'abort',
    Expression: expression,
    Label: label,
    ReturnData: true,
  });
  if (errorRatePercent !== undefined && p95LatencyMs !== undefined) {
    return {
      Metrics: [
        ...metrics,
        abort(
          `IF((${errorRate}) > ${errorRatePercent} OR (${p95}) > ${p95LatencyMs}, 1, 0)`,
          'canary past an abort limit',
        ),
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    };
  }
  if (errorRatePercent !== undefined)
    return {
      Metrics: [...metrics, abort(errorRate, 'canary error rate (%)')],
      Threshold: errorRatePercent,
      ComparisonOperator: 'GreaterThanThreshold',
    };
  return {
    Metrics: [...metrics, abort(p95, 'canary p95 latency (ms)')],
    Threshold: p95LatencyMs ?? 0,
    ComparisonOperator: 'GreaterThanThreshold',
  };
}
