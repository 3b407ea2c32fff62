/**
 * What the report's time charts share: their horizontal measures, colours, row height, the
 * virtual-time axis, and the fitting of names into rows.
 */
import { formatTick, timeTicks } from './format';
import { coordinate as c, html, type SafeHtml } from './html';
import type { Outcome, ReportModel } from './model';

/** Both charts use these horizontal measures, so a moment sits at the same x in each. */
export const WIDTH = 1320;
export const LABEL_WIDTH = 228;
export const RIGHT_PAD = 24;
export const PLOT_WIDTH = WIDTH - LABEL_WIDTH - RIGHT_PAD;

export const OUTCOME_LABEL: Record<Outcome, string> = {
  completed: 'completed',
  rolledBack: 'rolled back',
  failed: 'failed',
  running: 'in progress',
  unreachable: 'unknown / unreachable',
  pending: 'not started',
};

/** Okabe–Ito colours: told apart with the common colour-vision deficiencies. */
export const REGION_COLOURS = ['#0072B2', '#CC79A7', '#009E73', '#E69F00', '#56B4E9', '#D55E00', '#332288'];

/** Roughly how wide a label is in the report's sans-serif face, for fitting text. */
export function textWidth(label: string, fontSize: number): number {
  return label.length * fontSize * 0.56;
}

export interface Axis {
  horizon: number;
  x: (atSeconds: number) => number;
  ticks: number[];
}

export function axisFor(model: ReportModel): Axis {
  const horizon = model.horizonSeconds;
  return {
    horizon,
    x: (atSeconds) => LABEL_WIDTH + (Math.min(Math.max(atSeconds, 0), horizon) / horizon) * PLOT_WIDTH,
    ticks: timeTicks(horizon, 12).filter((tick) => tick <= horizon),
  };
}

/** The attributes the page's script reads to turn a pointer position into a virtual time. */
export function timeChartAttributes(axis: Axis): SafeHtml {
  return html`data-plot-left="${LABEL_WIDTH}" data-plot-width="${PLOT_WIDTH}" data-horizon="${c(axis.horizon)}"`;
}

export function gridLines(axis: Axis, top: number, bottom: number): SafeHtml {
  return html`<g class="grid">${axis.ticks.map(
    (tick) => html`<line x1="${c(axis.x(tick))}" x2="${c(axis.x(tick))}" y1="${top}" y2="${bottom}"/>`,
  )}</g>`;
}

export function tickLabels(axis: Axis, y: number): SafeHtml {
  return html`<g class="tick-labels">${axis.ticks.map(
    (tick, index) =>
      html`<text x="${c(axis.x(tick))}" y="${y}" text-anchor="${index === 0 ? 'start' : 'middle'}">${formatTick(tick)}</text>`,
  )}</g>`;
}

export const LANE_HEIGHT = 26;

export const PENDING_SEPARATOR = '  ·  ';

/** Splits names into lines that fit `width` when joined by the separator. */
export function fitIntoRows(names: readonly string[], width: number): string[][] {
  const rows: string[][] = [];
  let current: string[] = [];
  for (const name of names) {
    const candidate = [...current, name].join(PENDING_SEPARATOR);
    if (current.length > 0 && textWidth(candidate, 12) > width) {
      rows.push(current);
      current = [];
    }
    current.push(name);
  }
  if (current.length > 0) rows.push(current);
  return rows;
}
