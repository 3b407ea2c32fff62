/**
 * Every random choice of a rehearsal (retry jitter, request rates, readiness delays) comes from
 * its seed: the same plan, faults and seed give the same result and the same timeline.
 */
import { describe, expect, it } from 'vitest';
import type { RehearsalResult } from '../../../rehearsal/rehearse';
import { type FixturePlanName, rehearseFixture, rehearseFixtureOnce } from '../fixtures/rehearsal';

/** Throttling adds retry jitter to the run; the degraded dependent makes it roll back. */
const FAULTS = `
faults:
  - { type: operationFailure, operation: traffic.setWeights, service: auth, times: 2, error: ThrottlingException }
  - { type: degradedVersion, service: web, errorRatePercent: 20 }
`;

const timeline = (result: RehearsalResult) =>
  result.audit.map(({ atSeconds, action, region, service }) => ({ atSeconds, action, region, service }));

describe('determinism', () => {
  it.each<[string, FixturePlanName, string]>([
    ['retries with jitter, then a failed analysis', 'canary', FAULTS],
    [
      'a duplicated alarm during the first wave',
      'two-regions',
      'faults: [{ type: alarm, alarmName: auth-us-east-1-canary-errors, region: us-east-1, at: 2m, deliveries: 2 }]',
    ],
  ])(
    '%s: the same plan, faults and seed give the same timeline and result twice',
    async (_, fixture, faults) => {
      const first = await rehearseFixtureOnce(fixture, { faults, seed: 42 });
      const second = await rehearseFixture(fixture, { faults, seed: 42 });

      expect(first.status).toBe('ROLLED_BACK');
      expect(timeline(second)).toEqual(timeline(first));
      expect(second.regions).toEqual(first.regions);
      // Store calls aside: like a warm Lambda container, the process keeps what the first run
      // read (the plan, snapshot replicas, when parked lanes last had a heartbeat).
      const { storeCalls: _first, ...firstCounters } = first.counters;
      const { storeCalls: _second, ...secondCounters } = second.counters;
      expect(secondCounters).toEqual(firstCounters);
      // Down to which lane claimed which service, and every detail of the audit.
      expect(second.executions).toEqual(first.executions);
      expect(second.audit).toEqual(first.audit);
    },
  );

  it('another seed gives another timeline', async () => {
    const first = await rehearseFixtureOnce('canary', { faults: FAULTS, seed: 42 });
    const other = await rehearseFixture('canary', { faults: FAULTS, seed: 43 });
    expect(timeline(other)).not.toEqual(timeline(first));
  });
});
