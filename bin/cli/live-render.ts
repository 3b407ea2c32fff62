/**
 * Draws a Board for a terminal of a given size. A frame never wraps (every line is cut to the
 * width, with an ellipsis) and is at most rows - 1 lines (log-update keeps the cursor on the line
 * after it). When the whole board does not fit it condenses, least useful first: images only for
 * services under way, then finished or untouched regions and waves folded to one line of counts,
 * then images dropped, then settled services folded, and at last "… N more" — the services under
 * way are the ones shown in full. What is left below goes to the latest lines of the log.
 */
import type { Colors } from './io';
import {
  type Board,
  type BoardRegion,
  type BoardService,
  isSettled,
  type Replicas,
  type ServiceState,
  STATE_ICONS,
} from './live-board';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** A line as painted segments: cut by its visible text, painted after. */
type Segment = { text: string; paint?: (text: string) => string };
type Line = Segment[];

interface Detail {
  images: 'all' | 'active' | 'none';
  foldSettledRegions: boolean;
  foldSettledServices: boolean;
}

const DETAILS: readonly Detail[] = [
  { images: 'all', foldSettledRegions: false, foldSettledServices: false },
  { images: 'active', foldSettledRegions: false, foldSettledServices: false },
  { images: 'active', foldSettledRegions: true, foldSettledServices: false },
  { images: 'none', foldSettledRegions: true, foldSettledServices: false },
  { images: 'none', foldSettledRegions: true, foldSettledServices: true },
];

/** The most log lines shown under the board, room permitting. */
const MAX_RECENT = 8;
const STATE_WIDTH = 'Progressing'.length;
const STEP_WIDTH = 22;
const WEIGHT_WIDTH = 6;

export function renderBoard(board: Board, size: TerminalSize, colors: Colors): string {
  const columns = Math.max(20, size.columns);
  const room = Math.max(3, size.rows - 1);
  const paint = painter(colors);
  const head = headLines(board, paint);
  let body: Line[] = [];
  for (const detail of DETAILS) {
    body = bodyLines(board, detail, columns, paint);
    if (head.length + body.length <= room) break;
  }
  const left = room - head.length;
  if (body.length > left) {
    const kept = body.slice(0, Math.max(0, left - 1));
    body = [...kept, [{ text: `  … ${body.length - kept.length} more`, paint: colors.dim }]];
  }
  const recentRoom = room - head.length - body.length - 1;
  const recent = recentRoom > 0 ? board.recent.slice(-Math.min(MAX_RECENT, recentRoom)) : [];
  const tail: Line[] =
    recent.length > 0
      ? [[{ text: 'recent', paint: colors.dim }], ...recent.map((text) => [{ text: `  ${text}` }])]
      : [];
  return [...head, ...body, ...tail].map((line) => fitLine(line, columns)).join('\n');
}

/** Plain text cut to the terminal the same way: no line wraps, at most rows - 1 lines. */
export function fitText(text: string, size: TerminalSize): string {
  const room = Math.max(3, size.rows - 1);
  let lines = text.split('\n');
  if (lines.length > room) lines = [...lines.slice(0, room - 1), `… ${lines.length - room + 1} more`];
  return lines.map((line) => fitLine([{ text: line }], Math.max(20, size.columns))).join('\n');
}

type Paint = ReturnType<typeof painter>;

function painter(colors: Colors) {
  const byState: Record<ServiceState, (text: string) => string> = {
    Healthy: colors.green,
    Progressing: colors.cyan,
    Paused: colors.yellow,
    Degraded: colors.red,
    RollingBack: colors.magenta,
    RolledBack: colors.yellow,
    Pending: colors.dim,
    Unknown: colors.dim,
  };
  return {
    colors,
    state: (state: ServiceState) => byState[state],
    status: (status: string) =>
      status === 'SUCCEEDED'
        ? colors.green
        : status === 'RUNNING' || status === 'MONITORING'
          ? colors.cyan
          : status === 'ROLLING_BACK'
            ? colors.magenta
            : status === 'PENDING'
              ? colors.dim
              : colors.red,
  };
}

function headLines(board: Board, paint: Paint): Line[] {
  const title: Line = [
    { text: board.title, paint: paint.colors.bold },
    { text: '  ' },
    { text: board.status, paint: paint.status(board.status) },
    ...(board.clock ? [{ text: `  ${board.clock}`, paint: paint.colors.dim }] : []),
  ];
  return [title, ...board.notices.map((text): Line => [{ text, paint: paint.colors.yellow }])];
}

function bodyLines(board: Board, detail: Detail, columns: number, paint: Paint): Line[] {
  const shown = board.waves.flatMap(({ regions }) =>
    regions.flatMap((region) => (detail.foldSettledRegions && regionSettled(region) ? [] : region.services)),
  );
  const all = board.waves.flatMap(({ regions }) => regions.flatMap((region) => region.services));
  // The API knows no observed weights or replicas: columns nobody fills are left out.
  const table: Table = {
    nameWidth: Math.max(7, ...shown.map((service) => service.service.length)),
    actual: all.some((service) => service.actualWeights),
    ready: all.some((service) => service.ready),
  };
  const lines: Line[] = [];
  if (shown.some((service) => !detail.foldSettledServices || !isSettled(service.state))) {
    lines.push([{ text: columnHeader(table), paint: paint.colors.dim }]);
  }
  for (const { wave, regions } of board.waves) {
    if (detail.foldSettledRegions && regions.every(regionSettled)) {
      lines.push([
        { text: `wave ${wave}`, paint: paint.colors.bold },
        { text: `  ${regions.length} region(s) ` },
        ...stateCounts(
          regions.flatMap((region) => region.services),
          paint,
        ),
      ]);
      continue;
    }
    lines.push([{ text: `wave ${wave}`, paint: paint.colors.bold }]);
    for (const region of regions) {
      const name = `  ${region.region}${region.cluster ? ` (${region.cluster})` : ''}`;
      const down: Segment[] = region.down ? [{ text: '  unreachable', paint: paint.colors.red }] : [];
      if (detail.foldSettledRegions && regionSettled(region)) {
        lines.push([{ text: `${name}  ` }, ...stateCounts(region.services, paint), ...down]);
        continue;
      }
      lines.push([{ text: name }, ...down]);
      const full = detail.foldSettledServices
        ? region.services.filter((service) => !isSettled(service.state))
        : region.services;
      for (const service of full) {
        lines.push(serviceLine(service, table, paint));
        const images = detail.images === 'all' || (detail.images === 'active' && !isSettled(service.state));
        if (images && (service.images.stable || service.images.canary))
          lines.push(imageLine(service, columns, paint));
      }
      const folded = region.services.filter((service) => !full.includes(service));
      if (folded.length > 0) {
        lines.push([
          { text: '    ' },
          ...stateCounts(folded, paint),
          { text: ` (${folded.map((service) => service.service).join(', ')})`, paint: paint.colors.dim },
        ]);
      }
    }
  }
  return lines;
}

interface Table {
  nameWidth: number;
  actual: boolean;
  ready: boolean;
}

function columnHeader(table: Table): string {
  return [
    `    ${'SERVICE'.padEnd(table.nameWidth + 2)}`,
    'STATE'.padEnd(STATE_WIDTH),
    'STEP'.padEnd(STEP_WIDTH),
    'SET'.padEnd(WEIGHT_WIDTH),
    ...(table.actual ? ['ACTUAL'.padEnd(WEIGHT_WIDTH)] : []),
    ...(table.ready ? ['READY'] : []),
  ].join(' ');
}

function serviceLine(service: BoardService, table: Table, paint: Paint): Line {
  const color = paint.state(service.state);
  const step = service.step
    ? service.step.done
      ? `done ${service.step.count}/${service.step.count}`
      : `step ${service.step.number}/${service.step.count} ${service.step.name}`
    : '';
  return [
    { text: '    ' },
    { text: STATE_ICONS[service.state], paint: color },
    { text: ` ${service.service.padEnd(table.nameWidth)} ` },
    { text: service.state.padEnd(STATE_WIDTH), paint: color },
    { text: ` ${cut(step, STEP_WIDTH).padEnd(STEP_WIDTH)}` },
    { text: ` ${weights(service.setWeights).padEnd(WEIGHT_WIDTH)}` },
    ...(table.actual
      ? [
          {
            text: ` ${weights(service.actualWeights).padEnd(WEIGHT_WIDTH)}`,
            ...(differ(service) && { paint: paint.colors.yellow }),
          },
        ]
      : []),
    ...(table.ready ? [{ text: ` ${ready(service.ready)}` }] : []),
    ...(service.note ? [{ text: `  ${service.note}`, paint: paint.colors.dim }] : []),
  ];
}

/** Images, each cut from the left: the tail (repository and tag) is what tells versions apart. */
function imageLine(service: BoardService, columns: number, paint: Paint): Line {
  const indent = '        ';
  const parts = [
    ...(service.images.stable ? [['stable', service.images.stable] as const] : []),
    ...(service.images.canary ? [['canary', service.images.canary] as const] : []),
  ];
  const whole =
    indent.length + parts.reduce((sum, [label, image]) => sum + label.length + image.length + 3, 0);
  const each =
    whole <= columns ? Number.POSITIVE_INFINITY : Math.floor((columns - indent.length) / parts.length) - 9;
  return [
    { text: indent },
    ...parts.flatMap(([label, image]): Segment[] => [
      { text: `${label} `, paint: paint.colors.dim },
      { text: `${cutLeft(image, Math.max(8, each))}  ` },
    ]),
  ];
}

function weights(value: BoardService['setWeights']): string {
  return value ? `${value.stable}/${value.canary}` : '-';
}

function differ(service: BoardService): boolean {
  const set = service.setWeights;
  const actual = service.actualWeights;
  return Boolean(set && actual && (set.stable !== actual.stable || set.canary !== actual.canary));
}

function ready(value: BoardService['ready']): string {
  if (!value) return '-';
  const one = (replicas: Replicas | undefined) => (replicas ? `${replicas.ready}/${replicas.replicas}` : '-');
  return `${one(value.stable)} ${one(value.canary)}`;
}

function regionSettled(region: BoardRegion): boolean {
  return !region.down && region.services.every((service) => isSettled(service.state));
}

function counts(services: readonly BoardService[]): Array<[ServiceState, number]> {
  const byState = new Map<ServiceState, number>();
  for (const service of services) byState.set(service.state, (byState.get(service.state) ?? 0) + 1);
  return [...byState];
}

/** `✔ 2 Healthy · 5 Pending`: how many services are in each state. */
function stateCounts(services: readonly BoardService[], paint: Paint): Segment[] {
  return counts(services).flatMap(([state, count], index): Segment[] => [
    ...(index > 0 ? [{ text: ' ' }] : []),
    { text: `${STATE_ICONS[state]} ${count} ${state}`, paint: paint.state(state) },
  ]);
}

/** The line cut to `columns` visible characters (an ellipsis where cut), then painted. */
function fitLine(line: Line, columns: number): string {
  let left = columns;
  let out = '';
  const total = line.reduce((sum, segment) => sum + width(segment.text), 0);
  const budget = total > columns ? columns - 1 : columns;
  left = budget;
  for (const segment of line) {
    if (left <= 0) break;
    const chars = Array.from(segment.text);
    const text = chars.length > left ? chars.slice(0, left).join('') : segment.text;
    left -= Math.min(chars.length, left);
    out += segment.paint && text.trim() !== '' ? segment.paint(text) : text;
  }
  return (total > columns ? `${out}…` : out).replace(/\s+$/, '');
}

function width(text: string): number {
  return Array.from(text).length;
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

function cutLeft(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `…${chars.slice(chars.length - max + 1).join('')}` : text;
}
