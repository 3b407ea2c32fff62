/** The plan's `rollback.ramp`: weights that fall strictly to 0, bounded, and where it applies. */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../../lambdas/core/plan/check';
import { resolvePlan } from '../../../lambdas/core/plan/resolve';
import { type Document, problemsOf, service, validDocument } from './documents';
import { withServices } from './validate-support';

const withRamp = (ramp: unknown): Document => ({
  ...validDocument(),
  defaults: { ...(validDocument().defaults as Document), rollback: { ramp } },
});

describe('rollback.ramp', () => {
  it('accepts weights that fall strictly to 0', () => {
    expect(problemsOf(withRamp({ steps: [75, 50, 25, 0], interval: '30s' }))).toEqual([]);
    expect(problemsOf(withRamp({ steps: [0], interval: '10m' }))).toEqual([]);
  });

  it('refuses a weight that does not fall, naming it and the one before', () => {
    expect(problemsOf(withRamp({ steps: [50, 50, 0], interval: '30s' }))).toEqual([
      {
        path: 'defaults.rollback.ramp.steps[1]',
        message: "weight 50 does not decrease from 50 at steps[0]: a ramp's weights must fall strictly",
      },
    ]);
  });

  it('refuses a ramp that does not end at 0', () => {
    expect(problemsOf(withRamp({ steps: [50, 10], interval: '30s' }))).toEqual([
      {
        path: 'defaults.rollback.ramp.steps[1]',
        message: 'the ramp ends at 10 %, not 0: end with 0 so the canary gets no traffic',
      },
    ]);
  });

  it('refuses weights outside 0..100, too many steps and too long an interval', () => {
    expect(problemsOf(withRamp({ steps: [150, 0], interval: '30s' }))).toEqual([
      {
        path: 'defaults.rollback.ramp.steps[0]',
        message: 'weight 150 is outside 0..100 (a whole percentage)',
      },
    ]);
    const eleven = [100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 0];
    expect(problemsOf(withRamp({ steps: eleven, interval: '30s' }))).toEqual([
      { path: 'defaults.rollback.ramp.steps', message: expect.stringContaining('10') },
    ]);
    expect(problemsOf(withRamp({ steps: [50, 0], interval: '11m' }))).toEqual([
      {
        path: 'defaults.rollback.ramp.interval',
        message: "must be at most 10m: the whole ramp stays inside the rollback's lease",
      },
    ]);
  });

  it('applies defaults.rollback to every service, and a service’s own rollback replaces it', () => {
    const document = withServices(
      service('db'),
      { ...service('api'), rollback: { ramp: { steps: [20, 0], interval: '1m' } } },
      { ...service('web'), rollback: {} },
    );
    (document.defaults as Document).rollback = { ramp: { steps: [50, 0], interval: '30s' } };
    const checked = checkPlan(document);
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    const services = resolvePlan(checked.plan).services;
    expect(services.get('db')?.rollbackRamp).toEqual({ steps: [50, 0], intervalSeconds: 30 });
    expect(services.get('api')?.rollbackRamp).toEqual({ steps: [20, 0], intervalSeconds: 60 });
    expect(services.get('web')?.rollbackRamp).toBeUndefined();
  });
});
