/**
 * CloudWatchSignals against moto's CloudWatch: alarms made with PutMetricAlarm and put in a
 * state with SetAlarmState; target group metrics published with PutMetricData in the shape the
 * ALB publishes them (namespace AWS/ApplicationELB, dimensions TargetGroup and LoadBalancer).
 *
 * What moto does not emulate, left to cloudwatch-signals.test.ts (aws-sdk-client-mock):
 * percentiles (GetMetricData with `p95` answers HTTP 500, see below), composite alarms
 * (PutCompositeAlarm is not implemented), the 100-name limit of DescribeAlarms and its paging,
 * CloudWatch rounding a start time down to the minute (moto does not: windows here start on a
 * minute), partial results and NextToken of GetMetricData, and a new alarm's state (moto starts it
 * at OK, CloudWatch at INSUFFICIENT_DATA: every alarm here is put in its state). Lambda hooks are not tested here:
 * without Docker moto's Lambda only returns canned answers.
 */
import {
  CloudWatchClient,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchSignals } from '../../../lambdas/adapters/aws/cloudwatch-signals';
import { NotFoundError, TransientAwsError } from '../../../lambdas/core/errors';
import type { ResolvedTraffic } from '../../../lambdas/ports/index';
import { createMotoAlarm, MOTO_ACCOUNT_ID, MOTO_REGION, motoClient, uniqueName } from '../../support/moto';
import { expectRejection } from '../../support/rejection';

let cloudWatch: CloudWatchClient;
/** Statistics asked for, per call, as the adapter sent them. */
let requestedStats: string[][] = [];
/** AlarmNames per DescribeAlarms call, as the adapter sent them. */
let requestedAlarmNames: string[][] = [];

beforeAll(() => {
  cloudWatch = motoClient(CloudWatchClient);
  cloudWatch.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        AlarmNames?: string[];
        MetricDataQueries?: Array<{ MetricStat?: { Stat?: string } }>;
      };
      if (context.commandName === 'DescribeAlarmsCommand')
        requestedAlarmNames.push([...(input.AlarmNames ?? [])]);
      if (context.commandName === 'GetMetricDataCommand') {
        requestedStats.push((input.MetricDataQueries ?? []).map((query) => query.MetricStat?.Stat ?? ''));
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordRequests' },
  );
});
afterAll(() => {
  cloudWatch?.destroy();
});

function signalsWith(client: CloudWatchClient): CloudWatchSignals {
  // Lambda is never called by these tests.
  return new CloudWatchSignals({
    cloudWatch: () => client,
    lambda: () => new LambdaClient({ region: MOTO_REGION }),
  });
}

describe('alarmStates', () => {
  async function createAlarm(name: string, state: StateValue): Promise<void> {
    await createMotoAlarm(cloudWatch, name);
    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: 'test' }),
    );
  }

  it('reads the state each alarm is in, once per name', async () => {
    const [firing, calm, unknown] = [uniqueName('auth-5xx'), uniqueName('cart-5xx'), uniqueName('web-5xx')];
    await createAlarm(firing, 'ALARM');
    await createAlarm(calm, 'OK');
    await createAlarm(unknown, 'INSUFFICIENT_DATA');

    expect(await signalsWith(cloudWatch).alarmStates(MOTO_REGION, [firing, calm, unknown, firing])).toEqual({
      [firing]: 'ALARM',
      [calm]: 'OK',
      [unknown]: 'INSUFFICIENT_DATA',
    });
  });

  it('reads more alarms than one DescribeAlarms call may name, 100 names a call', async () => {
    const prefix = uniqueName('many');
    const names = Array.from({ length: 101 }, (_, index) => `${prefix}-${index}`);
    // Ten at a time: moto's threaded server takes that, and it is much quicker than one by one.
    for (let index = 0; index < names.length; index += 10) {
      await Promise.all(
        names
          .slice(index, index + 10)
          .map((name, offset) => createAlarm(name, index + offset === 100 ? 'ALARM' : 'OK')),
      );
    }
    requestedAlarmNames = [];

    const states = await signalsWith(cloudWatch).alarmStates(MOTO_REGION, names);

    expect(Object.keys(states)).toHaveLength(101);
    expect(states[names[100]!]).toBe('ALARM');
    expect(states[names[0]!]).toBe('OK');
    // moto takes any number of names: the limit is CloudWatch's, checked on what was sent.
    expect(requestedAlarmNames.map((chunk) => chunk.length)).toEqual([100, 1]);
  });

  it('names every alarm that does not exist', async () => {
    const present = uniqueName('present');
    await createAlarm(present, 'OK');
    const [gone, never] = [uniqueName('gone'), uniqueName('never')];

    await expectRejection(
      signalsWith(cloudWatch).alarmStates(MOTO_REGION, [present, gone, never]),
      NotFoundError,
      `CloudWatch alarms "${gone}", "${never}" not found in ${MOTO_REGION}`,
    );
  });
});

describe('compareTargetGroups', () => {
  const MINUTE_MS = 60_000;

  /** ARNs of a load balancer and target groups moto need not hold: CloudWatch only sees dimensions. */
  function trafficOf(name: string): ResolvedTraffic {
    const arn = (resource: string) =>
      `arn:aws:elasticloadbalancing:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:${resource}`;
    const id = () =>
      Math.floor(Math.random() * 2 ** 48)
        .toString(16)
        .padStart(16, '0');
    const loadBalancer = `app/${name}/${id()}`;
    return {
      loadBalancerArn: arn(`loadbalancer/${loadBalancer}`),
      listenerArn: arn(`listener/${loadBalancer}/${id()}`),
      stableTargetGroupArn: arn(`targetgroup/${name}-stable/${id()}`),
      canaryTargetGroupArn: arn(`targetgroup/${name}-canary/${id()}`),
    };
  }

  interface Datum {
    track: 'stable' | 'canary';
    metric: 'RequestCount' | 'HTTPCode_Target_5XX_Count' | 'TargetResponseTime';
    /** Minutes after the window's start. */
    minute: number;
    value: number;
  }

  /** Publishes what the ALB would have for each target group, as the ALB does per minute. */
  async function publish(traffic: ResolvedTraffic, from: Date, data: readonly Datum[]): Promise<void> {
    const resource = (arn: string) => arn.split(':').slice(5).join(':');
    const loadBalancer = resource(traffic.loadBalancerArn).slice('loadbalancer/'.length);
    const groups = {
      stable: resource(traffic.stableTargetGroupArn),
      canary: resource(traffic.canaryTargetGroupArn),
    };
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricData: data.map((datum) => ({
          MetricName: datum.metric,
          Dimensions: [
            { Name: 'TargetGroup', Value: groups[datum.track] },
            { Name: 'LoadBalancer', Value: loadBalancer },
          ],
          // Inside the minute, so the datum falls in that period however it is bounded.
          Timestamp: new Date(from.getTime() + datum.minute * MINUTE_MS + 15_000),
          Value: datum.value,
          Unit: datum.metric === 'TargetResponseTime' ? 'Seconds' : 'Count',
        })),
      }),
    );
  }

  /** A three-minute window that starts on a minute, some minutes ago. */
  function recentWindow(): { from: Date; to: Date; periodSeconds: number } {
    const from = new Date(Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 10 * MINUTE_MS);
    return { from, to: new Date(from.getTime() + 3 * MINUTE_MS), periodSeconds: 60 };
  }

  /**
   * moto cannot compute percentiles: GetMetricData with Stat `p95` answers HTTP 500. This client
   * asks moto for the Maximum instead. Each period below has one TargetResponseTime datum, whose
   * p95 is that datum, as is its Maximum; everything else is what the adapter sent.
   */
  function percentilesAsMaximum(): CloudWatchClient {
    const client = motoClient(CloudWatchClient);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetMetricDataCommand') {
          const input = args.input as { MetricDataQueries?: Array<{ MetricStat?: { Stat?: string } }> };
          for (const query of input.MetricDataQueries ?? []) {
            if (query.MetricStat?.Stat !== undefined && /^p\d+(\.\d+)?$/.test(query.MetricStat.Stat)) {
              query.MetricStat.Stat = 'Maximum';
            }
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'percentilesAsMaximum' },
    );
    return client;
  }

  it('sums requests and 5xx per period for each target group; an idle period reads as no data', async () => {
    const traffic = trafficOf(uniqueName('shop'));
    const other = trafficOf(uniqueName('other'));
    const window = recentWindow();
    await publish(traffic, window.from, [
      // minute 0: two RequestCount datapoints within the minute add up.
      { track: 'canary', metric: 'RequestCount', minute: 0, value: 60 },
      { track: 'canary', metric: 'RequestCount', minute: 0, value: 40 },
      { track: 'canary', metric: 'HTTPCode_Target_5XX_Count', minute: 0, value: 2 },
      { track: 'canary', metric: 'TargetResponseTime', minute: 0, value: 0.125 },
      { track: 'stable', metric: 'RequestCount', minute: 0, value: 900 },
      { track: 'stable', metric: 'HTTPCode_Target_5XX_Count', minute: 0, value: 9 },
      { track: 'stable', metric: 'TargetResponseTime', minute: 0, value: 0.0625 },
      // minute 1: the canary was idle (the ALB publishes nothing), the stable had no 5xx.
      { track: 'stable', metric: 'RequestCount', minute: 1, value: 1000 },
      { track: 'stable', metric: 'TargetResponseTime', minute: 1, value: 0.078125 },
      // minute 2
      { track: 'canary', metric: 'RequestCount', minute: 2, value: 50 },
      { track: 'canary', metric: 'TargetResponseTime', minute: 2, value: 0.25 },
      { track: 'stable', metric: 'RequestCount', minute: 2, value: 800 },
      { track: 'stable', metric: 'TargetResponseTime', minute: 2, value: 0.0625 },
      // Outside the window: the minute before it and the minute after it.
      { track: 'canary', metric: 'RequestCount', minute: -1, value: 7777 },
      { track: 'canary', metric: 'RequestCount', minute: 3, value: 8888 },
    ]);
    // Another service's target groups in the same minutes must not leak in.
    await publish(other, window.from, [
      { track: 'canary', metric: 'RequestCount', minute: 1, value: 5555 },
      { track: 'canary', metric: 'HTTPCode_Target_5XX_Count', minute: 1, value: 555 },
    ]);

    const client = percentilesAsMaximum();
    const samples = await signalsWith(client).compareTargetGroups(MOTO_REGION, traffic, window);
    client.destroy();

    const at = (minute: number) => new Date(window.from.getTime() + minute * MINUTE_MS).toISOString();
    expect(samples).toMatchObject([
      {
        at: at(0),
        canary: { requests: 100, errors: 2, p95LatencyMs: 125 },
        stable: { requests: 900, errors: 9, p95LatencyMs: 62.5 },
      },
      {
        at: at(1),
        // No RequestCount datapoint: no data, never "zero requests".
        canary: { requests: undefined, p95LatencyMs: undefined },
        stable: { requests: 1000, errors: 0, p95LatencyMs: 78.125 },
      },
      {
        at: at(2),
        canary: { requests: 50, errors: 0, p95LatencyMs: 250 },
        stable: { requests: 800, errors: 0, p95LatencyMs: 62.5 },
      },
    ]);
  });

  it('asks for the p95 itself, which moto cannot compute: that HTTP 500 surfaces as a transient error', async () => {
    // If moto learns percentiles this test fails, and percentilesAsMaximum can go.
    const traffic = trafficOf(uniqueName('shop'));
    const window = recentWindow();
    await publish(traffic, window.from, [
      { track: 'canary', metric: 'TargetResponseTime', minute: 0, value: 0.5 },
    ]);
    requestedStats = [];

    const error = await expectRejection(
      signalsWith(cloudWatch).compareTargetGroups(MOTO_REGION, traffic, window),
      TransientAwsError,
    );

    expect(requestedStats[0]).toContain('p95');
    expect((error.cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(500);
  });
});
