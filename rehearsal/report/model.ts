/**
 * What the release report shows, derived from a rehearsal result alone: one lane per
 * service-region with its span and step markers, the share of traffic on the new version over
 * time, the analysis and gate verdicts, the waves, the rollback, and what failovers did to the
 * Route 53 weights and to replicas. Pure: result in, model out.
 */
import type { ParsedFailover, ReportInput } from './input';

export type { ReportInput } from './input';

type AuditEntry = ReportInput['audit'][number];
type ServiceState = ReportInput['regions'][string][string];

export type Outcome = 'completed' | 'rolledBack' | 'failed' | 'running' | 'pending';
export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface Marker {
  atSeconds: number;
  kind: 'gate' | 'weight' | 'analysis' | 'approval' | 'pause' | 'promote' | 'replace' | 'failure';
  /** For analyses and gates: the verdict; for approvals: asked or given. */
  tone?: Verdict | 'requested' | 'given';
  label: string;
}

export interface WeightPoint {
  atSeconds: number;
  /** Share of requests served by the new version, 0–100. */
  percent: number;
}

export interface Lane {
  region: string;
  service: string;
  status: string;
  outcome: Outcome;
  strategy?: string;
  /** Undefined for a service-region the release never reached. */
  startSeconds?: number;
  /** When the rollout ended: completed, failed, stopped by a rollback, or the end of the record. */
  endSeconds?: number;
  /** Stopped mid-way by a rollback rather than ending on its own. */
  interrupted: boolean;
  rollback?: { fromSeconds: number; toSeconds?: number };
  stepsReached: number;
  stepsTotal: number;
  image: string | null;
  previousImage: string | null;
  /** Final traffic weights, where a load balancer splits the traffic. */
  weights: { stable: number; canary: number } | null;
  failure?: string;
  markers: Marker[];
  /** A step line: the new version's share of traffic, starting at 0 when the rollout starts. */
  newVersionShare: WeightPoint[];
}

export interface AnalysisVerdict {
  atSeconds: number;
  region: string;
  service: string;
  /** 1 for the service-region's first analysis, and so on. */
  ordinal: number;
  verdict: Verdict;
  reason: string;
  details: string[];
  /** The canary's traffic weight while it was judged, when traffic had been shifted. */
  canaryPercent?: number;
  /** A verdict that pauses for a person: when approval was asked for and when it was given. */
  approval?: { requestedSeconds: number; givenSeconds?: number };
}

export interface GateVerdict {
  atSeconds: number;
  region: string;
  service: string;
  passed: boolean;
  score?: number;
  minScore?: number;
  blockers: string[];
}

export interface Wave {
  label: string;
  regions: string[];
  state: 'completed' | 'running' | 'interrupted' | 'not reached';
  startSeconds?: number;
  endSeconds?: number;
}

export interface RollbackStep {
  atSeconds: number;
  region?: string;
  kind: 'started' | 'traffic' | 'workloads' | 'verified' | 'completed' | 'incomplete';
  label: string;
  services: string[];
}

export interface Rollback {
  startedSeconds: number;
  reason?: string;
  regions: string[];
  trigger?: { atSeconds: number; title: string; description?: string; region?: string; service?: string };
  steps: RollbackStep[];
  outcome: 'completed' | 'incomplete' | 'unfinished';
  endSeconds?: number;
  incompleteReason?: string;
  /** From the trigger to stable traffic back everywhere (the rehearsal's own figure). */
  timeToStableTrafficSeconds?: number;
  durationSeconds?: number;
  restored: Array<{ region: string; service: string; image: string | null; previousImage: string | null }>;
}

/** A value that holds from `atSeconds` until the next point. */
export interface StepPoint {
  atSeconds: number;
  value: number;
}

export type Failover = ParsedFailover;

/**
 * What failovers did to Route 53 and to capacity, over time: each set identifier's weight and the
 * replicas of every service a failover scaled, as the failover records say (the value before
 * holds from the start: nothing else in a rehearsal changes either).
 */
export interface Capacity {
  failovers: Failover[];
  dnsWeights: Array<{ setIdentifier: string; points: StepPoint[] }>;
  replicas: Array<{ region: string; service: string; points: StepPoint[] }>;
}

export interface ReportModel {
  releaseId: string;
  status: string;
  reason?: string;
  seed: number;
  /** The end of the time axis: the last thing that happened. */
  horizonSeconds: number;
  counters: ReportInput['counters'];
  waves: Wave[];
  /** Region order for every view: by wave, then as the result lists them. */
  regions: string[];
  lanes: Lane[];
  analyses: AnalysisVerdict[];
  gates: GateVerdict[];
  rollback?: Rollback;
  secondReleases: NonNullable<ReportInput['secondReleases']>;
  capacity: Capacity;
  executionsByStatus: Array<{ status: string; count: number }>;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const number = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
const detailOf = (entry: AuditEntry): Record<string, unknown> => entry.detail ?? {};

const OUTCOME_BY_STATUS: Record<string, Outcome> = {
  COMPLETED: 'completed',
  ROLLED_BACK: 'rolledBack',
  FAILED: 'failed',
  IN_PROGRESS: 'running',
  VALIDATING: 'running',
};

const TRIGGER_ACTIONS = new Set(['alarm.received', 'analysis.fail', 'gate.failed', 'service.failed']);

export function buildReportModel(result: ReportInput): ReportModel {
  const audit = [...result.audit].sort((a, b) => a.atSeconds - b.atSeconds);
  const horizonSeconds = Math.max(
    result.counters.makespanSeconds,
    ...audit.map((entry) => entry.atSeconds),
    ...(result.executions ?? []).map((execution) => execution.endSeconds),
    1,
  );

  const lanes = new Map<string, Lane>();
  const keyOf = (region: string, service: string) => JSON.stringify([region, service]);
  const laneFor = (region: string, service: string): Lane => {
    const key = keyOf(region, service);
    let lane = lanes.get(key);
    if (!lane) {
      // A service-region that appears only in the audit still gets its lane.
      lane = emptyLane(region, service, undefined);
      lanes.set(key, lane);
    }
    return lane;
  };
  for (const [region, services] of Object.entries(result.regions)) {
    for (const [service, state] of Object.entries(services)) {
      lanes.set(keyOf(region, service), emptyLane(region, service, state));
    }
  }

  const analyses: AnalysisVerdict[] = [];
  const gates: GateVerdict[] = [];
  const canaryPercent = new Map<Lane, number>();
  const approvals = new Map<string, { lane: Lane; analysis?: AnalysisVerdict }>();
  const setShare = (lane: Lane, atSeconds: number, percent: number) => {
    const points = lane.newVersionShare;
    // Several changes at one instant (a promotion's weight reset, then the promotion) count as
    // their last; a change to the same share is no change.
    if (points.at(-1)?.atSeconds === atSeconds) points.pop();
    if (points.at(-1)?.percent !== percent) points.push({ atSeconds, percent });
  };
  const start = (lane: Lane, atSeconds: number) => {
    if (lane.startSeconds === undefined || atSeconds < lane.startSeconds) {
      lane.startSeconds = atSeconds;
      if (lane.newVersionShare.length === 0) lane.newVersionShare.push({ atSeconds, percent: 0 });
    }
  };

  let rollbackStarted: AuditEntry | undefined;
  const rollbackEntries: AuditEntry[] = [];

  for (const entry of audit) {
    const detail = detailOf(entry);
    const at = entry.atSeconds;
    if (entry.action.startsWith('rollback.') || entry.action === 'service.rolled-back') {
      rollbackEntries.push(entry);
    }
    if (entry.action === 'rollback.started' && !rollbackStarted) rollbackStarted = entry;

    if (entry.action === 'approval.given') {
      const name = text(detail.approval);
      const asked = name ? approvals.get(name) : undefined;
      const lane = entry.region && entry.service ? laneFor(entry.region, entry.service) : asked?.lane;
      if (asked?.analysis?.approval) asked.analysis.approval.givenSeconds = at;
      lane?.markers.push({
        atSeconds: at,
        kind: 'approval',
        tone: 'given',
        label: `approval given${name ? ` (${name})` : ''}`,
      });
      continue;
    }
    if (entry.action === 'rollback.traffic-restored' && entry.region) {
      for (const service of strings(detail.services)) {
        const lane = laneFor(entry.region, service);
        if (lane.startSeconds !== undefined) setShare(lane, at, 0);
      }
      continue;
    }
    if (!entry.region || !entry.service) continue;
    const lane = laneFor(entry.region, entry.service);

    switch (entry.action) {
      case 'service.claimed':
        start(lane, at);
        break;
      case 'service.started':
        start(lane, at);
        lane.strategy = text(detail.strategy) ?? lane.strategy;
        break;
      case 'gate.passed':
      case 'gate.failed': {
        const passed = entry.action === 'gate.passed';
        const gate: GateVerdict = {
          atSeconds: at,
          region: entry.region,
          service: entry.service,
          passed,
          blockers: strings(detail.blockers),
        };
        const score = number(detail.score);
        const minScore = number(detail.minScore);
        if (score !== undefined) gate.score = score;
        if (minScore !== undefined) gate.minScore = minScore;
        gates.push(gate);
        lane.markers.push({
          atSeconds: at,
          kind: 'gate',
          tone: passed ? 'pass' : 'fail',
          label: `readiness gate ${passed ? 'passed' : 'failed'}${score === undefined ? '' : `: score ${score}${minScore === undefined ? '' : ` (needs ${minScore})`}`}${gate.blockers.length ? ` — ${gate.blockers.join('; ')}` : ''}`,
        });
        break;
      }
      case 'traffic.shifted': {
        const stable = number(detail.stable);
        const canary = number(detail.canary);
        if (canary === undefined) break;
        canaryPercent.set(lane, canary);
        setShare(lane, at, canary);
        lane.markers.push({
          atSeconds: at,
          kind: 'weight',
          label: `traffic: canary ${canary} %${stable === undefined ? '' : `, stable ${stable} %`}${text(detail.via) ? ` (via ${text(detail.via)})` : ''}`,
        });
        break;
      }
      case 'analysis.pass':
      case 'analysis.fail':
      case 'analysis.inconclusive': {
        const verdict = entry.action.slice('analysis.'.length) as Verdict;
        const reason = text(detail.reason) ?? verdict;
        const analysis: AnalysisVerdict = {
          atSeconds: at,
          region: entry.region,
          service: entry.service,
          ordinal:
            analyses.filter((other) => other.region === entry.region && other.service === entry.service)
              .length + 1,
          verdict,
          reason,
          details: strings(detail.details),
        };
        const weight = canaryPercent.get(lane);
        if (weight !== undefined) analysis.canaryPercent = weight;
        analyses.push(analysis);
        lane.markers.push({
          atSeconds: at,
          kind: 'analysis',
          tone: verdict,
          label: `analysis ${analysis.ordinal}: ${verdict} — ${reason}`,
        });
        break;
      }
      case 'approval.requested': {
        const name = text(detail.approval);
        // An approval asked for at the instant of an analysis verdict is that verdict's pause.
        const analysis = analyses.findLast(
          (other) =>
            other.region === entry.region && other.service === entry.service && other.atSeconds === at,
        );
        if (analysis) analysis.approval = { requestedSeconds: at };
        if (name) approvals.set(name, { lane, ...(analysis && { analysis }) });
        lane.markers.push({
          atSeconds: at,
          kind: 'approval',
          tone: 'requested',
          label: `approval requested${text(detail.reason) ? ` after ${text(detail.reason)}` : ''}`,
        });
        break;
      }
      case 'step.completed': {
        const kind = text(detail.kind);
        const stepIndex = number(detail.stepIndex);
        const step = stepIndex === undefined ? 'step' : `step ${stepIndex + 1}`;
        if (kind === 'pause')
          lane.markers.push({ atSeconds: at, kind: 'pause', label: `${step}: pause over` });
        if (kind === 'promote') {
          // Promotion makes the new version the stable one: all traffic is on it from here.
          setShare(lane, at, 100);
          lane.markers.push({ atSeconds: at, kind: 'promote', label: `${step}: promoted` });
        }
        if (kind === 'recreate') {
          setShare(lane, at, 100);
          lane.markers.push({ atSeconds: at, kind: 'replace', label: `${step}: recreated on the new image` });
        }
        break;
      }
      case 'service.completed':
        lane.endSeconds = at;
        break;
      case 'service.failed': {
        lane.endSeconds = at;
        lane.failure = text(detail.reason) ?? text(detail.error) ?? 'failed';
        lane.markers.push({ atSeconds: at, kind: 'failure', tone: 'fail', label: `failed: ${lane.failure}` });
        break;
      }
      case 'service.rolled-back':
        lane.rollback = {
          fromSeconds: lane.rollback?.fromSeconds ?? rollbackStarted?.atSeconds ?? at,
          toSeconds: at,
        };
        break;
    }
  }

  for (const lane of lanes.values()) {
    if (lane.startSeconds === undefined) continue;
    if (lane.endSeconds === undefined) {
      // Still going when the record ends: stopped by the rollback, or running (a stalled release).
      if (rollbackStarted && rollbackStarted.atSeconds >= lane.startSeconds) {
        lane.endSeconds = rollbackStarted.atSeconds;
        lane.interrupted = true;
      } else {
        lane.endSeconds = horizonSeconds;
      }
    }
    if (lane.rollback && rollbackStarted) lane.rollback.fromSeconds = rollbackStarted.atSeconds;
  }

  const waves = buildWaves(result, audit, [...lanes.values()]);
  const regionOrder = [
    ...new Set([
      ...waves.flatMap((wave) => wave.regions),
      ...Object.keys(result.regions),
      ...[...lanes.values()].map((lane) => lane.region),
    ]),
  ];
  const rank = (region: string) => regionOrder.indexOf(region);
  const orderedLanes = [...lanes.values()].sort(
    (a, b) =>
      rank(a.region) - rank(b.region) ||
      (a.startSeconds ?? Number.POSITIVE_INFINITY) - (b.startSeconds ?? Number.POSITIVE_INFINITY) ||
      (a.endSeconds ?? 0) - (b.endSeconds ?? 0),
  );

  const statusCounts = new Map<string, number>();
  for (const execution of result.executions ?? [])
    statusCounts.set(execution.status, (statusCounts.get(execution.status) ?? 0) + 1);

  return {
    releaseId: result.releaseId,
    status: result.status,
    ...(result.reason && { reason: result.reason }),
    seed: result.seed,
    horizonSeconds,
    counters: result.counters,
    waves,
    regions: regionOrder,
    lanes: orderedLanes,
    analyses,
    gates,
    ...(rollbackStarted && {
      rollback: buildRollback(result, audit, rollbackStarted, rollbackEntries, orderedLanes),
    }),
    secondReleases: result.secondReleases ?? [],
    capacity: buildCapacity(
      (result.failovers ?? []).map((failover) => ({
        ...failover,
        replicaChanges: failover.replicaChanges ?? [],
        unscaled: failover.unscaled ?? [],
      })),
    ),
    executionsByStatus: [...statusCounts].map(([status, count]) => ({ status, count })),
  };
}

function emptyLane(region: string, service: string, state: ServiceState | undefined): Lane {
  const status = state?.status ?? 'UNTOUCHED';
  return {
    region,
    service,
    status,
    outcome: OUTCOME_BY_STATUS[status] ?? 'pending',
    interrupted: false,
    stepsReached: state?.stepReached ?? 0,
    stepsTotal: state?.steps ?? 0,
    image: state?.image ?? null,
    previousImage: state?.previousImage ?? null,
    weights: state?.weights ?? null,
    markers: [],
    newVersionShare: [],
  };
}

/**
 * Waves as given, or as the audit shows them: completed waves by `wave.completed`; the regions
 * that started without completing formed the one wave running when the record ends (waves go
 * strictly in order); the rest were never reached, their wave unknown.
 */
function buildWaves(result: ReportInput, audit: readonly AuditEntry[], lanes: readonly Lane[]): Wave[] {
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

function buildRollback(
  result: ReportInput,
  audit: readonly AuditEntry[],
  started: AuditEntry,
  entries: readonly AuditEntry[],
  lanes: readonly Lane[],
): Rollback {
  const startedDetail = detailOf(started);
  const rollback: Rollback = {
    startedSeconds: started.atSeconds,
    regions: strings(startedDetail.regions),
    steps: [],
    outcome: 'unfinished',
    restored: lanes
      .filter((lane) => lane.rollback?.toSeconds !== undefined)
      .map(({ region, service, image, previousImage }) => ({ region, service, image, previousImage })),
  };
  const reason = text(startedDetail.reason);
  if (reason) rollback.reason = reason;

  // What set it off: the first alarm, failed analysis, failed gate or failed service up to the
  // moment the rollback started (entries of one instant may be recorded in either order).
  const trigger = audit.find(
    (entry) => TRIGGER_ACTIONS.has(entry.action) && entry.atSeconds <= started.atSeconds,
  );
  if (trigger) rollback.trigger = describeTrigger(trigger);

  const rolledBack = new Map<string, { atSeconds: number; services: string[] }>();
  for (const entry of entries) {
    const detail = detailOf(entry);
    const region = entry.region;
    switch (entry.action) {
      case 'rollback.started':
        rollback.steps.push({
          atSeconds: entry.atSeconds,
          kind: 'started',
          label: 'rollback started',
          services: [],
        });
        break;
      case 'rollback.traffic-restored':
        rollback.steps.push({
          atSeconds: entry.atSeconds,
          ...(region && { region }),
          kind: 'traffic',
          label: 'stable traffic back to 100 %',
          services: strings(detail.services),
        });
        break;
      case 'rollback.workloads-restored':
        rollback.steps.push({
          atSeconds: entry.atSeconds,
          ...(region && { region }),
          kind: 'workloads',
          label: 'workloads restored from their snapshots, in this order',
          services: strings(detail.order),
        });
        break;
      case 'service.rolled-back': {
        if (!region || !entry.service) break;
        const group = rolledBack.get(region) ?? { atSeconds: entry.atSeconds, services: [] };
        group.atSeconds = Math.max(group.atSeconds, entry.atSeconds);
        group.services.push(entry.service);
        rolledBack.set(region, group);
        break;
      }
      case 'rollback.completed':
      case 'rollback.incomplete': {
        const complete = entry.action === 'rollback.completed';
        rollback.outcome = complete ? 'completed' : 'incomplete';
        rollback.endSeconds = entry.atSeconds;
        const seconds = number(detail.seconds);
        if (seconds !== undefined) rollback.durationSeconds = seconds;
        const why = text(detail.reason);
        if (!complete && why) rollback.incompleteReason = why;
        rollback.steps.push({
          atSeconds: entry.atSeconds,
          kind: complete ? 'completed' : 'incomplete',
          label: complete ? 'rollback completed' : 'rollback incomplete: left for a person',
          services: [],
        });
        break;
      }
    }
  }
  for (const [region, group] of rolledBack) {
    rollback.steps.push({
      atSeconds: group.atSeconds,
      region,
      kind: 'verified',
      label: 'verified back on the snapshot',
      services: group.services,
    });
  }
  const order: Record<RollbackStep['kind'], number> = {
    started: 0,
    traffic: 1,
    workloads: 2,
    verified: 3,
    completed: 4,
    incomplete: 4,
  };
  rollback.steps.sort((a, b) => a.atSeconds - b.atSeconds || order[a.kind] - order[b.kind]);
  if (result.counters.timeToRollbackSeconds !== undefined)
    rollback.timeToStableTrafficSeconds = result.counters.timeToRollbackSeconds;
  if (rollback.durationSeconds === undefined && rollback.endSeconds !== undefined)
    rollback.durationSeconds = rollback.endSeconds - rollback.startedSeconds;
  return rollback;
}

function describeTrigger(entry: AuditEntry): NonNullable<Rollback['trigger']> {
  const detail = detailOf(entry);
  const where = {
    ...(entry.region && { region: entry.region }),
    ...(entry.service && { service: entry.service }),
  };
  const reason = text(detail.reason);
  const described = (title: string, description: string | undefined) => ({
    atSeconds: entry.atSeconds,
    title,
    ...(description && { description }),
    ...where,
  });
  switch (entry.action) {
    case 'alarm.received': {
      const alarm = text(detail.alarmName);
      return described(alarm ? `CloudWatch alarm ${alarm}` : 'A CloudWatch alarm', reason);
    }
    case 'analysis.fail':
      return described(`Analysis failed for ${entry.service} in ${entry.region}`, reason);
    case 'gate.failed':
      return described(
        `Readiness gate failed for ${entry.service} in ${entry.region}`,
        strings(detail.blockers).join('; ') || reason,
      );
    default:
      return described(`${entry.service ?? 'A service'} failed in ${entry.region ?? 'a region'}`, reason);
  }
}

function buildCapacity(failovers: Failover[]): Capacity {
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
