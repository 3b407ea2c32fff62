import { describe, expect, it } from 'vitest';
import {
  firstWholeMinute,
  intervalCount,
  isWholeMinutes,
  metricWaitEstimateSeconds,
  PUBLICATION_ALLOWANCE_SECONDS,
  planMetricWindow,
  readableWindow,
} from '../../lambdas/core/metric-window';

const at = (time: string) => new Date(`2026-11-22T${time}Z`);
const iso = (window: { from: Date; to: Date }) => [window.from.toISOString(), window.to.toISOString()];

describe('isWholeMinutes', () => {
  it.each([
    [60, true],
    [120, true],
    [3600, true],
    [30, false],
    [90, false],
    [0, false],
    [59.5, false],
  ])('%d s: %s', (seconds, whole) => {
    expect(isWholeMinutes(seconds)).toBe(whole);
  });
});

describe('firstWholeMinute', () => {
  it('rounds up to the minute, and keeps a whole minute', () => {
    expect(firstWholeMinute(at('10:00:13.400')).toISOString()).toBe('2026-11-22T10:01:00.000Z');
    expect(firstWholeMinute(at('10:00:00.001')).toISOString()).toBe('2026-11-22T10:01:00.000Z');
    expect(firstWholeMinute(at('10:00:00')).toISOString()).toBe('2026-11-22T10:00:00.000Z');
  });
});

describe('intervalCount', () => {
  it('covers the whole duration with whole intervals, at least one', () => {
    expect(intervalCount(600, 60)).toBe(10);
    expect(intervalCount(90, 60)).toBe(2);
    expect(intervalCount(300, 120)).toBe(3);
    expect(intervalCount(0, 60)).toBe(1);
  });
});

describe('planMetricWindow', () => {
  it('starts at the first whole minute after the shift and waits until its last period is published', () => {
    // Shift at 10:00:13.4 → periods 10:01–10:11; the last is published by 10:14.
    const plan = planMetricWindow(at('10:00:13.400'), 600, 60);
    expect(plan.windowStart.toISOString()).toBe('2026-11-22T10:01:00.000Z');
    expect(plan.waitSeconds).toBe(47 + 600 + PUBLICATION_ALLOWANCE_SECONDS);
  });

  it('waits no longer to align when the shift is on a whole minute', () => {
    expect(planMetricWindow(at('10:00:00'), 120, 60)).toEqual({
      windowStart: at('10:00:00'),
      waitSeconds: 120 + PUBLICATION_ALLOWANCE_SECONDS,
    });
  });

  it('covers a duration that is not a whole number of intervals with one more interval', () => {
    const plan = planMetricWindow(at('10:00:00'), 300, 120);
    expect(plan.waitSeconds).toBe(360 + PUBLICATION_ALLOWANCE_SECONDS);
  });

  it('refuses an interval that is not whole minutes: standard-resolution metrics have none', () => {
    expect(() => planMetricWindow(at('10:00:00'), 300, 30)).toThrow(/whole number of minutes \(got 30 s\)/);
  });

  it('never waits longer than the planner estimates', () => {
    for (const second of [0, 1, 13, 59]) {
      const shift = new Date(at('10:00:00').getTime() + second * 1000 + 500);
      expect(planMetricWindow(shift, 600, 60).waitSeconds).toBeLessThanOrEqual(
        metricWaitEstimateSeconds(600, 60),
      );
    }
    expect(metricWaitEstimateSeconds(600, 60)).toBe(60 + 600 + PUBLICATION_ALLOWANCE_SECONDS);
  });
});

describe('readableWindow', () => {
  const windowStart = at('10:01:00');
  const read = (now: string, durationSeconds = 600, intervalSeconds = 60) =>
    readableWindow({ windowStart, now: at(now), durationSeconds, intervalSeconds });

  it('after the Wait, is the whole window', () => {
    const plan = planMetricWindow(at('10:00:13.400'), 600, 60);
    const now = new Date(at('10:00:13.400').getTime() + plan.waitSeconds * 1000);
    expect(
      iso(readableWindow({ windowStart: plan.windowStart, now, durationSeconds: 600, intervalSeconds: 60 })),
    ).toEqual(['2026-11-22T10:01:00.000Z', '2026-11-22T10:11:00.000Z']);
  });

  it('ends at the last period old enough to be published, never in a period not yet complete', () => {
    // At 10:06:30, periods ending by 10:03:30 are published: 10:01–10:02 and 10:02–10:03.
    expect(iso(read('10:06:30'))).toEqual(['2026-11-22T10:01:00.000Z', '2026-11-22T10:03:00.000Z']);
    expect(read('10:06:30').periodSeconds).toBe(60);
  });

  it('is empty when no period of it can have been published', () => {
    const window = read('10:03:59');
    expect(window.to.getTime()).toBe(window.from.getTime());
  });

  it('never runs past the analysis duration, however late it is read (a retried task)', () => {
    expect(iso(read('11:30:00', 120))).toEqual(['2026-11-22T10:01:00.000Z', '2026-11-22T10:03:00.000Z']);
  });

  it('reads whole intervals of several minutes', () => {
    // 5-minute intervals: at 10:14, only 10:01–10:06 and 10:06–10:11 are complete and published.
    expect(iso(read('10:14:00', 900, 300))).toEqual(['2026-11-22T10:01:00.000Z', '2026-11-22T10:11:00.000Z']);
  });

  it('without a start, is the latest published window of the duration', () => {
    expect(iso(readableWindow({ now: at('10:20:30'), durationSeconds: 120, intervalSeconds: 60 }))).toEqual([
      '2026-11-22T10:15:00.000Z',
      '2026-11-22T10:17:00.000Z',
    ]);
  });
});
