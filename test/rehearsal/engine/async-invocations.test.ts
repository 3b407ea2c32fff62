import { describe, expect, it } from 'vitest';
import { AsyncInvocations, type RehearsalError } from '../../../rehearsal/async-invocations';
import { VirtualScheduler } from '../../../rehearsal/engine/virtual-time';

const START = new Date('2026-01-01T00:00:00Z');

describe('an alarm handler invoked as Lambda invokes asynchronously', () => {
  it('is retried after 1 and 2 minutes, then dead-lettered; each failure is told as it happens', async () => {
    const scheduler = new VirtualScheduler(START);
    const told: Array<Pick<RehearsalError, 'attempt' | 'atSeconds' | 'deadLettered'>> = [];
    const invocations = new AsyncInvocations(scheduler, START, ({ attempt, atSeconds, deadLettered }) =>
      told.push({ attempt, atSeconds, ...(deadLettered && { deadLettered }) }),
    );
    let calls = 0;
    invocations.invoke(
      async () => {
        calls += 1;
        throw new Error('ProvisionedThroughputExceededException');
      },
      { source: 'alarmHandler', operation: 'onAlarm', alarmName: 'auth-5xx', eventId: 'e-1' },
    );
    expect(await scheduler.runUntil(() => invocations.pending() === 0)).toBe('finished');
    expect(calls).toBe(3);
    expect(told).toEqual([
      { attempt: 1, atSeconds: 0 },
      { attempt: 2, atSeconds: 60 },
      { attempt: 3, atSeconds: 180, deadLettered: true },
    ]);
    expect(invocations.errors).toHaveLength(3);
  });
});
