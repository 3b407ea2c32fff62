/**
 * The simulated CloudWatch answers the SDK commands the signals adapter sends, with the ALB's
 * reporting rules and CloudWatch's publication delay:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 */
import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  InvalidParameterValueException,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { loadBalancerDimension, targetGroupDimension } from '../../../lambdas/adapters/aws/alb-dimensions';
import type { ResolvedTraffic } from '../../../lambdas/ports';
import { fleetFor, trafficTarget, workload } from './fixtures';

const NEW_AUTH = 'registry.example.com/platform/auth:2.8.0';
const MINUTE = 60_000;

type Setup = ReturnType<typeof fleetFor>;

/** auth's canary (one pod) in us-east-1, ready and given `weight` percent at 10:00:30. */
async function canaryAt(setup: Setup, weight: number): Promise<ResolvedTraffic> {
  await setup.fleet.cluster.ensureCanary(workload(setup.plan, 'auth'), {
    container: 'auth',
    image: NEW_AUTH,
    replicas: 1,
  });
  setup.clock.advance(30);
  await setup.fleet.traffic.setWeights(trafficTarget(setup.plan, 'auth'), {
    stable: 100 - weight,
    canary: weight,
  });
  return setup.fleet.traffic.resolve(trafficTarget(setup.plan, 'auth'));
}

function query(
  traffic: ResolvedTraffic,
  id: string,
  metricName: string,
  stat: string,
  track: 'canary' | 'stable' = 'canary',
  period = 60,
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ApplicationELB',
        MetricName: metricName,
        Dimensions: [
          {
            Name: 'TargetGroup',
            Value: targetGroupDimension(
              track === 'canary' ? traffic.canaryTargetGroupArn : traffic.stableTargetGroupArn,
            ),
          },
          { Name: 'LoadBalancer', Value: loadBalancerDimension(traffic.loadBalancerArn) },
        ],
      },
      Period: period,
      Stat: stat,
    },
  };
}

async function metricData(setup: Setup, queries: MetricDataQuery[], from: Date, to: Date) {
  const answer = await setup.fleet.cloudWatch('us-east-1').send(
    new GetMetricDataCommand({
      MetricDataQueries: queries,
      StartTime: from,
      EndTime: to,
      ScanBy: 'TimestampAscending',
    }),
  );
  return Object.fromEntries(
    (answer.MetricDataResults ?? []).map((result) => [
      result.Id!,
      (result.Timestamps ?? []).map((timestamp, index) => [
        new Date(timestamp).toISOString(),
        result.Values![index]!,
      ]),
    ]),
  ) as Record<string, Array<[string, number]>>;
}

const at = (time: string) => new Date(`2026-11-22T${time}Z`);

describe('the simulated CloudWatch', () => {
  it('publishes a minute one to two minutes after it ends, never before', async () => {
    const setup = fleetFor();
    const traffic = await canaryAt(setup, 10);
    const requests = [query(traffic, 'requests', 'RequestCount', 'Sum')];
    // 10:01–10:02 is complete at 10:02, and not yet readable.
    setup.clock.advance(90);
    expect(await metricData(setup, requests, at('10:01:00'), at('10:02:00'))).toEqual({ requests: [] });
    const published: number[] = [];
    for (let second = 0; second <= 150; second += 1) {
      const found = (await metricData(setup, requests, at('10:01:00'), at('10:02:00'))).requests!;
      if (found.length > 0) {
        published.push(setup.clock.now().getTime());
        break;
      }
      setup.clock.advance(1);
    }
    const delay = published[0]! - at('10:02:00').getTime();
    expect(delay).toBeGreaterThanOrEqual(MINUTE);
    expect(delay).toBeLessThanOrEqual(2 * MINUTE);

    // The same seed publishes the same minute at the same time.
    const again = fleetFor();
    const trafficAgain = await canaryAt(again, 10);
    again.clock.advance(90 + delay / 1000 - 1);
    expect(
      (
        await metricData(
          again,
          [query(trafficAgain, 'requests', 'RequestCount', 'Sum')],
          at('10:01:00'),
          at('10:02:00'),
        )
      ).requests,
    ).toEqual([]);
  });

  it('reports no datapoint for a zero count, and always reports host counts', async () => {
    const setup = fleetFor();
    const traffic = await canaryAt(setup, 0);
    setup.clock.advance(600);
    const data = await metricData(
      setup,
      [
        query(traffic, 'requests', 'RequestCount', 'Sum'),
        query(traffic, 'errors', 'HTTPCode_Target_5XX_Count', 'Sum'),
        query(traffic, 'refused', 'TargetConnectionErrorCount', 'Sum'),
        query(traffic, 'p95', 'TargetResponseTime', 'p95'),
        query(traffic, 'healthy', 'HealthyHostCount', 'Minimum'),
        query(traffic, 'unhealthy', 'UnHealthyHostCount', 'Maximum'),
        query(traffic, 'stable', 'RequestCount', 'Sum', 'stable'),
      ],
      at('10:01:00'),
      at('10:06:00'),
    );
    // The canary at weight 0 gets no request: no RequestCount, no error, no response time.
    expect(data.requests).toEqual([]);
    expect(data.errors).toEqual([]);
    expect(data.refused).toEqual([]);
    expect(data.p95).toEqual([]);
    expect(data.healthy!.map(([, value]) => value)).toEqual([1, 1, 1, 1, 1]);
    expect(data.unhealthy!.map(([, value]) => value)).toEqual([0, 0, 0, 0, 0]);
    expect(data.stable!.map(([time]) => time)).toEqual(
      ['10:01', '10:02', '10:03', '10:04', '10:05'].map((minute) => `2026-11-22T${minute}:00.000Z`),
    );
  });

  it('rounds StartTime down to the minute and adds minutes up for longer periods, p95 included', async () => {
    const setup = fleetFor();
    const traffic = await canaryAt(setup, 25);
    setup.clock.advance(900);
    const perMinute = await metricData(
      setup,
      [query(traffic, 'requests', 'RequestCount', 'Sum'), query(traffic, 'p95', 'TargetResponseTime', 'p95')],
      at('10:01:00'),
      at('10:06:00'),
    );
    const perFive = await metricData(
      setup,
      [
        query(traffic, 'requests', 'RequestCount', 'Sum', 'canary', 300),
        query(traffic, 'p95', 'TargetResponseTime', 'p95', 'canary', 300),
      ],
      at('10:01:42'),
      at('10:06:00'),
    );
    expect(perFive.requests).toEqual([
      ['2026-11-22T10:01:00.000Z', perMinute.requests!.reduce((sum, [, value]) => sum + value, 0)],
    ]);
    // Seconds, as CloudWatch has it: a healthy p95 of 80–160 ms.
    expect(perFive.p95![0]![1]).toBeGreaterThan(0.07);
    expect(perFive.p95![0]![1]).toBeLessThan(0.17);
  });

  it('refuses a period that is not a multiple of 60 seconds: ALB metrics are standard resolution', async () => {
    const setup = fleetFor();
    const traffic = await canaryAt(setup, 10);
    setup.clock.advance(600);
    const refused = metricData(
      setup,
      [query(traffic, 'requests', 'RequestCount', 'Sum', 'canary', 30)],
      at('10:01:00'),
      at('10:05:00'),
    );
    await expect(refused).rejects.toMatchObject({ name: InvalidParameterValueException.name });
    await expect(refused).rejects.toThrow(
      'The parameter MetricDataQueries.member.1.MetricStat.Period must be a multiple of 60 for a metric of standard resolution (got 30).',
    );
    await expect(
      metricData(setup, [query(traffic, 'requests', 'RequestCount', 'Sum')], at('10:05:00'), at('10:05:00')),
    ).rejects.toThrow('The parameter StartTime must be less than the parameter EndTime.');
  });

  it('shows a crashing canary as connection errors and an unhealthy target, never as target 5xx', async () => {
    const setup = fleetFor({
      faults: 'faults: [{ type: crashingVersion, service: auth, region: us-east-1, from: { weight: 10 } }]',
    });
    const traffic = await canaryAt(setup, 5);
    setup.clock.advance(120);
    await setup.fleet.traffic.setWeights(trafficTarget(setup.plan, 'auth'), { stable: 90, canary: 10 });
    // The crash is the same question for target health as for the metrics.
    const canary = (await setup.fleet.traffic.targetHealth(trafficTarget(setup.plan, 'auth'))).canary;
    expect(canary.targets.map((target) => [target.state, target.reason])).toEqual([
      ['unhealthy', 'Target.FailedHealthChecks'],
    ]);
    setup.clock.advance(600);
    const data = await metricData(
      setup,
      [
        query(traffic, 'requests', 'RequestCount', 'Sum'),
        query(traffic, 'errors', 'HTTPCode_Target_5XX_Count', 'Sum'),
        query(traffic, 'refused', 'TargetConnectionErrorCount', 'Sum'),
        query(traffic, 'p95', 'TargetResponseTime', 'p95'),
        query(traffic, 'unhealthy', 'UnHealthyHostCount', 'Maximum'),
        query(traffic, 'stableUnhealthy', 'UnHealthyHostCount', 'Maximum', 'stable'),
      ],
      at('10:03:00'),
      at('10:08:00'),
    );
    expect(data.errors).toEqual([]);
    expect(data.p95).toEqual([]);
    // The only target is unhealthy: the load balancer fails open and every connection is refused.
    expect(data.refused).toEqual(data.requests);
    expect(data.requests).toHaveLength(5);
    expect(data.unhealthy!.map(([, value]) => value)).toEqual([1, 1, 1, 1, 1]);
    expect(data.stableUnhealthy!.map(([, value]) => value)).toEqual([0, 0, 0, 0, 0]);

    // Through the adapter: errors that the canary never answered itself.
    const [sample] = await setup.fleet.signals.compareTargetGroups('us-east-1', traffic, {
      from: at('10:03:00'),
      to: at('10:04:00'),
      periodSeconds: 60,
    });
    expect(sample!.canary.errors).toBe(sample!.canary.requests);
    expect(sample!.canary.unhealthyTargets).toBe(1);
  });

  it('lists the alarms that exist, with their state, and leaves out the rest', async () => {
    const { fleet } = fleetFor({
      faults: 'faults: [{ type: alarm, alarmName: auth-5xx, region: us-east-1, at: 0s }]',
    });
    const answer = await fleet
      .cloudWatch('us-east-1')
      .send(new DescribeAlarmsCommand({ AlarmNames: ['auth-5xx', 'auth-us-east-1-canary-errors', 'typo'] }));
    expect(answer.MetricAlarms?.map((alarm) => [alarm.AlarmName, alarm.StateValue])).toEqual([
      ['auth-5xx', 'ALARM'],
      ['auth-us-east-1-canary-errors', 'OK'],
    ]);
    await expect(
      fleet
        .cloudWatch('us-east-1')
        .send(
          new DescribeAlarmsCommand({ AlarmNames: Array.from({ length: 101 }, (_, index) => `a-${index}`) }),
        ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });
});
