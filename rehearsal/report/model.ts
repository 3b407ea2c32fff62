/**
 * What the release report shows, derived from a rehearsal result alone: one lane per
 * service-region with its span and step markers, the share of traffic on the new version over
 * time, the analysis and gate verdicts, the waves, the rollback, and what failovers did to the
 * Route 53 weights and to replicas. Pure: result in, model out.
 */
import type { ReportInput } from './input';
import { analysisJudge, analysisSeries, analysisWindow } from './model-analysis';
import {
  type AuditEntry,
  alarmLabel,
  detailOf,
  number,
  strings,
  switchyardAlarmNames,
  text,
} from './model-detail';
import { buildDrains } from './model-drains';
import { buildIncidents, buildRetries, leftForAPerson, unreachableRegions } from './model-incidents';
import { buildRollback } from './model-rollback';
import type { AnalysisVerdict, GateVerdict, Lane, Outcome, ReportModel, Verdict } from './model-types';
import { buildCapacity, buildWaves } from './model-waves';

export type { ReportInput } from './input';
export type {
  AnalysisSeries,
  AnalysisVerdict,
  Capacity,
  Failover,
  GateVerdict,
  Incident,
  Lane,
  LeftItem,
  Marker,
  Outcome,
  ReportModel,
  Retry,
  Rollback,
  RollbackStep,
  StepPoint,
  Verdict,
  Wave,
  WeightPoint,
} from './model-types';

type ServiceState = ReportInput['regions'][string][string];

const OUTCOME_BY_STATUS: Record<string, Outcome> = {
  COMPLETED: 'completed',
  ROLLED_BACK: 'rolledBack',
  FAILED: 'failed',
  IN_PROGRESS: 'running',
  VALIDATING: 'running',
};

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

  /** An analysis of the lane, from its verdict's audit entry or a reading taken after it was cut short. */
  const addAnalysis = (
    lane: Lane,
    recorded: Pick<AuditEntry, 'at' | 'atSeconds' | 'detail'>,
    verdict: Verdict,
    reason: string,
    details: string[],
  ): AnalysisVerdict => {
    const analysis: AnalysisVerdict = {
      atSeconds: recorded.atSeconds,
      region: lane.region,
      service: lane.service,
      ordinal:
        analyses.filter((other) => other.region === lane.region && other.service === lane.service).length + 1,
      verdict,
      reason,
      details,
    };
    const weight = canaryPercent.get(lane);
    if (weight !== undefined) analysis.canaryPercent = weight;
    const series = analysisSeries(recorded);
    if (series) analysis.series = series;
    const window = analysisWindow(recorded);
    if (window) analysis.window = window;
    const judge = analysisJudge(recorded);
    if (judge) analysis.judge = judge;
    analyses.push(analysis);
    return analysis;
  };

  let rollbackStarted: AuditEntry | undefined;
  const rollbackEntries: AuditEntry[] = [];
  const madeBySwitchyard = switchyardAlarmNames(audit);

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
        const analysis = addAnalysis(lane, entry, verdict, reason, strings(detail.details));
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
      case 'abort-alarm.created':
      case 'abort-alarm.deleted': {
        const name = text(detail.alarmName) ?? 'its abort alarm';
        const made = entry.action === 'abort-alarm.created';
        lane.markers.push({
          atSeconds: at,
          kind: 'alarm',
          label: `abort alarm ${name} ${made ? 'made' : 'deleted'} by Switchyard`,
        });
        break;
      }
      case 'alarm.traffic-returned': {
        canaryPercent.set(lane, 0);
        setShare(lane, at, 0);
        lane.markers.push({
          atSeconds: at,
          kind: 'weight',
          label: `traffic: canary 0 %, stable 100 % at once: abort alarm ${alarmLabel(text(detail.alarmName) ?? '', madeBySwitchyard)} in ALARM`,
        });
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

  // Cut short by the rollback: no verdict was written, but what CloudWatch had up to the stop was read back.
  for (const cut of result.interruptedAnalyses ?? []) {
    const recorded = {
      at: cut.at,
      atSeconds: cut.atSeconds,
      detail: { comparison: cut.comparison, window: cut.window },
    };
    const reason = `interrupted by the rollback before it judged its window: ${cut.interruptedBy}`;
    addAnalysis(laneFor(cut.region, cut.service), recorded, 'interrupted', reason, []);
  }

  const unreachable = unreachableRegions(result, horizonSeconds);
  for (const lane of lanes.values()) {
    if (lane.startSeconds === undefined) continue;
    // Last known as it was before its region went down: nobody can tell now.
    if (unreachable.includes(lane.region) && lane.outcome !== 'rolledBack') lane.outcome = 'unreachable';
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

  const rollback = rollbackStarted && buildRollback(audit, rollbackStarted, rollbackEntries, orderedLanes);
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
    ...(rollback && { rollback }),
    secondReleases: result.secondReleases ?? [],
    ...(result.rollbackWindow && { rollbackWindow: result.rollbackWindow }),
    capacity: buildCapacity(
      (result.failovers ?? []).map((failover) => ({
        ...failover,
        replicaChanges: failover.replicaChanges ?? [],
        unscaled: failover.unscaled ?? [],
      })),
    ),
    drains: buildDrains(audit),
    executionsByStatus: [...statusCounts].map(([status, count]) => ({ status, count })),
    ...(result.faults && { faults: { windows: [], injected: [], ...result.faults } }),
    incidents: buildIncidents(result, audit, horizonSeconds),
    retries: buildRetries(result, audit),
    unreachableRegions: unreachable,
    leftForAPerson: leftForAPerson(result, audit, rollback, orderedLanes, unreachable),
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
