/**
 * Plans whose `drain` cannot work, refused by name and path before anything runs; the plans
 * beside them that work pass.
 */
import { describe, expect, it } from 'vitest';
import { type Document, problemsOf, validDocument } from './documents';
import { EU_WEST, US_EAST } from './refusals-support';

const RECORD = { hostedZoneId: 'Z0SHOP', recordName: 'shop.example.com' };
const US_WEST = { name: 'us-west-2', cluster: 'shop-usw2', wave: 2 };

/** Three regions in the record, us-east-1 in wave 1, the others in wave 2; `drain` on the indexes given. */
function drained(drains: Record<number, unknown>, change: (document: Document) => void = () => {}): Document {
  const document: Document = {
    ...validDocument(),
    dns: RECORD,
    regions: [US_EAST, EU_WEST, US_WEST].map((region, index) => ({
      ...region,
      dns: { setIdentifier: `region-${index}`, weight: 100 },
      ...(drains[index] !== undefined && { drain: drains[index] }),
    })),
  };
  change(document);
  return document;
}

describe('drain', () => {
  it('passes drain: true, and restore steps that rise to 100', () => {
    expect(problemsOf(drained({ 0: true }))).toEqual([]);
    expect(
      problemsOf(drained({ 0: { restoreSteps: [10, 50, 100], restoreInterval: '2m' }, 1: true })),
    ).toEqual([]);
  });

  it('refuses a drain without the plan-level dns record whose weight it moves', () => {
    const withoutRecord = drained({ 0: true }, (document) => {
      delete document.dns;
      for (const region of document.regions) delete region.dns;
    });
    expect(problemsOf(withoutRecord)).toEqual([
      {
        path: 'regions[0].drain',
        message: 'needs the plan-level dns record whose weight the drain moves away',
      },
    ]);
  });

  it('refuses draining a region when no other region has weight: there is nowhere for its weight to go', () => {
    const message =
      "no other region of the dns record has weight above 0: there is nowhere to move us-east-1's weight";
    const alone = drained({ 0: true }, (plan) => {
      plan.regions = [plan.regions[0]];
    });
    expect(problemsOf(alone)).toEqual([{ path: 'regions[0].drain', message }]);
    // Route 53 splits evenly across records that are all at 0: the others at 0 take nothing.
    const othersAtZero = drained({ 0: true }, (plan) => {
      for (const region of plan.regions.slice(1)) region.dns.weight = 0;
    });
    expect(problemsOf(othersAtZero)).toEqual([{ path: 'regions[0].drain', message }]);
  });

  it('bounds the wait between restore steps at an hour: the failover lock is held throughout', () => {
    expect(problemsOf(drained({ 0: { restoreSteps: [50, 100], restoreInterval: '1h' } }))).toEqual([]);
    expect(problemsOf(drained({ 0: { restoreSteps: [50, 100], restoreInterval: '61m' } }))).toEqual([
      {
        path: 'regions[0].drain.restoreInterval',
        message: 'must be at most 1h: the drain holds the failover lock until its weight is back',
      },
    ]);
  });

  it('refuses two drained regions in one wave: both would move the weight of one record at once', () => {
    expect(problemsOf(drained({ 1: true, 2: true }))).toEqual([
      {
        path: 'regions[2].drain',
        message:
          'eu-west-1 is drained in the same wave 2: drain one region of a wave at a time (two drains of one record would each move weight the other is moving)',
      },
    ]);
  });

  it('refuses restore steps that fall, or stop short of 100', () => {
    expect(problemsOf(drained({ 0: { restoreSteps: [50, 50, 100] } }))).toEqual([
      {
        path: 'regions[0].drain.restoreSteps[1]',
        message: '50 does not rise above 50: restore steps rise to 100',
      },
    ]);
    expect(problemsOf(drained({ 0: { restoreSteps: [25, 75] } }))).toEqual([
      {
        path: 'regions[0].drain.restoreSteps[1]',
        message: 'the last restore step is 75, not 100: the region would never get all its weight back',
      },
    ]);
  });

  it('bounds restore steps: whole percentages 1–100, at most 10 of them', () => {
    const paths = (drain: unknown) => problemsOf(drained({ 0: drain })).map((problem) => problem.path);
    expect(paths({ restoreSteps: [0, 100] })).toContain('regions[0].drain.restoreSteps[0]');
    expect(paths({ restoreSteps: [50, 101] })).toContain('regions[0].drain.restoreSteps[1]');
    expect(paths({ restoreSteps: Array.from({ length: 11 }, (_, index) => 9 + index) })).toContain(
      'regions[0].drain.restoreSteps',
    );
    expect(paths(false)).toContain('regions[0].drain');
  });
});
