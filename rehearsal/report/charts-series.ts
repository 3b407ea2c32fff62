/**
 * The report's value charts on the shared time axis: the new version's share of traffic per
 * service and, when regions were failed over, the Route 53 weights and the replicas they changed.
 */

import {
  type Axis,
  axisFor,
  fitIntoRows,
  gridLines,
  LABEL_WIDTH,
  LANE_HEIGHT,
  PENDING_SEPARATOR,
  PLOT_WIDTH,
  REGION_COLOURS,
  tickLabels,
  timeChartAttributes,
  WIDTH,
} from './chart-axis';
import { formatOffset } from './format';
import { coordinate as c, html, type SafeHtml } from './html';
import type { ReportModel, StepPoint, WeightPoint } from './model';

// ── traffic ─────────────────────────────────────────────────────────────────

export const TRAFFIC_ROW = 58;
export const TRAFFIC_PLOT = 36;

export function trafficChart(model: ReportModel): SafeHtml {
  const axis = axisFor(model);
  const firstStart = (service: string) =>
    Math.min(
      ...model.lanes
        .filter((lane) => lane.service === service && lane.startSeconds !== undefined)
        .map((lane) => lane.startSeconds!),
    );
  const services = [...new Set(model.lanes.map((lane) => lane.service))];
  const started = services
    .filter((service) => Number.isFinite(firstStart(service)))
    .sort((a, b) => firstStart(a) - firstStart(b));
  const notStarted = services.filter((service) => !started.includes(service));
  const axisTop = 18;
  let y = axisTop + 10;
  const rows: SafeHtml[] = [];
  for (const service of started) {
    rows.push(trafficRow(model, service, y, axis));
    y += TRAFFIC_ROW;
  }
  for (const names of fitIntoRows(notStarted, PLOT_WIDTH)) {
    rows.push(html`<g class="traffic-row pending">
      <circle class="dot pending" cx="14" cy="${y + 14}" r="4.5"/>
      <text class="service" x="26" y="${y + 18.5}">not started</text>
      <text class="pending-list" x="${LABEL_WIDTH + 4}" y="${y + 18}">${names.map(
        (service, index) =>
          html`${index > 0 && html`<tspan class="separator">${PENDING_SEPARATOR}</tspan>`}<tspan class="pending-service" data-service="${service}">${service}</tspan>`,
      )}</text>
    </g>`);
    y += LANE_HEIGHT + 4;
  }
  return rowsChart(
    'traffic',
    'Share of traffic on the new version, per service and region',
    axis,
    axisTop,
    y,
    rows,
  );
}

/** A chart of rows under the time axis, with its grid and the shared cursor. */
export function rowsChart(
  kind: string,
  label: string,
  axis: Axis,
  axisTop: number,
  bottom: number,
  rows: readonly SafeHtml[],
): SafeHtml {
  return html`<svg class="time-chart ${kind}" viewBox="0 0 ${WIDTH} ${bottom + 4}" width="${WIDTH}" height="${bottom + 4}" role="img" aria-label="${label}" ${timeChartAttributes(axis)}>
    ${gridLines(axis, axisTop + 4, bottom)}
    ${tickLabels(axis, axisTop)}
    ${rows}
    <line class="cursor" x1="0" x2="0" y1="${axisTop + 4}" y2="${bottom}" visibility="hidden"/>
  </svg>`;
}

/** A step line through `points` (at the height `y` gives each), drawn from `from` to `to` only. */
export function stepPath<Point extends { atSeconds: number }>(
  points: readonly Point[],
  from: number,
  to: number,
  x: (atSeconds: number) => number,
  y: (point: Point) => number,
): string {
  const before = [...points].reverse().find((point) => point.atSeconds <= from) ?? points[0]!;
  let d = `M${c(x(from))} ${c(y(before))}`;
  for (const point of points) {
    if (point.atSeconds <= from || point.atSeconds > to) continue;
    d += `H${c(x(point.atSeconds))}V${c(y(point))}`;
  }
  return `${d}H${c(x(to))}`;
}

export function trafficRow(model: ReportModel, service: string, top: number, axis: Axis): SafeHtml {
  const plotTop = top + 10;
  const plotBottom = plotTop + TRAFFIC_PLOT;
  const y = (percent: number) => plotBottom - (percent / 100) * TRAFFIC_PLOT;
  const share = (point: WeightPoint) => y(point.percent);
  const lanes = model.lanes.filter((lane) => lane.service === service && lane.startSeconds !== undefined);
  const strategy = lanes.find((lane) => lane.strategy)?.strategy;
  const lines = lanes.map((lane) => {
    const colour = REGION_COLOURS[model.regions.indexOf(lane.region) % REGION_COLOURS.length]!;
    const points = lane.newVersionShare;
    const start = lane.startSeconds!;
    const end = lane.endSeconds ?? axis.horizon;
    const changes = points.map((point) => `${formatOffset(point.atSeconds)} ${point.percent} %`).join(', ');
    // Bold while the rollout (or its rollback) is moving traffic; faint while it merely holds.
    const active = [
      html`<path class="share" d="${stepPath(points, start, end, axis.x, share)}" stroke="${colour}"/>`,
    ];
    if (lane.rollback)
      active.push(
        html`<path class="share" d="${stepPath(points, lane.rollback.fromSeconds, lane.rollback.toSeconds ?? axis.horizon, axis.x, share)}" stroke="${colour}"/>`,
      );
    return html`<g data-region="${lane.region}"><title>${service} in ${lane.region}: ${changes}</title>
      <path class="share after" d="${stepPath(points, start, axis.horizon, axis.x, share)}" stroke="${colour}"/>${active}</g>`;
  });
  const failures = lanes.flatMap((lane) =>
    lane.markers
      .filter((marker) => marker.tone === 'fail')
      .map((marker) => {
        const share = [...lane.newVersionShare]
          .reverse()
          .find((point) => point.atSeconds <= marker.atSeconds);
        return html`<circle class="m-analysis fail" cx="${c(axis.x(marker.atSeconds))}" cy="${c(y(share?.percent ?? 0))}" r="4.5"><title>${lane.region} ${formatOffset(marker.atSeconds)} ${marker.label}</title></circle>`;
      }),
  );
  return html`<g class="traffic-row" data-service="${service}">
    <text class="service" x="12" y="${plotTop + 15}">${service}</text>
    ${strategy && html`<text class="muted small" x="12" y="${plotTop + 31}">${strategy}</text>`}
    <rect class="plot" x="${LABEL_WIDTH}" y="${plotTop}" width="${PLOT_WIDTH}" height="${TRAFFIC_PLOT}"/>
    <line class="half" x1="${LABEL_WIDTH}" x2="${LABEL_WIDTH + PLOT_WIDTH}" y1="${y(50)}" y2="${y(50)}"/>
    <text class="y-label" x="${LABEL_WIDTH - 6}" y="${plotTop + 8}" text-anchor="end">100 %</text>
    <text class="y-label" x="${LABEL_WIDTH - 6}" y="${plotBottom}" text-anchor="end">0</text>
    ${lines}
    ${failures}
  </g>`;
}

// ── DNS weights and replicas ────────────────────────────────────────────────

/** Set identifiers are not regions: they take colours from the other end of the palette. */
export function setIdentifierColour(index: number): string {
  return REGION_COLOURS[REGION_COLOURS.length - 1 - (index % REGION_COLOURS.length)]!;
}

export function capacityChart(model: ReportModel): SafeHtml {
  const axis = axisFor(model);
  const { dnsWeights, replicas } = model.capacity;
  const axisTop = 18;
  let y = axisTop + 10;
  const rows: SafeHtml[] = [];
  if (dnsWeights.length > 0) {
    rows.push(
      valueRow(
        'Route 53 weights',
        'per set identifier',
        dnsWeights.map((series, index) => ({
          colour: setIdentifierColour(index),
          key: html`data-set-identifier="${series.setIdentifier}"`,
          title: `${series.setIdentifier} weight`,
          points: series.points,
        })),
        y,
        axis,
      ),
    );
    y += TRAFFIC_ROW;
  }
  // One row per service and region, under a header per region: the regions of a service are
  // often scaled alike, and lines on one plot would hide each other.
  const regions = [...new Set(replicas.map((series) => series.region))].sort(
    (a, b) => model.regions.indexOf(a) - model.regions.indexOf(b),
  );
  for (const region of regions) {
    const colour = REGION_COLOURS[Math.max(0, model.regions.indexOf(region)) % REGION_COLOURS.length]!;
    rows.push(html`<g class="region-header">
      <line x1="0" x2="${WIDTH}" y1="${y + 0.5}" y2="${y + 0.5}"/>
      <text x="4" y="${y + 18}"><tspan class="region-name">${region}</tspan><tspan class="muted" dx="8">replicas</tspan></text>
    </g>`);
    y += 22;
    for (const series of replicas.filter((entry) => entry.region === region)) {
      const line = {
        colour,
        key: html`data-region="${region}" data-service="${series.service}"`,
        title: `${series.service} replicas in ${region}`,
        points: series.points,
      };
      rows.push(valueRow(series.service, undefined, [line], y, axis, REPLICA_PLOT));
      y += REPLICA_PLOT + 14;
    }
  }
  return rowsChart(
    'capacity',
    'Route 53 weights per set identifier and replicas per service and region, as failovers changed them',
    axis,
    axisTop,
    y,
    rows,
  );
}

export const REPLICA_PLOT = 24;

/** A row of step lines on a scale from 0 to the largest value of any of them. */
export function valueRow(
  label: string,
  sublabel: string | undefined,
  lines: ReadonlyArray<{ colour: string; key: SafeHtml; title: string; points: readonly StepPoint[] }>,
  top: number,
  axis: Axis,
  height = TRAFFIC_PLOT,
): SafeHtml {
  const plotTop = top + 10;
  const plotBottom = plotTop + height;
  const max = Math.max(1, ...lines.flatMap((line) => line.points.map((point) => point.value)));
  const y = (value: number) => plotBottom - (value / max) * height;
  return html`<g class="traffic-row value-row">
    <text class="service" x="12" y="${plotTop + Math.min(15, height / 2 + 4)}">${label}</text>
    ${sublabel && html`<text class="muted small" x="12" y="${plotTop + 31}">${sublabel}</text>`}
    <rect class="plot" x="${LABEL_WIDTH}" y="${plotTop}" width="${PLOT_WIDTH}" height="${height}"/>
    <text class="y-label" x="${LABEL_WIDTH - 6}" y="${plotTop + 8}" text-anchor="end">${max}</text>
    <text class="y-label" x="${LABEL_WIDTH - 6}" y="${plotBottom}" text-anchor="end">0</text>
    ${lines.map((line) => {
      const changes = line.points
        .map((point) => `${formatOffset(point.atSeconds)} ${point.value}`)
        .join(', ');
      return html`<g ${line.key}><title>${line.title}: ${changes}</title><path class="share" d="${stepPath(line.points, 0, axis.horizon, axis.x, (point) => y(point.value))}" stroke="${line.colour}"/></g>`;
    })}
  </g>`;
}
