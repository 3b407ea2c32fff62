/**
 * The report's waves and failover capacity, derived from the rehearsal result, its audit and the
 * lanes already built.
 */
import type { ReportInput } from './input';
import { type AuditEntry, detailOf, number, strings } from './model-detail';
import type { Capacity, Failover, Lane, StepPoint, Wave } from './model-types';

/**
 * Waves as given, or as the audit shows them: completed waves by `wave.completed`; the regions
 * that started without completing formed the one wave running when the record ends (waves go
 * strictly in order); the rest were never reached, their wave unknown.
 */
export function buildWaves(
  result: ReportInput,
  audit: readonly AuditEntry[],
  lanes: readonly Lane[],
): Wave[] {
  const completedAt = new Map<number, number>();
  const completed: Array<{ wave: number; regions: string[] }> = [];
  for (const entry of audit) {
    if (entry.action !== 'wave.completed') continue;
    const wave = number(detailOf(entry).wave);
    if (wave === undefined) continue;
    completedAt.set(wave, entry.atSeconds);
    completed.push({ wave, regions: strings(detailOf(entry).regions) });
  }
  const started = (region: string) =>
    lanes.some((lane) => lane.region === region && lane.startSeconds !== undefined);
  const span = (regions: readonly string[]) => {
    const inWave = lanes.filter((lane) => regions.includes(lane.region) && lane.startSeconds !== undefined);
    if (inWave.length === 0) return {};
    return {
      startSeconds: Math.min(...inWave.map((lane) => lane.startSeconds!)),
      endSeconds: Math.max(...inWave.map((lane) => lane.rollback?.toSeconds ?? lane.endSeconds!)),
    };
  };
  const unfinishedState: Wave['state'] =
    result.status === 'RUNNING' || result.status === 'STALLED' ? 'running' : 'interrupted';

  if (result.waves && result.waves.length > 0) {
    return [...result.waves]
      .sort((a, b) => a.wave - b.wave)
      .map(({ wave, regions }) => {
        const end = completedAt.get(wave);
        const state: Wave['state'] =
          end !== undefined ? 'completed' : regions.some(started) ? unfinishedState : 'not reached';
        return {
          label: `Wave ${wave}`,
          regions,
          state,
          ...span(regions),
          ...(end !== undefined && { endSeconds: end }),
        };
      });
  }

  const waves: Wave[] = completed
    .sort((a, b) => a.wave - b.wave)
    .map(({ wave, regions }) => ({
      label: `Wave ${wave}`,
      regions,
      state: 'completed',
      ...span(regions),
      endSeconds: completedAt.get(wave)!,
    }));
  const placed = new Set(waves.flatMap((wave) => wave.regions));
  const allRegions = [...new Set([...Object.keys(result.regions), ...lanes.map((lane) => lane.region)])];
  const running = allRegions.filter((region) => !placed.has(region) && started(region));
  if (running.length > 0) {
    const number = Math.max(0, ...completed.map((wave) => wave.wave)) + 1;
    waves.push({ label: `Wave ${number}`, regions: running, state: unfinishedState, ...span(running) });
  }
  const unreached = allRegions.filter((region) => !placed.has(region) && !started(region));
  if (unreached.length > 0) waves.push({ label: 'Later waves', regions: unreached, state: 'not reached' });
  return waves;
}

export function buildCapacity(failovers: Failover[]): Capacity {
  const dns = new Map<string, StepPoint[]>();
  const replicas = new Map<string, { region: string; service: string; points: StepPoint[] }>();
  const change = (points: StepPoint[], atSeconds: number, before: number, after: number) => {
    if (points.length === 0) points.push({ atSeconds: 0, value: before });
    if (points.at(-1)!.value !== after) points.push({ atSeconds, value: after });
  };
  const byTime = (at: (failover: Failover) => number | undefined) =>
    failovers.filter((failover) => at(failover) !== undefined).sort((a, b) => at(a)! - at(b)!);

  for (const failover of byTime((entry) => entry.dnsChangedSeconds)) {
    const before = failover.dnsWeightsBefore ?? {};
    const after = failover.dnsWeightsAfter ?? {};
    for (const setIdentifier of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const points = dns.get(setIdentifier) ?? [];
      dns.set(setIdentifier, points);
      change(points, failover.dnsChangedSeconds!, before[setIdentifier] ?? 0, after[setIdentifier] ?? 0);
    }
  }
  for (const failover of byTime((entry) => entry.replicasChangedSeconds)) {
    for (const { region, service, before, after } of failover.replicaChanges) {
      const key = JSON.stringify([region, service]);
      const series = replicas.get(key) ?? { region, service, points: [] };
      replicas.set(key, series);
      change(series.points, failover.replicasChangedSeconds!, before, after);
    }
  }
  return {
    failovers: [...failovers].sort((a, b) => a.atSeconds - b.atSeconds),
    dnsWeights: [...dns].map(([setIdentifier, points]) => ({ setIdentifier, points })),
    replicas: [...replicas.values()],
  };
}
