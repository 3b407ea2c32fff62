/** The human view of `switchyard preview`: a text Gantt per wave and region, then totals. */
import { formatDuration } from '../../lambdas/core/duration';
import { HISTORY_EVENT_LIMIT } from '../../lambdas/core/planner/cost';
import type { DrainPreview, RegionPreview, ReleasePreview } from '../../lambdas/core/planner/preview';
import type { Colors } from './io';

const GANTT_WIDTH = 48;

export function renderPreview(preview: ReleasePreview, colors: Colors): string {
  const { bold, dim } = colors;
  const lines: string[] = [];
  const totals = preview.totals;
  const { dynamoDb } = totals;
  lines.push(
    bold(`Release ${preview.releaseId}`) +
      ` — ${totals.services} services, ${totals.serviceRollouts} service rollouts, ${preview.waves.length} waves`,
  );
  for (const wave of preview.waves) {
    lines.push('');
    const bake = wave.bakeAfterSeconds ? `, then bake ${formatDuration(wave.bakeAfterSeconds)}` : '';
    lines.push(
      bold(`Wave ${wave.wave}`) + `  ${clock(wave.startSeconds)} → ${clock(wave.endSeconds)}${bake}`,
    );
    for (const region of wave.regions)
      lines.push(...renderRegion(region, wave.startSeconds, wave.endSeconds, dim));
  }
  lines.push('', bold('Totals'));
  const rows: string[][] = [
    ['', 'makespan'],
    ['DAG (services start when their own dependencies are done)', formatDuration(totals.makespanSeconds)],
    ['phase barriers (topological levels, same estimates)', formatDuration(totals.phaseBarrierSeconds)],
    ['critical path (lower bound)', formatDuration(totals.criticalPathSeconds)],
  ];
  if (preview.baseline) {
    const stated = preview.baseline.statedEstimate;
    rows.push([
      `baseline: ${preview.baseline.description}, one region`,
      formatDuration(preview.baseline.seconds) +
        (stated
          ? `  (stated ${formatDuration(stated.minSeconds)}–${formatDuration(stated.maxSeconds)})`
          : ''),
    ]);
  }
  lines.push(...table(rows).map((line, index) => `  ${index === 0 ? dim(line) : line}`));
  const saved = totals.phaseBarrierSeconds - totals.makespanSeconds;
  if (totals.phaseBarrierSeconds > 0) {
    lines.push(
      `  DAG scheduling saves ${formatDuration(saved)} (${Math.round((saved / totals.phaseBarrierSeconds) * 100)} %) ` +
        `over phase barriers; makespan / critical path = ${(totals.makespanSeconds / Math.max(1, totals.criticalPathSeconds)).toFixed(3)}`,
    );
  }
  if (totals.approvals > 0)
    lines.push(`  plus ${totals.approvals} approval pause(s), not counted in the times above`);
  if (totals.rollbackWindowSeconds > 0)
    lines.push(
      `  then a ${formatDuration(totals.rollbackWindowSeconds)} rollback window (MONITORING, the lock held): an alarm within it rolls every wave back`,
    );
  for (const ramp of preview.rollbackRamps ?? [])
    lines.push(
      `  if it rolls back, ${ramp.service} returns its traffic in a ramp (${ramp.steps.join(' → ')} %, every ${formatDuration(ramp.intervalSeconds)}): up to ${formatDuration(ramp.mostAddedSeconds)} more per region than at once`,
    );
  lines.push(
    '',
    bold('Step Functions'),
    `  ${totals.executions} executions, ~${totals.stateTransitions.toLocaleString('en-US')} state transitions ` +
      `(~$${totals.costUsd.toFixed(4)}), largest history ~${totals.maxHistoryEvents.toLocaleString('en-US')} ` +
      `of ${HISTORY_EVENT_LIMIT.toLocaleString('en-US')} events`,
    `  ~${count(totals.lambdaInvocations)} Lambda invocations (~$${totals.lambdaCostUsd.toFixed(4)} in requests; duration not included)`,
    '',
    bold('DynamoDB') + dim('  on-demand, us-east-1'),
    `  ~${count(dynamoDb.storeCalls)} Store calls: ~${count(dynamoDb.readRequests)} reads (${count(dynamoDb.readUnits)} read units), ` +
      `~${count(dynamoDb.writeRequests)} writes (${count(dynamoDb.writeUnits)} write units), ~$${dynamoDb.costUsd.toFixed(4)}`,
  );
  return lines.join('\n');
}

function renderRegion(
  region: RegionPreview,
  waveStart: number,
  waveEnd: number,
  dim: (text: string) => string,
): string[] {
  const span = Math.max(1, waveEnd - waveStart);
  const column = (seconds: number) => Math.round(((seconds - waveStart) / span) * GANTT_WIDTH);
  const ordered = [...region.services].sort(
    (a, b) => a.startSeconds - b.startSeconds || a.endSeconds - b.endSeconds,
  );
  const rows = [
    ['', 'service', 'strategy', 'start', 'end', 'took'],
    ...ordered.map((service) => [
      service.critical ? '*' : ' ',
      service.name,
      service.strategy,
      `+${formatDuration(service.startSeconds - waveStart)}`,
      `+${formatDuration(service.endSeconds - waveStart)}`,
      formatDuration(service.durationSeconds),
    ]),
  ];
  const bars = ordered.map((service) => {
    const from = column(service.startSeconds);
    const to = Math.max(from + 1, column(service.endSeconds));
    const fill = service.critical ? '█' : '▒';
    return `|${' '.repeat(from)}${fill.repeat(to - from)}${' '.repeat(Math.max(0, GANTT_WIDTH - to))}|`;
  });
  const body = table(rows, true).map((line, index) =>
    index === 0 ? dim(line) : `${line}  ${bars[index - 1]}`,
  );
  return [
    '',
    `  ${region.region}  cluster ${region.cluster}, ${region.services.length} services, concurrency ${region.concurrency}`,
    ...body.map((line) => `  ${line}`),
    `    critical path (*): ${region.criticalPath.services.join(' → ')}  ${formatDuration(region.criticalPath.seconds)}`,
    `    DAG ${formatDuration(region.dagSeconds)} · phase barriers ${formatDuration(region.phaseBarrier.seconds)} ` +
      `(${region.phaseBarrier.phases.length} phases)`,
    ...(region.drain ? [renderDrain(region.drain)] : []),
  ];
}

function renderDrain(drain: DrainPreview): string {
  const restore =
    drain.restoreSteps.length > 1
      ? `in steps ${drain.restoreSteps.join(' → ')} %, ${formatDuration(drain.restoreIntervalSeconds)} apart`
      : 'at once';
  return (
    `    drained: weight to 0 (others scaled up, INSYNC, TTL ${drain.assumedTtlSeconds}s assumed) ${formatDuration(drain.beforeSeconds)} before its services; ` +
    `back ${restore}, ${formatDuration(drain.afterSeconds)} after`
  );
}

const count = (value: number) => value.toLocaleString('en-US');

function clock(seconds: number): string {
  return seconds === 0 ? '0s' : `+${formatDuration(seconds)}`;
}

/** Left-aligned columns; the caller styles whole lines. */
export function table(rows: readonly string[][], padLast = false): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 && !padLast ? cell : cell.padEnd(widths[index]!)))
      .join('  ')
      .replace(padLast ? /$^/ : /\s+$/, ''),
  );
}
