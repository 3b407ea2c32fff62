/**
 * A region goes down mid-release: what can be restored is, and what cannot is reported, region
 * by region and service by service, for a person to finish.
 */
import { describe, expect, it } from 'vitest';
import { expectNeedsAPerson, expectRolledBack, rehearseFixture } from '../fixtures/rehearsal';

describe('a region outage', () => {
  it('in the second wave: the first region is restored, what is left in the lost one is named', async () => {
    // Wave 2 (us-west-2) starts at about +18m40s; the region goes down 22 minutes in, for good.
    const result = await rehearseFixture('two-regions', {
      faults: 'faults: [{ type: regionOutage, region: us-west-2, at: 22m }]',
    });

    expectNeedsAPerson(result);
    expect(result.reason).toContain('us-west-2');
    expect(result.reason).not.toContain('us-east-1');
    // us-east-1 had completed; it is back on its snapshot with stable traffic at 100 %.
    for (const [service, state] of Object.entries(result.regions['us-east-1']!)) {
      expect(state.status, service).toBe('ROLLED_BACK');
      expect(state.image, service).toBe(state.previousImage);
      if (state.weights) expect(state.weights, service).toEqual({ stable: 100, canary: 0 });
    }
    expect(result.executions.find((execution) => execution.machine === 'rollback')).toMatchObject({
      status: 'FAILED',
      error: 'RollbackIncompleteError',
    });
    // What cannot be read in the lost region says so; the other region can be read.
    for (const [service, state] of Object.entries(result.regions['us-west-2']!))
      expect(state.unreachable, service).toBe(true);
    for (const state of Object.values(result.regions['us-east-1']!))
      expect(state.unreachable).toBeUndefined();
    expect(result.faults?.windows).toEqual([
      { type: 'regionOutage', label: 'us-west-2 down', region: 'us-west-2', fromSeconds: 22 * 60 },
    ]);
    // Stable traffic never came back everywhere: there is no time to rollback.
    expect(result.counters.timeToRollbackSeconds).toBeUndefined();
  });

  it('that ends while the rollback still retries: the rollback finishes and everything is restored', async () => {
    const result = await rehearseFixture('two-regions', {
      faults: 'faults: [{ type: regionOutage, region: us-west-2, at: 22m, until: 26m }]',
    });

    expectRolledBack(result);
    const rollbacks = result.executions.filter((execution) => execution.machine === 'rollback');
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0]!.endSeconds).toBeGreaterThanOrEqual(26 * 60);
  });
});
