/**
 * One chart per analysis: the canary's and stable's error rate and p95 latency in each compared
 * period, against what the plan allowed (stable + the allowed increase, stable × the allowed
 * ratio, and the abort limits), with the verdict and any alarm, outage or fault of its region in
 * the chart's span. Inline SVG, on the analysis's own time span.
 */
import { formatOffset, formatSpan } from './format';
import { coordinate as c, html, type SafeHtml } from './html';
import type { AnalysisSeries, AnalysisVerdict, Incident } from './model';

const WIDTH = 640;
const LEFT = 52;
const RIGHT = 14;
const PANEL = 92;
const GAP = 30;
const TOP = 22;
const PLOT = WIDTH - LEFT - RIGHT;

export const CANARY_COLOUR = '#D55E00';
export const STABLE_COLOUR = '#0072B2';

interface Panel {
  title: string;
  unit: string;
  canary: Array<number | undefined>;
  stable: Array<number | undefined>;
  /** Per period: the most the canary may read without failing the period. */
  allowed: Array<number | undefined>;
  allowedLabel: string;
  abort?: number;
  abortLabel?: string;
}

function panels(series: AnalysisSeries): Panel[] {
  const { limits, periods } = series;
  const rate = (value: number | undefined) => value;
  return [
    {
      title: 'error rate',
      unit: '%',
      canary: periods.map((period) => rate(period.canary.errorRatePercent)),
      stable: periods.map((period) => rate(period.stable.errorRatePercent)),
      allowed: periods.map((period) =>
        period.stable.errorRatePercent === undefined
          ? undefined
          : period.stable.errorRatePercent + limits.maxErrorRateIncreasePoints,
      ),
      allowedLabel: `stable + ${limits.maxErrorRateIncreasePoints} points`,
      ...(limits.abortErrorRatePercent !== undefined && {
        abort: limits.abortErrorRatePercent,
        abortLabel: `abort ${limits.abortErrorRatePercent} %`,
      }),
    },
    {
      title: 'p95 latency',
      unit: 'ms',
      canary: periods.map((period) => period.canary.p95LatencyMs),
      stable: periods.map((period) => period.stable.p95LatencyMs),
      allowed: periods.map((period) =>
        period.stable.p95LatencyMs === undefined
          ? undefined
          : period.stable.p95LatencyMs * limits.maxP95LatencyRatio,
      ),
      allowedLabel: `stable × ${limits.maxP95LatencyRatio}`,
      ...(limits.abortP95LatencyMs !== undefined && {
        abort: limits.abortP95LatencyMs,
        abortLabel: `abort ${limits.abortP95LatencyMs} ms`,
      }),
    },
  ];
}

const defined = (values: ReadonlyArray<number | undefined>) =>
  values.filter((value): value is number => value !== undefined);

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 2.5, 5, 10].find((step) => step * magnitude >= value) ?? 10) * magnitude;
}

function fixed(value: number): string {
  return value >= 100 ? String(Math.round(value)) : String(Math.round(value * 100) / 100);
}

export function analysisChart(analysis: AnalysisVerdict, incidents: readonly Incident[]): SafeHtml {
  const series = analysis.series!;
  const first = series.periods[0]!.atSeconds;
  const last = series.periods.at(-1)!.atSeconds + series.periodSeconds;
  const from = first;
  const to = Math.max(last, analysis.atSeconds);
  const x = (atSeconds: number) =>
    LEFT + ((Math.min(Math.max(atSeconds, from), to) - from) / (to - from || 1)) * PLOT;
  const mid = (index: number) => x(series.periods[index]!.atSeconds + series.periodSeconds / 2);
  const height = TOP + 2 * PANEL + GAP + 34;
  const mine = incidents.filter(
    (incident) =>
      (incident.region === undefined || incident.region === analysis.region) &&
      (incident.service === undefined || incident.service === analysis.service) &&
      incident.atSeconds <= to &&
      (incident.untilSeconds ?? (incident.open ? Number.POSITIVE_INFINITY : incident.atSeconds)) >= from,
  );
  const drawn = panels(series).map((panel, index) =>
    drawPanel(panel, TOP + index * (PANEL + GAP), x, mid, series),
  );
  const bottom = TOP + 2 * PANEL + GAP;
  const markers = mine.map((incident) => {
    const x1 = x(incident.atSeconds);
    const title = html`<title>${formatOffset(incident.atSeconds)} ${incident.label}</title>`;
    // One that began before the chart's span shades it without a start line or a name of its own.
    const label =
      incident.atSeconds < from
        ? null
        : html`<line x1="${c(x1)}" x2="${c(x1)}" y1="${TOP}" y2="${bottom}"/><text x="${c(x1 + 3)}" y="${TOP + 11}">${shortLabel(incident)}</text>`;
    if (incident.untilSeconds !== undefined || incident.open) {
      const x2 = x(incident.untilSeconds ?? to);
      return html`<g class="incident ${incident.kind}" data-kind="${incident.kind}">${title}<rect x="${c(x1)}" y="${TOP}" width="${c(Math.max(x2 - x1, 2))}" height="${bottom - TOP}"/>${label}</g>`;
    }
    return html`<g class="incident ${incident.kind}" data-kind="${incident.kind}">${title}${label}</g>`;
  });
  const verdictX = x(analysis.atSeconds);
  const ticks = [from, (from + to) / 2, to];
  return html`<svg class="analysis-svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${analysis.service} in ${analysis.region}, analysis ${analysis.ordinal}: canary and stable error rate and p95 latency against the plan's limits">
    ${markers}
    ${drawn}
    <g class="verdict-mark ${analysis.verdict}"><title>${formatOffset(analysis.atSeconds)} verdict: ${analysis.verdict} — ${analysis.reason}</title><line x1="${c(verdictX)}" x2="${c(verdictX)}" y1="${TOP}" y2="${bottom}"/><circle cx="${c(verdictX)}" cy="${bottom + 6}" r="4.5" class="m-analysis ${analysis.verdict}"/></g>
    <g class="tick-labels">${ticks.map((tick, index) => html`<text x="${c(x(tick))}" y="${bottom + 24}" text-anchor="${index === 0 ? 'start' : index === 2 ? 'end' : 'middle'}">${formatOffset(tick)}</text>`)}</g>
  </svg>`;
}

function shortLabel(incident: Incident): string {
  switch (incident.kind) {
    case 'alarm':
      return 'alarm';
    case 'outage':
      return 'outage';
    case 'injected':
      return 'injected';
    default:
      return 'fault';
  }
}

function drawPanel(
  panel: Panel,
  top: number,
  x: (atSeconds: number) => number,
  mid: (index: number) => number,
  series: AnalysisSeries,
): SafeHtml {
  const data = [...defined(panel.canary), ...defined(panel.stable), ...defined(panel.allowed)];
  const dataMax = Math.max(0, ...data);
  // An abort limit far above everything read would flatten the lines: it is named instead.
  const abortOnScale = panel.abort !== undefined && panel.abort <= Math.max(dataMax * 4, 0.01);
  const max = niceMax(Math.max(dataMax, abortOnScale ? panel.abort! : 0) * 1.12);
  const bottom = top + PANEL;
  const y = (value: number) => bottom - (Math.min(value, max) / max) * PANEL;
  const line = (values: ReadonlyArray<number | undefined>) => {
    let d = '';
    let pen = false;
    values.forEach((value, index) => {
      if (value === undefined) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${c(mid(index))} ${c(y(value))}`;
      pen = true;
    });
    return d;
  };
  // The allowed line as steps: each period's limit holds across the period.
  const allowed = (() => {
    let d = '';
    let pen = false;
    panel.allowed.forEach((value, index) => {
      if (value === undefined) {
        pen = false;
        return;
      }
      const start = x(series.periods[index]!.atSeconds);
      const end = x(series.periods[index]!.atSeconds + series.periodSeconds);
      d += `${pen ? 'L' : 'M'}${c(start)} ${c(y(value))}H${c(end)}`;
      pen = true;
    });
    return d;
  })();
  const over = panel.canary.flatMap((value, index) => {
    const limit = panel.allowed[index];
    const breached =
      value !== undefined &&
      ((limit !== undefined && value > limit) || (panel.abort !== undefined && value > panel.abort));
    return breached ? [index] : [];
  });
  const describe = (values: ReadonlyArray<number | undefined>) =>
    values.map((value) => (value === undefined ? '–' : fixed(value))).join(', ');
  return html`<g class="panel" data-metric="${panel.title}">
    <rect class="plot" x="${LEFT}" y="${top}" width="${PLOT}" height="${PANEL}"/>
    <text class="panel-title" x="${LEFT}" y="${top - 5}">${panel.title} (${panel.unit})</text>
    <text class="y-label" x="${LEFT - 6}" y="${top + 8}" text-anchor="end">${fixed(max)}</text>
    <text class="y-label" x="${LEFT - 6}" y="${bottom}" text-anchor="end">0</text>
    ${allowed && html`<path class="threshold" d="${allowed}"><title>allowed for the canary: ${panel.allowedLabel} — ${describe(panel.allowed)} ${panel.unit}</title></path>`}
    ${
      panel.abort !== undefined &&
      (abortOnScale
        ? html`<g class="abort"><title>${panel.abortLabel}: the canary past it aborts the analysis at once</title><line x1="${LEFT}" x2="${LEFT + PLOT}" y1="${c(y(panel.abort))}" y2="${c(y(panel.abort))}"/><text x="${LEFT + PLOT - 4}" y="${c(y(panel.abort) - 4)}" text-anchor="end">${panel.abortLabel}</text></g>`
        : html`<text class="abort-note" x="${LEFT + PLOT - 4}" y="${top + 12}" text-anchor="end">${panel.abortLabel} (off the scale)</text>`)
    }
    <path class="series stable" d="${line(panel.stable)}" stroke="${STABLE_COLOUR}"><title>stable ${panel.title}: ${describe(panel.stable)} ${panel.unit}</title></path>
    <path class="series canary" d="${line(panel.canary)}" stroke="${CANARY_COLOUR}"><title>canary ${panel.title}: ${describe(panel.canary)} ${panel.unit}</title></path>
    ${panel.canary.map((value, index) =>
      value === undefined
        ? null
        : html`<circle class="reading${over.includes(index) ? ' breach' : ''}" cx="${c(mid(index))}" cy="${c(y(value))}" r="${over.includes(index) ? 3.6 : 2.4}" fill="${CANARY_COLOUR}"><title>${formatOffset(series.periods[index]!.atSeconds)} (${formatSpan(series.periodSeconds)}): canary ${fixed(value)} ${panel.unit}${panel.stable[index] === undefined ? '' : `, stable ${fixed(panel.stable[index]!)} ${panel.unit}`}${panel.allowed[index] === undefined ? '' : `, allowed ${fixed(panel.allowed[index]!)} ${panel.unit}`}</title></circle>`,
    )}
  </g>`;
}

export function analysisLegend(): SafeHtml {
  const swatch = (colour: string, dashed = false) =>
    html`<svg width="22" height="10" aria-hidden="true"><line x1="1" x2="21" y1="5" y2="5" stroke="${colour}" stroke-width="${dashed ? 1.6 : 2.4}"${dashed ? html` stroke-dasharray="4 3"` : ''}/></svg>`;
  return html`<ul class="legend">
    <li>${swatch(CANARY_COLOUR)}canary</li>
    <li>${swatch(STABLE_COLOUR)}stable</li>
    <li>${swatch('#39424e', true)}allowed for the canary (the plan's limit, per period)</li>
    <li>${swatch('#c8490c', true)}abort limit</li>
    <li><svg width="14" height="12" aria-hidden="true"><line x1="7" x2="7" y1="0" y2="12" stroke="#c8490c" stroke-width="2"/></svg>alarm</li>
    <li><svg width="18" height="12" aria-hidden="true"><rect x="1" y="1" width="16" height="10" class="outage-swatch"/></svg>outage</li>
    <li><svg width="14" height="12" aria-hidden="true"><line x1="7" x2="7" y1="0" y2="12" stroke="#6b46c1" stroke-width="2" stroke-dasharray="3 2"/></svg>injected fault</li>
  </ul>`;
}
