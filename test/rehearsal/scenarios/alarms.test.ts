/**
 * The alarm path: a CloudWatch alarm entering ALARM stops the release and rolls it back, once,
 * however many times EventBridge delivers the event.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { rehearsalExitCode, renderSummary } from '../../../bin/cli/rehearse-command';
import type { RehearsalResult } from '../../../rehearsal/rehearse';
import { dynamoDbLocalClient } from '../../support/dynamodb';
import { expectCompleted, expectRolledBack, fixturePlan, rehearseFixture } from '../fixtures/rehearsal';

const rollbacksOf = (result: RehearsalResult) => ({
  executions: result.executions.filter((execution) => execution.machine === 'rollback'),
  started: result.audit.filter((entry) => entry.action === 'rollback.started'),
});

describe('an alarm during a release', () => {
  it('during a canary analysis, delivered three times, rolls back once', async () => {
    // auth's first analysis runs from about +13 s to +133 s.
    const result = await rehearseFixture('canary', {
      faults:
        'faults: [{ type: alarm, alarmName: auth-us-east-1-canary-errors, region: us-east-1, at: 1m, deliveries: 3 }]',
    });

    expectRolledBack(result);
    expect(result.reason).toContain('auth-us-east-1-canary-errors');
    const { executions, started } = rollbacksOf(result);
    expect(executions).toHaveLength(1);
    expect(executions[0]).toMatchObject({ name: 'fixture-canary-rollback', status: 'SUCCEEDED' });
    expect(started).toHaveLength(1);
    expect(started[0]!.atSeconds).toBe(60);
    // The release and its running rollouts were stopped, not left to go on.
    const stopped = result.executions.filter((execution) => execution.machine !== 'rollback');
    expect(stopped.filter((execution) => execution.status === 'RUNNING')).toEqual([]);
    expect(result.executions.find((execution) => execution.name === 'fixture-canary')).toMatchObject({
      status: 'ABORTED',
    });
    expect(result.regions['us-east-1']!.web!.status).toBe('PENDING');
    // From the alarm to every touched service verified back, as the audit recorded them.
    const received = result.audit.find((entry) => entry.action === 'alarm.received')!;
    const completed = result.audit.find((entry) => entry.action === 'rollback.completed')!;
    expect(result.counters.timeToRollbackSeconds).toBeCloseTo(completed.atSeconds - received.atSeconds, 3);
    expect(result.faults?.windows).toEqual([
      expect.objectContaining({ type: 'alarm', alarmName: 'auth-us-east-1-canary-errors', fromSeconds: 60 }),
    ]);
  });

  it("during a blue-green's wait before the switch rolls back the green side", async () => {
    // api: green healthy in its group at about +50 s, preview analysis to +2m50s, then a one-minute pause.
    const result = await rehearseFixture('blue-green', {
      faults:
        'faults: [{ type: alarm, alarmName: api-us-east-1-canary-errors, region: us-east-1, at: 200s }]',
    });

    expectRolledBack(result);
    expect(rollbacksOf(result).started).toHaveLength(1);
    const api = result.audit.filter((entry) => entry.service === 'api').map((entry) => entry.action);
    expect(api).toContain('analysis.pass');
    // Green never took traffic: the switch comes after the pause the alarm interrupted.
    const shifted = result.audit.filter((entry) => entry.action === 'traffic.shifted');
    expect(shifted.map((entry) => (entry.detail as { canary: number }).canary)).toEqual([0]);
  });

  it('from the abort alarm Switchyard made for the canary (no user alarm) rolls back the whole wave before its analysis ends', async () => {
    const result = await rehearseFixture('two-regions', {
      faults: 'faults: [{ type: degradedVersion, service: auth, region: us-east-1, errorRatePercent: 30 }]',
    });

    expectRolledBack(result);
    const alarmName = `switchyard-abort-${result.releaseId}-us-east-1-auth`;
    expect(result.reason).toContain(`alarm ${alarmName} in us-east-1 entered ALARM`);
    // The alarm cut the analysis short: no analysis verdict, and the rollback deleted the alarm.
    expect(result.audit.filter((entry) => entry.action.startsWith('analysis.'))).toEqual([]);
    expect(
      result.audit.filter((entry) => entry.action.startsWith('abort-alarm.')).map((entry) => entry.action),
    ).toEqual(['abort-alarm.created', 'abort-alarm.deleted']);
    expect(result.metricAlarms.map(({ action, alarmName }) => `${action} ${alarmName}`)).toEqual([
      `created ${alarmName}`,
      `deleted ${alarmName}`,
    ]);
    expect(rollbacksOf(result).executions).toHaveLength(1);
    // The second wave never started.
    for (const state of Object.values(result.regions['us-west-2']!)) expect(state.status).toBe('PENDING');
    expect(result.audit.filter((entry) => entry.region === 'us-west-2')).toEqual([]);
  });

  it("makes each canary's abort alarm at its first weight and deletes it when the canary is promoted", async () => {
    const result = await rehearseFixture('two-regions');
    expectCompleted(result, fixturePlan('two-regions').plan);
    const changes = result.metricAlarms.map(({ action, alarmName }) => `${action} ${alarmName}`);
    for (const region of ['us-east-1', 'us-west-2']) {
      const alarmName = `switchyard-abort-${result.releaseId}-${region}-auth`;
      expect(changes.filter((change) => change.endsWith(alarmName))).toEqual([
        `created ${alarmName}`,
        `deleted ${alarmName}`,
      ]);
    }
  });

  it('after the release has finished, rolls nothing back', async () => {
    const result = await rehearseFixture('canary', {
      faults:
        'faults: [{ type: alarm, alarmName: auth-us-east-1-canary-errors, region: us-east-1, at: 30m, deliveries: 2 }]',
    });

    expectCompleted(result, fixturePlan('canary').plan);
    expect(rollbacksOf(result).executions).toEqual([]);
  });
});

/**
 * DynamoDB throttles the alarm handler's first `times` lookups of who watches an alarm (a Query
 * of the alarm's partition), as a table over its provisioned throughput would.
 */
const throttlingClients: DynamoDBClient[] = [];
afterAll(() => {
  for (const client of throttlingClients) client.destroy();
});

function throttlingAlarmLookups(times: number): DynamoDBClient {
  const client = dynamoDbLocalClient();
  throttlingClients.push(client);
  let remaining = times;
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      const lookup =
        request.headers?.['x-amz-target'] === 'DynamoDB_20120810.Query' &&
        String(request.body).includes('"ALARM#');
      if (lookup && remaining > 0) {
        remaining--;
        throw Object.assign(
          new Error('The level of configured provisioned throughput for the table was exceeded'),
          {
            name: 'ProvisionedThroughputExceededException',
            $fault: 'client',
          },
        );
      }
      return next(args);
    },
    { step: 'build', name: 'throttleAlarmLookups' },
  );
  return client;
}

const ALARM_AT_1M =
  'faults: [{ type: alarm, alarmName: auth-us-east-1-canary-errors, region: us-east-1, at: 1m }]';

describe('an alarm the alarm handler fails on', () => {
  it('is retried a minute later, as Lambda retries an asynchronous invocation, and the failure is reported', async () => {
    const result = await rehearseFixture('canary', {
      faults: ALARM_AT_1M,
      dynamoDb: throttlingAlarmLookups(1),
    });

    expectRolledBack(result);
    expect(rollbacksOf(result).started.map((entry) => entry.atSeconds)).toEqual([120]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        atSeconds: 60,
        source: 'alarmHandler',
        operation: 'onAlarm',
        alarmName: 'auth-us-east-1-canary-errors',
        attempt: 1,
        error: 'TransientAwsError',
        retryInSeconds: 60,
      }),
    ]);
    expect(renderSummary(result)).toContain(
      'ERROR at +1m: alarm handler (auth-us-east-1-canary-errors) attempt 1 failed — TransientAwsError:',
    );
    expect(rehearsalExitCode(result)).toBe(3);
  });

  it('is dead-lettered after three failed attempts: the release went unprotected, which needs a person (exit 4)', async () => {
    const result = await rehearseFixture('canary', {
      faults: ALARM_AT_1M,
      dynamoDb: throttlingAlarmLookups(3),
    });

    // Nothing rolled it back: the alarm never reached it.
    expectCompleted(result, fixturePlan('canary').plan);
    expect(rollbacksOf(result).executions).toEqual([]);
    expect(
      result.errors.map(({ atSeconds, attempt, retryInSeconds, deadLettered }) => ({
        atSeconds,
        attempt,
        retryInSeconds,
        deadLettered,
      })),
    ).toEqual([
      { atSeconds: 60, attempt: 1, retryInSeconds: 60, deadLettered: undefined },
      { atSeconds: 120, attempt: 2, retryInSeconds: 120, deadLettered: undefined },
      { atSeconds: 240, attempt: 3, retryInSeconds: undefined, deadLettered: true },
    ]);
    expect(renderSummary(result)).toContain('dead-lettered, the alarm never reached its release');
    expect(rehearsalExitCode(result)).toBe(4);
  });
});
