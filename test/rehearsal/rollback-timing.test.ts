import { describe, expect, it } from 'vitest';
import { rollbackTiming } from '../../rehearsal/rollback-timing';

const entry = (atSeconds: number, action: string, region?: string) => ({
  atSeconds,
  action,
  ...(region && { region }),
});

describe('rollback timing', () => {
  it('runs from the trigger to the completion, with the moment traffic went back per region', () => {
    // Recorded in either order at one instant: the rollback started with the failed analysis.
    const timing = rollbackTiming([
      entry(720, 'rollback.started'),
      entry(720, 'rollback.traffic-restored', 'us-east-1'),
      entry(720, 'analysis.fail', 'us-east-1'),
      entry(735, 'service.rolled-back', 'us-east-1'),
      entry(740, 'rollback.completed'),
    ]);
    expect(timing).toMatchObject({
      trigger: { action: 'analysis.fail' },
      fromSeconds: 720,
      trafficRestored: [{ region: 'us-east-1', atSeconds: 720 }],
      outcome: 'completed',
      endSeconds: 740,
      timeToRollbackSeconds: 20,
    });
  });

  it('counts from the alarm when it came before the rollback started', () => {
    const timing = rollbackTiming([
      entry(100, 'alarm.received', 'us-east-1'),
      entry(101.5, 'rollback.started'),
      entry(130, 'rollback.completed'),
    ]);
    expect(timing?.timeToRollbackSeconds).toBe(30);
  });

  it('has no time to rollback when the rollback gave up or never ended', () => {
    const incomplete = rollbackTiming([
      entry(100, 'service.failed', 'us-west-2'),
      entry(100, 'rollback.started'),
      entry(100, 'rollback.traffic-restored', 'us-east-1'),
      entry(1500, 'rollback.incomplete'),
    ]);
    expect(incomplete).toMatchObject({ outcome: 'incomplete', endSeconds: 1500 });
    expect(incomplete?.timeToRollbackSeconds).toBeUndefined();
    expect(rollbackTiming([entry(5, 'rollback.started')])?.outcome).toBe('unfinished');
  });

  it('counts from the start of a rollback a person asked for, and is absent without one', () => {
    expect(rollbackTiming([entry(50, 'rollback.started'), entry(80, 'rollback.completed')])).toMatchObject({
      fromSeconds: 50,
      timeToRollbackSeconds: 30,
    });
    expect(rollbackTiming([entry(50, 'analysis.fail')])).toBeUndefined();
  });
});
