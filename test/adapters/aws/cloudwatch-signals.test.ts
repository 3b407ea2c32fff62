import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchSignals, periodStarts } from '../../../lambdas/adapters/aws/cloudwatch-signals';
import { NotFoundError, TransientAwsError } from '../../../lambdas/core/errors';
import type { ResolvedTraffic } from '../../../lambdas/ports/index';

const cloudWatch = mockClient(CloudWatchClient);
const lambda = mockClient(LambdaClient);
const signals = new CloudWatchSignals({
  cloudWatch: (region) => new CloudWatchClient({ region }),
  lambda: (region) => new LambdaClient({ region }),
});

beforeEach(() => {
  cloudWatch.reset();
  lambda.reset();
});

describe('alarmStates', () => {
  it('asks for metric and composite alarms, 100 names at a time', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `alarm-${i}`);
    cloudWatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[] }) => ({
      // Composite alarms come back in their own list.
      MetricAlarms: input.AlarmNames.filter((n) => n !== 'alarm-7').map((n) => ({
        AlarmName: n,
        StateValue: n === 'alarm-120' ? 'ALARM' : 'OK',
      })),
      CompositeAlarms: input.AlarmNames.filter((n) => n === 'alarm-7').map((n) => ({
        AlarmName: n,
        StateValue: 'INSUFFICIENT_DATA',
      })),
    }));

    const states = await signals.alarmStates('eu-west-1', names);

    const calls = cloudWatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.AlarmNames)).toEqual([names.slice(0, 100), names.slice(100)]);
    expect(calls[0]).toMatchObject({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100 });
    expect(Object.keys(states)).toHaveLength(150);
    expect(states['alarm-7']).toBe('INSUFFICIENT_DATA');
    expect(states['alarm-120']).toBe('ALARM');
    expect(states['alarm-0']).toBe('OK');
  });

  it('follows NextToken within a chunk', async () => {
    cloudWatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }], NextToken: 't1' })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'b', StateValue: 'ALARM' }] });
    expect(await signals.alarmStates('eu-west-1', ['a', 'b'])).toEqual({ a: 'OK', b: 'ALARM' });
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[1]?.args[0].input.NextToken).toBe('t1');
  });

  it('names every alarm that does not exist', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }] });
    const error = await signals.alarmStates('eu-west-1', ['a', 'typo-1', 'typo-2']).catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe('CloudWatch alarms "typo-1", "typo-2" not found in eu-west-1');
  });
});

describe('compareTargetGroups', () => {
  const traffic: ResolvedTraffic = {
    loadBalancerArn:
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
    listenerArn:
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2',
    stableTargetGroupArn:
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-stable/6d0ecf831eec9f09',
    canaryTargetGroupArn:
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-canary/0a4b7ee9a7f3c21d',
  };
  const at = (minute: number) => new Date(Date.UTC(2025, 5, 1, 12, minute));
  const window = { from: at(0), to: at(4), periodSeconds: 60 };

  function query(id: string, metricName: string, stat: string, targetGroup: string): MetricDataQuery {
    return {
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: metricName,
          Dimensions: [
            { Name: 'TargetGroup', Value: targetGroup },
            { Name: 'LoadBalancer', Value: 'app/shop/50dc6c495c0c9188' },
          ],
        },
        Period: 60,
        Stat: stat,
      },
      ReturnData: true,
    };
  }

  it('asks for requests, target 5xx, connection errors, p95 and unhealthy hosts of both target groups, dimensions from the ARNs', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    await signals.compareTargetGroups('eu-west-1', traffic, window);

    const calls = cloudWatch.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input).toMatchObject({ StartTime: at(0), EndTime: at(4), ScanBy: 'TimestampAscending' });
    const canary = 'targetgroup/web-canary/0a4b7ee9a7f3c21d';
    const stable = 'targetgroup/web-stable/6d0ecf831eec9f09';
    expect(input.MetricDataQueries).toEqual([
      query('canary_requests', 'RequestCount', 'Sum', canary),
      query('canary_targetErrors', 'HTTPCode_Target_5XX_Count', 'Sum', canary),
      query('canary_connectionErrors', 'TargetConnectionErrorCount', 'Sum', canary),
      query('canary_p95', 'TargetResponseTime', 'p95', canary),
      query('canary_unhealthy', 'UnHealthyHostCount', 'Maximum', canary),
      query('stable_requests', 'RequestCount', 'Sum', stable),
      query('stable_targetErrors', 'HTTPCode_Target_5XX_Count', 'Sum', stable),
      query('stable_connectionErrors', 'TargetConnectionErrorCount', 'Sum', stable),
      query('stable_p95', 'TargetResponseTime', 'p95', stable),
      query('stable_unhealthy', 'UnHealthyHostCount', 'Maximum', stable),
    ]);
    // HTTPCode_ELB_5XX_Count has no TargetGroup dimension: nothing asks for it.
    expect(JSON.stringify(input.MetricDataQueries)).not.toContain('HTTPCode_ELB');
  });

  it('builds one sample per period across pages; a period without a RequestCount datapoint is no data, not zero requests', async () => {
    cloudWatch
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'canary_requests', Timestamps: [at(0), at(1)], Values: [120, 80], StatusCode: 'PartialData' },
          { Id: 'canary_targetErrors', Timestamps: [at(1)], Values: [4], StatusCode: 'Complete' },
          { Id: 'canary_p95', Timestamps: [at(0), at(1)], Values: [0.25, 0.5], StatusCode: 'PartialData' },
          {
            Id: 'stable_requests',
            Timestamps: [at(0), at(1), at(2), at(3)],
            Values: [900, 950, 1000, 980],
            StatusCode: 'Complete',
          },
          { Id: 'stable_targetErrors', Timestamps: [], Values: [], StatusCode: 'Complete' },
          {
            Id: 'stable_p95',
            Timestamps: [at(0), at(1), at(2), at(3)],
            Values: [0.2, 0.2, 0.21, 0.19],
            StatusCode: 'Complete',
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        MetricDataResults: [
          // Minute 2: the canary got no traffic, so CloudWatch has no datapoint at all.
          { Id: 'canary_requests', Timestamps: [at(3)], Values: [7], StatusCode: 'Complete' },
          { Id: 'canary_p95', Timestamps: [at(3)], Values: [1.2], StatusCode: 'Complete' },
        ],
      });

    const samples = await signals.compareTargetGroups('eu-west-1', traffic, window);

    expect(cloudWatch.commandCalls(GetMetricDataCommand)[1]?.args[0].input.NextToken).toBe('page-2');
    expect(samples).toEqual([
      {
        at: '2025-06-01T12:00:00.000Z',
        canary: { requests: 120, errors: 0, p95LatencyMs: 250, unhealthyTargets: undefined },
        stable: { requests: 900, errors: 0, p95LatencyMs: 200, unhealthyTargets: undefined },
      },
      {
        at: '2025-06-01T12:01:00.000Z',
        canary: { requests: 80, errors: 4, p95LatencyMs: 500, unhealthyTargets: undefined },
        stable: { requests: 950, errors: 0, p95LatencyMs: 200, unhealthyTargets: undefined },
      },
      {
        at: '2025-06-01T12:02:00.000Z',
        canary: { requests: undefined, errors: 0, p95LatencyMs: undefined, unhealthyTargets: undefined },
        stable: { requests: 1000, errors: 0, p95LatencyMs: 210, unhealthyTargets: undefined },
      },
      {
        at: '2025-06-01T12:03:00.000Z',
        canary: { requests: 7, errors: 0, p95LatencyMs: 1200, unhealthyTargets: undefined },
        stable: { requests: 980, errors: 0, p95LatencyMs: 190, unhealthyTargets: undefined },
      },
    ]);
  });

  it('counts connections the load balancer could not make to a target as errors, beside target 5xx', async () => {
    // A crashed canary answers nothing: the load balancer answers 502 and counts a connection error.
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'canary_requests', Timestamps: [at(0), at(1)], Values: [200, 180], StatusCode: 'Complete' },
        { Id: 'canary_targetErrors', Timestamps: [at(1)], Values: [2], StatusCode: 'Complete' },
        {
          Id: 'canary_connectionErrors',
          Timestamps: [at(0), at(1)],
          Values: [200, 150],
          StatusCode: 'Complete',
        },
        { Id: 'canary_p95', Timestamps: [at(1)], Values: [0.1], StatusCode: 'Complete' },
        { Id: 'canary_unhealthy', Timestamps: [at(0), at(1)], Values: [1, 1], StatusCode: 'Complete' },
        { Id: 'stable_requests', Timestamps: [at(0), at(1)], Values: [3000, 3000], StatusCode: 'Complete' },
        { Id: 'stable_unhealthy', Timestamps: [at(0), at(1)], Values: [0, 0], StatusCode: 'Complete' },
      ],
    });
    const [first, second] = await signals.compareTargetGroups('eu-west-1', traffic, { ...window, to: at(2) });
    expect(first!.canary).toEqual({
      requests: 200,
      errors: 200,
      p95LatencyMs: undefined,
      unhealthyTargets: 1,
    });
    expect(second!.canary).toEqual({ requests: 180, errors: 152, p95LatencyMs: 100, unhealthyTargets: 1 });
    // With RequestCount reported, absent error metrics mean none: the ALB reports only nonzero counts.
    expect(first!.stable).toEqual({
      requests: 3000,
      errors: 0,
      p95LatencyMs: undefined,
      unhealthyTargets: 0,
    });
  });

  it('keeps unhealthy targets of a period that has no request data', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'canary_unhealthy', Timestamps: [at(0)], Values: [2], StatusCode: 'Complete' },
        { Id: 'canary_connectionErrors', Timestamps: [at(0)], Values: [9], StatusCode: 'Complete' },
      ],
    });
    const [sample] = await signals.compareTargetGroups('eu-west-1', traffic, { ...window, to: at(1) });
    expect(sample!.canary).toEqual({
      requests: undefined,
      errors: 0,
      p95LatencyMs: undefined,
      unhealthyTargets: 2,
    });
    expect(sample!.stable.requests).toBeUndefined();
  });

  it('reports a query CloudWatch could not compute as transient', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'canary_p95', StatusCode: 'InternalError', Messages: [{ Code: 'x', Value: 'try later' }] },
      ],
    });
    const error = await signals.compareTargetGroups('eu-west-1', traffic, window).catch((e) => e);
    expect(error).toBeInstanceOf(TransientAwsError);
    expect(error.message).toContain('try later');
  });

  it('lays periods out as CloudWatch does: start rounded down to the minute, or to a sub-minute period', () => {
    const from = new Date('2025-06-01T12:00:30Z');
    expect(
      periodStarts({ from, to: new Date('2025-06-01T12:03:00Z'), periodSeconds: 60 }).map((d) =>
        d.toISOString(),
      ),
    ).toEqual(['2025-06-01T12:00:00.000Z', '2025-06-01T12:01:00.000Z', '2025-06-01T12:02:00.000Z']);
    expect(
      periodStarts({ from, to: new Date('2025-06-01T12:10:30Z'), periodSeconds: 300 }).map((d) =>
        d.toISOString(),
      ),
    ).toEqual(['2025-06-01T12:00:00.000Z', '2025-06-01T12:05:00.000Z', '2025-06-01T12:10:00.000Z']);
    expect(
      periodStarts({
        from: new Date('2025-06-01T12:00:17Z'),
        to: new Date('2025-06-01T12:00:40Z'),
        periodSeconds: 10,
      }).map((d) => d.toISOString()),
    ).toEqual(['2025-06-01T12:00:10.000Z', '2025-06-01T12:00:20.000Z', '2025-06-01T12:00:30.000Z']);
  });
});

describe('invokeHook', () => {
  const answer = (payload: unknown, functionError?: string) => ({
    StatusCode: 200,
    ...(functionError && { FunctionError: functionError }),
    Payload: new TextEncoder().encode(
      typeof payload === 'string' ? payload : JSON.stringify(payload),
    ) as InvokeCommandOutput['Payload'],
  });

  it('invokes synchronously with the payload as JSON and returns the verdict', async () => {
    lambda
      .on(InvokeCommand)
      .resolves(answer({ verdict: 'inconclusive', detail: 'smoke suite still running' }));

    const result = await signals.invokeHook('eu-west-1', 'smoke-tests', { releaseId: 'r-1', service: 'web' });

    expect(result).toEqual({ verdict: 'inconclusive', detail: 'smoke suite still running' });
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input.FunctionName).toBe('smoke-tests');
    expect(input.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({
      releaseId: 'r-1',
      service: 'web',
    });
  });

  it('fails the check when the function errors, with its message', async () => {
    lambda
      .on(InvokeCommand)
      .resolves(
        answer(
          { errorType: 'TypeError', errorMessage: "Cannot read properties of undefined (reading 'x')" },
          'Unhandled',
        ),
      );
    expect(await signals.invokeHook('eu-west-1', 'smoke-tests', {})).toEqual({
      verdict: 'fail',
      detail:
        "hook smoke-tests failed (Unhandled): TypeError: Cannot read properties of undefined (reading 'x')",
    });
  });

  it.each([
    ['not JSON', 'OK!'],
    ['no verdict', { result: 'pass' }],
    ['an unknown verdict', { verdict: 'maybe' }],
    ['nothing', ''],
  ])('fails the check when the hook answers %s', async (_, payload) => {
    lambda.on(InvokeCommand).resolves(answer(payload));
    const result = await signals.invokeHook('eu-west-1', 'smoke-tests', {});
    expect(result.verdict).toBe('fail');
    expect(result.detail).toContain('hook smoke-tests answered no verdict of pass, fail or inconclusive');
  });

  it('names a hook function that does not exist', async () => {
    lambda
      .on(InvokeCommand)
      .rejects(new ResourceNotFoundException({ message: 'Function not found', $metadata: {} }));
    const error = await signals.invokeHook('eu-west-1', 'smoke-tests', {}).catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe('analysis hook function "smoke-tests" not found in eu-west-1');
  });
});
