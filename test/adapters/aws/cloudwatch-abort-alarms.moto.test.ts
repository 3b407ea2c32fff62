/**
 * CloudWatchAbortAlarms against moto's CloudWatch: the alarm it makes (metric math on the canary
 * target group, its tags), that a second ensure leaves it, that it deletes only its own, and that
 * an alarm of that name someone else made is neither overwritten nor deleted.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ABORT_ALARM_TAG,
  CloudWatchAbortAlarms,
  RELEASE_TAG,
} from '../../../lambdas/adapters/aws/cloudwatch-abort-alarms';
import { AlarmNotOwnedError } from '../../../lambdas/core/errors';
import { abortAlarmName } from '../../../lambdas/core/naming';
import type { AbortAlarmDefinition } from '../../../lambdas/ports/index';
import { createMotoAlarm, MOTO_ACCOUNT_ID, MOTO_REGION, motoClient, uniqueName } from '../../support/moto';

let cloudWatch: CloudWatchClient;
beforeAll(() => {
  cloudWatch = motoClient(CloudWatchClient);
});
afterAll(() => cloudWatch?.destroy());

const traffic = {
  loadBalancerArn: `arn:aws:elasticloadbalancing:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:loadbalancer/app/internal/50dc6c495c0c9188`,
  listenerArn: `arn:aws:elasticloadbalancing:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:listener/app/internal/50dc6c495c0c9188/f2f7dc8efc522ab2`,
  stableTargetGroupArn: `arn:aws:elasticloadbalancing:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:targetgroup/auth-stable/73e2d6bc24d8a067`,
  canaryTargetGroupArn: `arn:aws:elasticloadbalancing:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:targetgroup/auth-canary/943f017f100becff`,
};

function definition(limits: AbortAlarmDefinition['limits']): AbortAlarmDefinition {
  const releaseId = uniqueName('rel');
  return {
    name: abortAlarmName(releaseId, MOTO_REGION, 'auth'),
    releaseId,
    region: MOTO_REGION,
    service: 'auth',
    traffic,
    limits,
  };
}

async function described(name: string) {
  const answer = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return answer.MetricAlarms?.[0];
}

describe('CloudWatchAbortAlarms against moto', () => {
  const alarms = () => new CloudWatchAbortAlarms(() => cloudWatch);

  it('makes a one-minute metric-math alarm on the canary target group, tagged as Switchyard’s and the release’s', async () => {
    const alarm = definition({ errorRatePercent: 5, p95LatencyMs: 800 });
    expect(await alarms().ensure(alarm)).toBe('created');
    const made = await described(alarm.name);
    expect(made).toMatchObject({
      AlarmName: alarm.name,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const queries = made?.Metrics ?? [];
    expect(queries.filter((query) => query.MetricStat)).toHaveLength(4);
    for (const query of queries.filter((entry) => entry.MetricStat)) {
      expect(query.MetricStat).toMatchObject({ Period: 60 });
      expect(query.MetricStat?.Metric?.Dimensions).toEqual(
        expect.arrayContaining([
          { Name: 'TargetGroup', Value: 'targetgroup/auth-canary/943f017f100becff' },
          { Name: 'LoadBalancer', Value: 'app/internal/50dc6c495c0c9188' },
        ]),
      );
    }
    expect(queries.find((query) => query.Expression)?.Expression).toBe(
      'IF((100 * (FILL(target5xx, 0) + FILL(connectionErrors, 0)) / requests) > 5 OR (p95 * 1000) > 800, 1, 0)',
    );
    const tags = await cloudWatch.send(new ListTagsForResourceCommand({ ResourceARN: made?.AlarmArn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([
        { Key: ABORT_ALARM_TAG, Value: 'true' },
        { Key: RELEASE_TAG, Value: alarm.releaseId },
      ]),
    );
    expect(await alarms().ensure(alarm)).toBe('exists');
  });

  it('alarms on the error rate alone when the plan gives no latency limit', async () => {
    const alarm = definition({ errorRatePercent: 2.5 });
    await alarms().ensure(alarm);
    const made = await described(alarm.name);
    expect(made).toMatchObject({ Threshold: 2.5, ComparisonOperator: 'GreaterThanThreshold' });
    expect(made?.Metrics?.filter((query) => query.MetricStat)).toHaveLength(3);
  });

  it('deletes its own alarm, and then finds it absent', async () => {
    const alarm = definition({ p95LatencyMs: 900 });
    await alarms().ensure(alarm);
    expect(await alarms().remove(MOTO_REGION, alarm.name)).toBe('deleted');
    expect(await described(alarm.name)).toBeUndefined();
    expect(await alarms().remove(MOTO_REGION, alarm.name)).toBe('absent');
  });

  it('neither overwrites nor deletes an alarm of that name it did not make', async () => {
    const alarm = definition({ errorRatePercent: 5 });
    await createMotoAlarm(cloudWatch, alarm.name);
    await expect(alarms().ensure(alarm)).rejects.toThrow(AlarmNotOwnedError);
    await expect(alarms().remove(MOTO_REGION, alarm.name)).rejects.toThrow(
      `CloudWatch alarm "${alarm.name}" in ${MOTO_REGION} exists without the ${ABORT_ALARM_TAG} tag`,
    );
    // Still the user's alarm, untouched.
    expect(await described(alarm.name)).toMatchObject({
      MetricName: 'HTTPCode_Target_5XX_Count',
      Threshold: 5,
    });
  });
});
