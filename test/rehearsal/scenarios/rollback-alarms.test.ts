/**
 * The plan's rollbackAlarms (examples/platform.yaml lists switchyard-rollback-platform-5xx):
 * watched in every region for the whole release, found by preflight in every region, and an
 * ALARM anywhere rolls every wave back.
 */
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../../lambdas/core/plan/load';
import { resolvePlan } from '../../../lambdas/core/plan/resolve';
import { rehearse } from '../../../rehearsal/rehearse';
import { readExample } from '../../core/plan/documents';
import { expectRolledBack, fixtureFaults, rehearseExample } from '../fixtures/rehearsal';

const ALARM = 'switchyard-rollback-platform-5xx';

describe('rollbackAlarms', () => {
  it('rolls the release back, wave 1 too, when the alarm enters ALARM in a later wave’s region', async () => {
    const result = await rehearseExample('platform.yaml', 'faults/rollback-alarm.yaml');
    expectRolledBack(result);
    expect(result.reason).toContain(`alarm ${ALARM} in us-west-2 entered ALARM`);
    const east = Object.values(result.regions['us-east-1']!);
    expect(east.length).toBe(13);
    expect(east.every((service) => service.status === 'ROLLED_BACK')).toBe(true);
    expect(Object.values(result.regions['eu-west-1']!).every((service) => service.status === 'PENDING')).toBe(
      true,
    );
  }, 120_000);

  it('is refused by preflight, naming rollbackAlarms[0] and the region, when a region lacks the alarm', async () => {
    const loaded = loadPlan(readExample('platform.yaml'));
    if (!loaded.ok) throw new Error('examples/platform.yaml should load');
    const plan = resolvePlan(loaded.plan);
    const faults = fixtureFaults(
      `faults: [{ type: missingResource, kind: alarm, name: ${ALARM}, region: eu-west-1 }]`,
      plan,
    );
    const result = await rehearse({ plan, planDocument: loaded.plan, faults, seed: 1 });
    expect(result.status).toBe('REFUSED');
    expect(result.preflight?.problems).toEqual([
      {
        path: 'rollbackAlarms[0]',
        region: 'eu-west-1',
        resource: `CloudWatch alarm "${ALARM}" (eu-west-1)`,
        message: `CloudWatch alarm "${ALARM}" does not exist in eu-west-1 (the release rolls back when it enters ALARM)`,
      },
    ]);
  }, 120_000);
});
