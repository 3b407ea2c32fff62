/**
 * The report's time charts, inline SVG on one shared virtual-time axis: the timeline of every
 * service-region with its steps, the new version's share of traffic per service, and, when
 * regions were failed over, the Route 53 weights and the replicas the failovers changed. The
 * timeline and the legends are here; the value charts are in charts-series.ts, what they share
 * in chart-axis.ts.
 */
import {
  type Axis,
  axisFor,
  fitIntoRows,
  gridLines,
  LABEL_WIDTH,
  LANE_HEIGHT,
  OUTCOME_LABEL,
  PENDING_SEPARATOR,
  PLOT_WIDTH,
  REGION_COLOURS,
  textWidth,
  tickLabels,
  timeChartAttributes,
  WIDTH,
} from './chart-axis';
import { setIdentifierColour } from './charts-series';
import { formatOffset, formatSpan } from './format';
import { coordinate as c, html, type SafeHtml } from './html';
import type { Incident, Lane, Marker, Outcome, ReportModel, Wave } from './model';

export { OUTCOME_LABEL, REGION_COLOURS } from './chart-axis';

export { capacityChart, trafficChart } from './charts-series';

// ── timeline ────────────────────────────────────────────────────────────────

const REGION_HEADER = 30;
const BAR_HEIGHT = 14;

export function timelineChart(model: ReportModel): SafeHtml {
  const axis = axisFor(model);
  const waveRow = 26;
  const axisTop = waveRow + 22;
  let y = axisTop + 8;
  const rows: SafeHtml[] = [];
  const regionsTop = y;
  const blocks: Array<{ region: string; top: number; bottom: number }> = [];
  for (const region of model.regions) {
    const lanes = model.lanes.filter((lane) => lane.region === region);
    if (lanes.length === 0) continue;
    const blockTop = y;
    const started = lanes.filter((lane) => lane.startSeconds !== undefined).length;
    rows.push(html`<g class="region-header">
      <line x1="0" x2="${WIDTH}" y1="${y + 0.5}" y2="${y + 0.5}"/>
      <text x="4" y="${y + 20}"><tspan class="region-name">${region}</tspan><tspan class="muted" dx="8">${started} of ${lanes.length} started</tspan></text>
    </g>`);
    y += REGION_HEADER;
    for (const lane of lanes.filter((lane) => lane.startSeconds !== undefined)) {
      rows.push(laneRow(lane, y, axis));
      rows.push(laneIncidents(model.incidents, lane, y, axis));
      y += LANE_HEIGHT;
    }
    // Service-regions never reached share compact rows instead of one empty row each.
    for (const names of fitIntoRows(
      lanes.filter((lane) => lane.startSeconds === undefined).map((lane) => lane.service),
      PLOT_WIDTH,
    )) {
      rows.push(pendingRow(region, names, y));
      y += LANE_HEIGHT;
    }
    blocks.push({ region, top: blockTop, bottom: y });
  }
  const bottom = y + 6;
  const height = bottom + 4;
  return html`<svg class="time-chart timeline" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="Timeline of every service in every region" ${timeChartAttributes(axis)}>
    <defs>
      <pattern id="rollback-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="6" height="6" fill="#fbe3b0"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b26b00" stroke-width="2.5"/>
      </pattern>
      <pattern id="unreachable-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">
        <rect width="6" height="6" fill="#e6e8ec"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8a94a3" stroke-width="2"/>
      </pattern>
    </defs>
    ${waveBands(model.waves, axis, waveRow, regionsTop, bottom)}
    ${gridLines(axis, axisTop + 4, bottom)}
    ${tickLabels(axis, axisTop)}
    ${regionIncidents(model.incidents, blocks, axis, axisTop + 4, bottom)}
    ${rows}
    <line class="cursor" x1="0" x2="0" y1="${axisTop + 4}" y2="${bottom}" visibility="hidden"/>
  </svg>`;
}

/**
 * Outages shade their region's rows from when it went down; alarms are a line across their
 * region's rows (every region's, when the alarm names none), with a mark at the top.
 */
function regionIncidents(
  incidents: readonly Incident[],
  blocks: ReadonlyArray<{ region: string; top: number; bottom: number }>,
  axis: Axis,
  top: number,
  bottom: number,
): SafeHtml {
  const spanOf = (incident: Incident) => {
    const block = blocks.find((entry) => entry.region === incident.region);
    return block ? { top: block.top, bottom: block.bottom } : { top, bottom };
  };
  return html`<g class="incidents">${incidents.map((incident) => {
    const title = html`<title>${formatOffset(incident.atSeconds)} ${incident.label}</title>`;
    const x1 = axis.x(incident.atSeconds);
    const span = spanOf(incident);
    if (incident.kind === 'outage') {
      const x2 = axis.x(incident.untilSeconds ?? axis.horizon);
      return html`<g class="outage" data-kind="outage" data-region="${incident.region ?? ''}">${title}<rect class="outage-band" x="${c(x1)}" y="${span.top}" width="${c(Math.max(x2 - x1, 2))}" height="${span.bottom - span.top}"/><line class="outage-edge" x1="${c(x1)}" x2="${c(x1)}" y1="${span.top}" y2="${span.bottom}"/><text class="outage-label" x="${c(x1 - 4)}" y="${span.top + 20}" text-anchor="end">${incident.region ?? ''} down ▸</text></g>`;
    }
    if (incident.kind === 'alarm') {
      return html`<g class="alarm" data-kind="alarm" data-region="${incident.region ?? ''}">${title}<line class="alarm-line" x1="${c(x1)}" x2="${c(x1)}" y1="${span.top}" y2="${span.bottom}"/><path class="m-alarm" d="M${c(x1)} ${span.top + 4}l6 10h-12z"/></g>`;
    }
    // A fault of a whole region (no service): a span under its header.
    if (incident.service === undefined && incident.region !== undefined) {
      const x2 =
        incident.untilSeconds !== undefined || incident.open
          ? axis.x(incident.untilSeconds ?? axis.horizon)
          : x1;
      return html`<g class="fault" data-kind="${incident.kind}">${title}<line class="fault-span" x1="${c(x1)}" x2="${c(Math.max(x2, x1 + 2))}" y1="${span.top + 27}" y2="${span.top + 27}"/></g>`;
    }
    return null;
  })}</g>`;
}

/** A fault of one service-region: a span under its bar while in force, a mark at each injected failure. */
function laneIncidents(incidents: readonly Incident[], lane: Lane, top: number, axis: Axis): SafeHtml {
  const mine = incidents.filter(
    (incident) =>
      incident.service === lane.service &&
      (incident.region === undefined || incident.region === lane.region) &&
      (incident.kind === 'fault' || incident.kind === 'injected'),
  );
  const y = top + LANE_HEIGHT / 2 + BAR_HEIGHT / 2 + 2.5;
  return html`${mine.map((incident) => {
    const title = html`<title>${formatOffset(incident.atSeconds)} ${incident.label}</title>`;
    const x1 = axis.x(incident.atSeconds);
    if (incident.kind === 'injected')
      return html`<path class="m-injected" data-kind="injected" d="M${c(x1)} ${c(y - 6)}l4 5-4 5-4-5z">${title}</path>`;
    const x2 = axis.x(
      incident.untilSeconds ?? (incident.open ? (lane.endSeconds ?? axis.horizon) : incident.atSeconds),
    );
    return html`<line class="fault-span" data-kind="fault" x1="${c(x1)}" x2="${c(Math.max(x2, x1 + 2))}" y1="${c(y)}" y2="${c(y)}">${title}</line>`;
  })}`;
}

function waveBands(
  waves: readonly Wave[],
  axis: Axis,
  labelY: number,
  top: number,
  bottom: number,
): SafeHtml {
  return html`<g class="waves">${waves.map((wave, index) => {
    if (wave.startSeconds === undefined || wave.endSeconds === undefined) return null;
    const x1 = axis.x(wave.startSeconds);
    const width = Math.max(axis.x(wave.endSeconds) - x1, 2);
    const full = `${wave.label} · ${wave.regions.join(', ')}`;
    const label = [full, wave.label, wave.label.replace(/^Wave /, 'W')].find(
      (candidate) => textWidth(candidate, 12) + 8 <= width,
    );
    return html`<g class="wave wave-${index % 2}">
      <title>${full}: ${formatOffset(wave.startSeconds)} → ${formatOffset(wave.endSeconds)} (${formatSpan(wave.endSeconds - wave.startSeconds)}), ${wave.state}</title>
      <rect class="band" x="${c(x1)}" y="${top}" width="${c(width)}" height="${bottom - top}"/>
      <rect class="tab" x="${c(x1)}" y="4" width="${c(width)}" height="${labelY - 4}" rx="3"/>
      ${label && html`<text x="${c(x1 + 6)}" y="${labelY - 8}">${label}</text>`}
    </g>`;
  })}</g>`;
}

function laneTitle(lane: Lane): string {
  const parts = [`${lane.service} in ${lane.region}: ${lane.status.toLowerCase().replace(/_/g, ' ')}`];
  if (lane.strategy) parts.push(`strategy ${lane.strategy}`);
  if (lane.startSeconds !== undefined && lane.endSeconds !== undefined) {
    parts.push(
      `${formatOffset(lane.startSeconds)} → ${formatOffset(lane.endSeconds)} (${formatSpan(lane.endSeconds - lane.startSeconds)})${lane.interrupted ? ', stopped by the rollback' : ''}`,
    );
  }
  if (lane.stepsTotal > 0) parts.push(`${lane.stepsReached} of ${lane.stepsTotal} steps`);
  if (lane.image) parts.push(`image ${lane.image}`);
  if (lane.failure) parts.push(lane.failure);
  return parts.join('\n');
}

/** Marks of one instant overlap: verdicts and failures go on top, where they stay visible. */
const DRAW_ORDER: Record<Marker['kind'], number> = {
  weight: 0,
  alarm: 1,
  pause: 1,
  promote: 2,
  replace: 2,
  approval: 3,
  gate: 4,
  analysis: 5,
  failure: 6,
};

function pendingRow(region: string, services: readonly string[], top: number): SafeHtml {
  const middle = top + LANE_HEIGHT / 2;
  return html`<g class="lane pending">
    <title>not started in ${region}: ${services.join(', ')}</title>
    <circle class="dot pending" cx="14" cy="${middle}" r="4.5"/>
    <text class="service" x="26" y="${middle + 4.5}">not started</text>
    <text class="pending-list" x="${LABEL_WIDTH + 4}" y="${middle + 4}">${services.map(
      (service, index) =>
        html`${index > 0 && html`<tspan class="separator">${PENDING_SEPARATOR}</tspan>`}<tspan class="pending-service" data-region="${region}" data-service="${service}">${service}</tspan>`,
    )}</text>
  </g>`;
}

function laneRow(lane: Lane, top: number, axis: Axis): SafeHtml {
  const middle = top + LANE_HEIGHT / 2;
  const barTop = middle - BAR_HEIGHT / 2;
  const x1 = axis.x(lane.startSeconds ?? 0);
  const x2 = Math.max(axis.x(lane.endSeconds ?? axis.horizon), x1 + 3);
  const rollback = lane.rollback;
  const rollbackFrom = rollback ? axis.x(rollback.fromSeconds) : undefined;
  const rollbackTo =
    rollback && rollbackFrom !== undefined
      ? Math.max(axis.x(rollback.toSeconds ?? axis.horizon), rollbackFrom + 4)
      : undefined;

  const span = formatSpan((lane.endSeconds ?? axis.horizon) - (lane.startSeconds ?? 0));
  const note = lane.stepsTotal > 0 ? `${span} · ${lane.stepsReached}/${lane.stepsTotal} steps` : span;
  const noteWidth = textWidth(note, 11) + 8;
  // The duration note goes where it fits: after everything, in the gap before the rollback,
  // or before the bar; otherwise the row's tooltip carries it.
  const end = rollbackTo ?? x2;
  const notePlace =
    end + noteWidth <= WIDTH - 4
      ? { x: end + 8, anchor: 'start' }
      : rollbackFrom !== undefined && x2 + noteWidth + 8 <= rollbackFrom
        ? { x: x2 + 8, anchor: 'start' }
        : x1 - noteWidth >= LABEL_WIDTH
          ? { x: x1 - 8, anchor: 'end' }
          : insideBar(lane, x1, x2, noteWidth, axis);

  const parts: SafeHtml[] = [];
  if (rollback && rollbackFrom !== undefined && rollbackTo !== undefined) {
    // Between finishing and the rollback the new version was live: a thin line says so.
    const liveFrom =
      notePlace && notePlace.x === x2 + 8 && notePlace.anchor === 'start' ? x2 + noteWidth + 4 : x2;
    if (rollbackFrom > liveFrom + 1)
      parts.push(
        html`<line class="live" x1="${c(liveFrom)}" x2="${c(rollbackFrom)}" y1="${middle}" y2="${middle}"/>`,
      );
    parts.push(
      html`<rect class="rollback-bar" x="${c(rollbackFrom)}" y="${barTop}" width="${c(rollbackTo - rollbackFrom)}" height="${BAR_HEIGHT}" rx="2"><title>rolled back: ${formatOffset(rollback.fromSeconds)} → ${rollback.toSeconds === undefined ? 'not verified' : formatOffset(rollback.toSeconds)}</title></rect>`,
    );
  }
  return html`<g class="lane ${lane.outcome}" data-region="${lane.region}" data-service="${lane.service}">
    <title>${laneTitle(lane)}</title>
    <rect class="row-hit" x="0" y="${top}" width="${WIDTH}" height="${LANE_HEIGHT}"/>
    <circle class="dot ${lane.outcome}" cx="14" cy="${middle}" r="4.5"/>
    <text class="service" x="26" y="${middle + 4.5}">${lane.service}</text>
    <text class="status ${lane.outcome}" x="${LABEL_WIDTH - 12}" y="${middle + 4}" text-anchor="end">${lane.outcome === 'unreachable' ? 'unreachable' : OUTCOME_LABEL[lane.outcome]}</text>
    <rect class="bar ${lane.failure ? 'failed' : lane.outcome}" x="${c(x1)}" y="${barTop}" width="${c(x2 - x1)}" height="${BAR_HEIGHT}" rx="2"/>
    ${parts}
    ${[...lane.markers]
      .sort((a, b) => DRAW_ORDER[a.kind] - DRAW_ORDER[b.kind])
      .map((marker) => markerGlyph(marker, axis.x(marker.atSeconds), middle))}
    ${notePlace && html`<text class="note${'inside' in notePlace ? ' inside' : ''}" x="${c(notePlace.x)}" y="${middle + 4}" text-anchor="${notePlace.anchor}">${note}</text>`}
  </g>`;
}

/** The middle of the widest stretch of the bar free of marks, if the note fits there. */
function insideBar(lane: Lane, x1: number, x2: number, noteWidth: number, axis: Axis) {
  const edges = [x1, ...lane.markers.map((marker) => axis.x(marker.atSeconds)), x2]
    .filter((x) => x >= x1 && x <= x2)
    .sort((a, b) => a - b);
  let best = { from: x1, to: x1 };
  for (let index = 1; index < edges.length; index++) {
    if (edges[index]! - edges[index - 1]! > best.to - best.from)
      best = { from: edges[index - 1]!, to: edges[index]! };
  }
  return best.to - best.from >= noteWidth + 12
    ? { x: (best.from + best.to) / 2, anchor: 'middle', inside: true }
    : undefined;
}

function markerGlyph(marker: Marker, x: number, y: number): SafeHtml | null {
  const title = html`<title>${formatOffset(marker.atSeconds)} ${marker.label}</title>`;
  switch (marker.kind) {
    case 'weight':
      return html`<line class="m-weight" x1="${c(x)}" x2="${c(x)}" y1="${y - 5}" y2="${y + 5}">${title}</line>`;
    case 'analysis':
      return html`<circle class="m-analysis ${marker.tone ?? ''}" cx="${c(x)}" cy="${y}" r="${marker.tone === 'pass' ? 3 : 4.5}">${title}</circle>`;
    case 'approval':
      return html`<path class="m-approval ${marker.tone ?? ''}" d="M${c(x)} ${y - 6}l5 6-5 6-5-6z">${title}</path>`;
    case 'pause':
      return html`<path class="m-pause" d="M${c(x - 3)} ${y - 4}v8M${c(x + 1)} ${y - 4}v8">${title}</path>`;
    case 'promote':
    case 'replace':
      return html`<path class="m-promote" d="M${c(x - 1)} ${y - 7}l7 7-7 7z">${title}</path>`;
    case 'alarm':
      return html`<path class="m-alarm" d="M${c(x)} ${y - 6}l5 9h-10z">${title}</path>`;
    case 'failure':
      return html`<path class="m-failure" d="M${c(x - 5)} ${y - 5}l10 10M${c(x + 5)} ${y - 5}l-10 10">${title}</path>`;
    case 'gate':
      return marker.tone === 'fail'
        ? html`<path class="m-failure" d="M${c(x - 5)} ${y - 5}l10 10M${c(x + 5)} ${y - 5}l-10 10">${title}</path>`
        : null;
  }
}

export function setIdentifierLegend(model: ReportModel): SafeHtml {
  return html`<ul class="legend">${model.capacity.dnsWeights.map(
    (series, index) =>
      html`<li><svg width="22" height="10" aria-hidden="true"><line x1="1" x2="21" y1="5" y2="5" stroke="${setIdentifierColour(index)}" stroke-width="3"/></svg>${series.setIdentifier} (set identifier)</li>`,
  )}</ul>`;
}

export function regionLegend(model: ReportModel): SafeHtml {
  return html`<ul class="legend">${model.regions.map(
    (region, index) =>
      html`<li><svg width="22" height="10" aria-hidden="true"><line x1="1" x2="21" y1="5" y2="5" stroke="${REGION_COLOURS[index % REGION_COLOURS.length]!}" stroke-width="3"/></svg>${region}</li>`,
  )}</ul>`;
}

export function timelineLegend(): SafeHtml {
  const bar = (outcome: Outcome) =>
    html`<li><svg width="22" height="12" aria-hidden="true"><rect class="bar ${outcome}" x="1" y="1" width="20" height="10" rx="2"/></svg>${OUTCOME_LABEL[outcome]}</li>`;
  const glyph = (body: SafeHtml, label: string) =>
    html`<li><svg width="18" height="16" viewBox="-9 -8 18 16" aria-hidden="true"><rect x="-9" y="-7" width="18" height="14" rx="2" class="bar completed"/>${body}</svg>${label}</li>`;
  return html`<ul class="legend">
    ${bar('completed')}${bar('rolledBack')}${bar('failed')}${bar('running')}${bar('unreachable')}
    <li><svg width="22" height="12" aria-hidden="true"><rect x="1" y="1" width="20" height="10" rx="2" fill="url(#rollback-hatch)" class="rollback-bar"/></svg>rollback</li>
    ${glyph(html`<line class="m-weight" x1="0" x2="0" y1="-5" y2="5"/>`, 'traffic shift')}
    ${glyph(html`<circle class="m-analysis pass" r="3"/>`, 'analysis passed')}
    ${glyph(html`<circle class="m-analysis inconclusive" r="4.5"/>`, 'inconclusive')}
    ${glyph(html`<circle class="m-analysis fail" r="4.5"/>`, 'failed')}
    ${glyph(html`<path class="m-approval requested" d="M0 -6l5 6-5 6-5-6z"/>`, 'approval asked')}
    ${glyph(html`<path class="m-approval given" d="M0 -6l5 6-5 6-5-6z"/>`, 'approved')}
    ${glyph(html`<path class="m-pause" d="M-3 -4v8M1 -4v8"/>`, 'pause over')}
    ${glyph(html`<path class="m-promote" d="M-2 -7l7 7-7 7z"/>`, 'promoted')}
    <li><svg width="14" height="16" aria-hidden="true"><line class="alarm-line" x1="7" x2="7" y1="0" y2="16"/><path class="m-alarm" d="M7 1l5 9h-10z"/></svg>alarm received</li>
    <li><svg width="22" height="14" aria-hidden="true"><rect class="outage-swatch" x="1" y="1" width="20" height="12"/></svg>region down</li>
    <li><svg width="22" height="10" aria-hidden="true"><line class="fault-span" x1="3" x2="19" y1="5" y2="5"/></svg>fault in force</li>
    <li><svg width="12" height="12" aria-hidden="true"><path class="m-injected" d="M6 1l4 5-4 5-4-5z"/></svg>injected failure</li>
  </ul>`;
}
