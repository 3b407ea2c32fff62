/** How virtual times and durations read in the report. */

/** A duration with its two largest units: `25.7s`, `11m 05s`, `3h 07m`. */
export function formatSpan(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds < 0) return '–';
  if (totalSeconds < 60) {
    const rounded = Math.round(totalSeconds * 10) / 10;
    return `${Number.isInteger(rounded) ? rounded : rounded.toFixed(1)}s`;
  }
  const whole = Math.round(totalSeconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const seconds = whole % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** A moment of the release, counted from its start: `T+0:11:00`, `T+9:23:39`. */
export function formatOffset(atSeconds: number): string {
  const whole = Math.max(0, Math.floor(atSeconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const seconds = whole % 60;
  return `T+${hours}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/** An axis label: `0`, `45s`, `30m`, `2h`, `1h 30m`. */
export function formatTick(atSeconds: number): string {
  if (atSeconds === 0) return '0';
  if (atSeconds < 60) return `${atSeconds}s`;
  const hours = Math.floor(atSeconds / 3600);
  const minutes = Math.floor((atSeconds % 3600) / 60);
  const seconds = atSeconds % 60;
  if (hours === 0) return seconds ? `${minutes}m ${seconds}s` : `${minutes}m`;
  return minutes ? `${hours}h ${minutes}m` : `${hours}h`;
}

const TICK_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400,
];

/** Round-numbered axis ticks from 0 to at least `horizonSeconds`, at most about `maxTicks` of them. */
export function timeTicks(horizonSeconds: number, maxTicks = 12): number[] {
  const horizon = Math.max(horizonSeconds, 1);
  const step =
    TICK_STEPS.find((candidate) => horizon / candidate <= maxTicks) ??
    Math.ceil(horizon / maxTicks / 86_400) * 86_400;
  const ticks: number[] = [];
  for (let tick = 0; tick <= horizon + 1e-9; tick += step) ticks.push(tick);
  return ticks;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
