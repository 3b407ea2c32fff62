/**
 * The shape of the release report's model: what `buildReportModel` derives from a rehearsal
 * result and what the HTML report draws.
 */
import type { JudgeVerdict } from '../../lambdas/core/judge';
import type { ParsedFailover, ReportedFaults, ReportInput } from './input';

/** `unreachable`: started in a region that was down at the end; its last known status may no longer hold. */
export type Outcome = 'completed' | 'rolledBack' | 'failed' | 'running' | 'unreachable' | 'pending';
/** An analysis's verdict; `interrupted`: the rollback stopped it before it judged its window. */
export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'interrupted';

export interface Marker {
  atSeconds: number;
  kind: 'gate' | 'weight' | 'analysis' | 'approval' | 'pause' | 'promote' | 'replace' | 'failure' | 'alarm';
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

/** One version's figures in one compared period; undefined where CloudWatch had no datapoint. */
export interface VersionReading {
  requests?: number;
  errorRatePercent?: number;
  p95LatencyMs?: number;
}

/** The canary and stable figures an analysis was judged on, and the compare check's limits. */
export interface AnalysisSeries {
  limits: {
    maxErrorRateIncreasePoints: number;
    maxP95LatencyRatio: number;
    minRequests: number;
    abortErrorRatePercent?: number;
    abortP95LatencyMs?: number;
  };
  periodSeconds: number;
  periods: Array<{ atSeconds: number; canary: VersionReading; stable: VersionReading }>;
  omittedPeriods?: number;
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
  /** What it was judged on, when the result recorded it (a compare check that read periods). */
  series?: AnalysisSeries;
  /** The judged window. */
  window?: { fromSeconds: number; toSeconds: number };
  /** A judge check's verdict, per metric, when the result recorded one. */
  judge?: JudgeSummary;
}

/** A judge check's verdict as its audit entry records it (lambdas/core/judge.ts). */
export type JudgeSummary = Pick<JudgeVerdict, 'result' | 'confidence' | 'score' | 'metrics'>;

/**
 * Something that happened to the release rather than by it: an alarm Switchyard received, a
 * region's outage, a fault the fault file injected. Drawn on the timeline and the analysis charts.
 */
export interface Incident {
  kind: 'alarm' | 'outage' | 'fault' | 'injected';
  atSeconds: number;
  /** For a window: when it ended; absent for an instant, or one that lasted to the end. */
  untilSeconds?: number;
  /** A window that lasted to the end of the record. */
  open?: boolean;
  region?: string;
  service?: string;
  label: string;
}

/** Retries of one task (one state, region and service): what failed, how often, and whether it went through. */
export interface Retry {
  state: string;
  operation?: string;
  region?: string;
  service?: string;
  failures: number;
  firstSeconds: number;
  lastSeconds: number;
  errors: string[];
  lastMessage?: string;
  /** The task succeeded after its last recorded failure (false: it gave up, or the record ends there). */
  recovered: boolean;
}

/** Something the release leaves for a person, with the exact CLI command that does it. */
export interface LeftItem {
  what: string;
  command: string;
  why?: string;
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
  /** `stable`: stable scaled back up before traffic returns; `ramp`: one step of a rollback ramp. */
  kind: 'started' | 'stable' | 'ramp' | 'traffic' | 'workloads' | 'verified' | 'completed' | 'incomplete';
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
  /** From the trigger (or the start) to every touched service verified back with stable traffic at 100 %. */
  timeToRollbackSeconds?: number;
  /** Where that time counts from, and where it ends (the rollback's completion). */
  fromSeconds: number;
  /** Per region, when its traffic was back on stable. */
  trafficRestored: Array<{ region: string; atSeconds: number }>;
  /** Regions whose traffic was never put back on stable. */
  trafficNotRestored: string[];
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

/** A region's drain for the release: its weight to 0 and back (model-drains.ts). */
export interface Drain {
  region: string;
  plannedSeconds: number;
  /** By region, as the drain recorded them. */
  weightsBefore: Record<string, number>;
  weightsAfter: Record<string, number>;
  /** Services of the other regions scaled up to carry the region's share. */
  scaled: number;
  weightRemovedSeconds?: number;
  ttlSeconds?: number;
  restoreSteps: Array<{ percent: number; atSeconds: number }>;
  outcome: 'draining' | 'restored' | 'given back by the rollback';
  endSeconds?: number;
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
  rollbackWindow?: NonNullable<ReportInput['rollbackWindow']>;
  capacity: Capacity;
  drains: Drain[];
  executionsByStatus: Array<{ status: string; count: number }>;
  /** The fault file's description and windows, when the result has them. */
  faults?: ReportedFaults;
  incidents: Incident[];
  retries: Retry[];
  /** Regions down at the end. */
  unreachableRegions: string[];
  leftForAPerson: LeftItem[];
}
