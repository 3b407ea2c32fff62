/**
 * Losing a region mid-release, failing it over and failing it back in one rehearsal: the
 * operator's failover and failback go through the API's use case and the real failover state
 * machine, and the rehearsal's document says what each one moved, from the records they wrote.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderSummary } from '../../../bin/cli/rehearse-command';
import type { RehearsalResult } from '../../../rehearsal/rehearse';
import {
  expectCompleted,
  expectNeedsAPerson,
  fixturePlan,
  rehearseExample,
  rehearseFixture,
} from '../fixtures/rehearsal';

const SINGLE_WRITERS = ['postgres', 'redis'];

describe('examples/faults/region-failover.yaml on the reference platform', () => {
  // One rehearsal of the reference platform (about a minute of wall time), judged from several sides.
  let result: RehearsalResult;
  beforeAll(async () => {
    result = await rehearseExample('platform.yaml', 'faults/region-failover.yaml');
  }, 300_000);

  it('fails the release (exit 4): us-west-2 is down when its rollback runs', () => {
    expectNeedsAPerson(result);
    expect(result.reason).toContain('us-west-2');
    expect(result.failovers.map(({ direction, region, status }) => ({ direction, region, status }))).toEqual([
      { direction: 'failover', region: 'us-west-2', status: 'SUCCEEDED' },
      { direction: 'failback', region: 'us-west-2', status: 'SUCCEEDED' },
    ]);
    // Each ran the real failover state machine, asked for at the fault's time.
    const [failover, failback] = result.failovers;
    expect(failover!.atSeconds).toBe(5 * 3600 + 10 * 60);
    expect(failback!.atSeconds).toBe(6 * 3600 + 30 * 60);
    for (const entry of result.failovers) {
      expect(result.executions.find((execution) => execution.name === entry.failoverId)).toMatchObject({
        machine: 'failover',
        status: 'SUCCEEDED',
      });
    }
  });

  it("sets us-west-2's Route 53 weight to 0 only after the other regions were scaled up", () => {
    const [failover] = result.failovers;
    expect(failover!.dnsWeightsBefore).toEqual({ use1: 100, usw2: 100, euw1: 50 });
    expect(failover!.dnsWeightsAfter).toEqual({ use1: 167, usw2: 0, euw1: 83 });
    expect(failover!.replicasChangedSeconds).toBeDefined();
    expect(failover!.dnsChangedSeconds).toBeGreaterThan(failover!.replicasChangedSeconds!);

    const changes = failover!.replicaChanges;
    expect(new Set(changes.map((change) => change.region))).toEqual(new Set(['us-east-1', 'eu-west-1']));
    for (const change of changes) {
      expect(change.after, `${change.service} in ${change.region}`).toBeGreaterThan(change.before);
    }
  });

  it('leaves the replicas of postgres and redis (strategy recreate) unchanged', () => {
    for (const entry of result.failovers) {
      expect(entry.replicaChanges.filter((change) => SINGLE_WRITERS.includes(change.service))).toEqual([]);
      for (const region of ['us-east-1', 'eu-west-1']) {
        for (const service of SINGLE_WRITERS) {
          expect(entry.unscaled).toContainEqual({ region, service, reason: 'strategy recreate' });
        }
      }
    }
  });

  it("restores us-west-2's weight and the survivors' replicas after the failback", () => {
    const [failover, failback] = result.failovers;
    expect(failback!.dnsWeightsBefore).toEqual(failover!.dnsWeightsAfter);
    expect(failback!.dnsWeightsAfter).toEqual(failover!.dnsWeightsBefore);
    // The fleet's record itself, as it stands when the rehearsal ends.
    expect(result.dns).toEqual({ use1: 100, usw2: 100, euw1: 50 });
    // Failback moves the weight back first, then returns the survivors to their replicas.
    expect(failback!.replicasChangedSeconds).toBeGreaterThan(failback!.dnsChangedSeconds!);
    expect(failback!.replicaChanges).toEqual(
      failover!.replicaChanges.map((change) => ({ ...change, before: change.after, after: change.before })),
    );
  });

  it('lists each failover and failback in the text summary: DNS weights before → after, replica changes', () => {
    const text = renderSummary(result);
    const failover = text.slice(text.indexOf('  failover of us-west-2'), text.indexOf('  failback of'));
    const failback = text.slice(text.indexOf('  failback of us-west-2'));
    expect(failover).toMatch(
      /^ {2}failover of us-west-2 at \+5h10m: SUCCEEDED \(failover-us-west-2-20260105T141000Z\)\n/,
    );
    expect(failover).toContain(
      'DNS weights use1 100, usw2 100, euw1 50 → use1 167, usw2 0, euw1 83 (at +5h10m50s)',
    );
    expect(failover).toContain('replicas (at +5h10m)');
    expect(failover).toMatch(/us-east-1 {2}auth +6 → 10\n/);
    expect(failover).toMatch(/eu-west-1 {2}api-gateway +6 → 10\n/);
    expect(failover).toMatch(/left alone\n(?: +\S+ +\S+ +strategy recreate\n){6}/);
    expect(failover).toMatch(/us-east-1 {2}postgres +strategy recreate/);
    expect(failback).toMatch(
      /^ {2}failback of us-west-2 at \+6h30m: SUCCEEDED \(failback-us-west-2-20260105T153000Z\)\n/,
    );
    expect(failback).toContain(
      'DNS weights use1 167, usw2 0, euw1 83 → use1 100, usw2 100, euw1 50 (at +6h30m)',
    );
    expect(failback).toMatch(/us-east-1 {2}auth +10 → 6\n/);
    // Single writers are never in a replica change.
    expect(text).not.toMatch(/(postgres|redis) +\d+ → \d+/);
  });
});

describe('failover faults the API refuses', () => {
  it('are reported REFUSED with why, and change nothing', async () => {
    // The release ends at +34m40s; the operator acts after it.
    const result = await rehearseFixture('two-regions', {
      faults: `
faults:
  - { type: failover, region: us-west-2, at: 1h }
  - { type: failover, region: us-east-1, at: 1h10s }
  - { type: failback, region: us-west-2, at: 1h20s }
`,
    });
    expectCompleted(result, fixturePlan('two-regions').plan);
    const [failover, second, failback] = result.failovers;
    expect(failover).toMatchObject({
      status: 'SUCCEEDED',
      dnsWeightsBefore: { use1: 100, usw2: 50 },
      dnsWeightsAfter: { use1: 150, usw2: 0 },
    });
    // One failover at a time: the first still holds the failover lock.
    expect(second).toMatchObject({ direction: 'failover', region: 'us-east-1', status: 'REFUSED' });
    expect(second!.reason).toContain(failover!.failoverId);
    // A failback waits for the failover it reverses to end.
    expect(failback).toMatchObject({ direction: 'failback', region: 'us-west-2', status: 'REFUSED' });
    expect(failback!.reason).toMatch(/is still running: fail back once it has ended/);
    for (const refused of [second!, failback!]) {
      expect(refused.failoverId).toBeUndefined();
      expect(refused.dnsWeightsBefore).toBeUndefined();
      expect(refused.replicaChanges).toEqual([]);
    }
    expect(result.dns).toEqual({ use1: 150, usw2: 0 });
  }, 120_000);
});
