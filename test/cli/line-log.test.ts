/**
 * The line log of a real rehearsal (not a terminal: one line per event on stderr), with the
 * events it must name: throttled weight changes retried, a second release refused by the lock
 * while the first runs, an alarm delivered twice, a failover and a failback — one rehearsal of
 * the two-region fixture, judged from several sides.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { recordingIo } from '../../bin/cli/io';
import { LiveProgress } from '../../bin/cli/rehearse-progress';
import { fixturePlan, rehearseFixture } from '../rehearsal/fixtures/rehearsal';

const FAULTS = `
description: throttled weights, a second release, an alarm delivered twice, then a failover and a failback
faults:
  - { type: operationFailure, operation: traffic.setWeights, region: us-east-1, service: auth, times: 2, error: ThrottlingException }
  - { type: secondRelease, at: 3m }
  - { type: alarm, alarmName: auth-us-west-2-canary-errors, region: us-west-2, at: 25m, deliveries: 2 }
  - { type: failover, region: us-west-2, at: 1h }
  - { type: failback, region: us-west-2, at: 1h30m }
`;

/** `+<time> <region> <service> <what>`, `-` for none. */
const LINE = /^\+(\S+)\s+(\S+)\s+(\S+)\s+(.+)$/;

describe('the line log of a rehearsal', () => {
  const io = recordingIo();
  let lines: Array<{ time: string; region: string; service: string; what: string }> = [];

  beforeAll(async () => {
    const progress = new LiveProgress(fixturePlan('two-regions').plan, io);
    await rehearseFixture('two-regions', {
      faults: FAULTS,
      onAudit: (entry, elapsed, fleet) => progress.update(entry, elapsed, fleet),
      onProgress: (event) => progress.progress(event),
    });
    lines = io.err.map((line) => {
      const [, time, region, service, what] = LINE.exec(line) ?? [];
      return { time: time!, region: region!, service: service!, what: what! };
    });
  }, 120_000);

  const find = (pattern: RegExp, where: { region?: string; service?: string } = {}) =>
    lines.filter(
      (line) =>
        pattern.test(line.what) &&
        (where.region === undefined || line.region === where.region) &&
        (where.service === undefined || line.service === where.service),
    );

  it('writes nothing but grep-able lines, none on stdout', () => {
    expect(io.out).toEqual([]);
    expect(io.err.length).toBeGreaterThan(40);
    for (const line of io.err) expect(line).toMatch(LINE);
  });

  it('names each step of each service, with its number, count and the plan’s name for it', () => {
    const auth = find(/^step /, { region: 'us-east-1', service: 'auth' }).map((line) => line.what);
    expect(auth).toEqual([
      'step 1/4 setWeight 25 done (stable 75 / canary 25)',
      'step 2/4 analysis 2m pass: 2 of 2 interval(s) passed, 0 failed',
      'step 2/4 analysis 2m done',
      'step 3/4 setWeight 100 done (stable 0 / canary 100)',
      'step 4/4 promote done (stable 100 / canary 0)',
    ]);
    expect(find(/^step 1\/1 recreate done$/, { region: 'us-east-1', service: 'store' })).toHaveLength(1);
  });

  it('says when each wave starts and ends', () => {
    expect(find(/^wave 1 started \(us-east-1\)$/)).toHaveLength(1);
    expect(find(/^wave 1 done \(us-east-1\)$/)).toHaveLength(1);
    expect(find(/^wave 2 started \(us-west-2\)$/)).toHaveLength(1);
    const order = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line.what));
    expect(order(/^wave 1 done/)).toBeLessThan(order(/^wave 2 started/));
  });

  it('tells of each retry of the throttled weight change where it happened', () => {
    const retries = find(/^retrying: shiftTraffic attempt \d failed \(ThrottlingException\)$/, {
      region: 'us-east-1',
      service: 'auth',
    });
    expect(retries.map((line) => line.what)).toEqual([
      'retrying: shiftTraffic attempt 1 failed (ThrottlingException)',
      'retrying: shiftTraffic attempt 2 failed (ThrottlingException)',
    ]);
  });

  it('tells of the second release refused by the lock when it is refused, not only in the summary', () => {
    const [refused, ...more] = find(/^second release fixture-two-regions-second REFUSED by the lock: /);
    expect(more).toEqual([]);
    expect(refused!.time).toBe('3m');
    expect(refused!.what).toContain('locked by release fixture-two-regions');
  });

  it('tells of the alarm, and of its duplicate delivery ignored', () => {
    const [alarm] = find(/^alarm auth-us-west-2-canary-errors in ALARM: rolling back$/, {
      region: 'us-west-2',
    });
    expect(alarm?.time).toBe('25m');
    const duplicates = find(
      /^duplicate alarm auth-us-west-2-canary-errors ignored \(event \S+ seen before\)$/,
      {
        region: 'us-west-2',
      },
    );
    expect(duplicates).toHaveLength(1);
    expect(find(/^rollback started/)).toHaveLength(1);
    expect(find(/^rolled back$/, { region: 'us-west-2', service: 'auth' })).toHaveLength(1);
  });

  it('tells of the failover and the failback of us-west-2, each step of them', () => {
    const failover = find(/^(failover|failback) |DNS weights|replicas scaled/, { region: 'us-west-2' });
    expect(failover.map((line) => line.what.replace(/fail(over|back)-us-west-2-\w+/g, 'ID'))).toEqual([
      'failover planned (ID)',
      'ID: replicas scaled for 3 service(s)',
      'ID: DNS weights now us-west-2 0, us-east-1 150',
      'failover completed (ID)',
      'failback planned (ID)',
      'ID: DNS weights now us-east-1 100, us-west-2 50',
      'ID: replicas scaled for 3 service(s)',
      'failback completed (ID)',
    ]);
    expect(failover[0]!.time).toBe('1h');
  });

  it('tells of an alarm handler invocation that failed, and that Lambda tries it again', () => {
    // No fault makes the alarm handler fail; its failure as the rehearsal reports it (async-invocations.ts).
    const failed = recordingIo();
    const progress = new LiveProgress(fixturePlan('two-regions').plan, failed);
    const error = {
      at: '2026-01-05T09:20:00.000Z',
      atSeconds: 1200,
      source: 'alarmHandler' as const,
      operation: 'onAlarm',
      error: 'ProvisionedThroughputExceededException',
      message: 'throttled',
      alarmName: 'auth-us-east-1-canary-errors',
      attempt: 1,
      retryInSeconds: 60,
    };
    progress.progress({ kind: 'error', error });
    progress.progress({
      kind: 'error',
      error: { ...error, attempt: 3, retryInSeconds: undefined, deadLettered: true },
    });
    expect(failed.err).toEqual([
      '+20m      -         -      alarm handler (auth-us-east-1-canary-errors) attempt 1 failed: ProvisionedThroughputExceededException — retrying in 1m',
      '+20m      -         -      alarm handler (auth-us-east-1-canary-errors) attempt 3 failed: ProvisionedThroughputExceededException — dead-lettered, the alarm never reached its release',
    ]);
  });
});
