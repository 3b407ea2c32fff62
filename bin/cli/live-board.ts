/**
 * The live view's model: what one frame shows, whoever follows the release (`rehearse` from its
 * audit and the simulated fleet, `status --watch` from the API's ReleaseView). Pure data; the
 * renderer (live-render.ts) fits it to a terminal.
 */
import type { ReleaseView, ServiceView } from '../../lambdas/api/release-view';
import type { RolloutStep } from '../../lambdas/core/strategy';
import type { Weights } from '../../lambdas/ports';

/** A service's state in words, as `kubectl argo rollouts get rollout` names them. */
export type ServiceState =
  | 'Healthy'
  | 'Progressing'
  | 'Paused'
  | 'Degraded'
  | 'RollingBack'
  | 'RolledBack'
  | 'Pending'
  | 'Unknown';

export const STATE_ICONS: Record<ServiceState, string> = {
  Healthy: '✔',
  Progressing: '◌',
  Paused: '॥',
  Degraded: '✖',
  RollingBack: '↺',
  RolledBack: '↺',
  Pending: '·',
  Unknown: '?',
};

/** A service is settled when nothing is happening to it now: a condensed frame folds it. */
export function isSettled(state: ServiceState): boolean {
  return state === 'Healthy' || state === 'Pending' || state === 'RolledBack';
}

export interface Replicas {
  ready: number;
  replicas: number;
}

export interface BoardService {
  service: string;
  state: ServiceState;
  /** Why, in a few words: the approval waited for, the failure. */
  note?: string;
  /** 1-based step being run (or the last one, once done), of `count`, with the plan's name for it. */
  step?: { number: number; count: number; name: string; done: boolean };
  /** The weights Switchyard set on the listener, and those observed there (when known). */
  setWeights?: Weights;
  actualWeights?: Weights;
  images: { stable?: string; canary?: string };
  ready?: { stable?: Replicas; canary?: Replicas };
}

export interface BoardRegion {
  region: string;
  cluster?: string;
  /** The region is unreachable (an outage): what is shown of it may be stale. */
  down?: boolean;
  services: BoardService[];
}

export interface Board {
  /** e.g. `rehearse fixture-canary` or `release shop-2026-12-01`. */
  title: string;
  status: string;
  /** `+12m30s` of virtual time, or the time of the last answer. */
  clock?: string;
  waves: Array<{ wave: number; regions: BoardRegion[] }>;
  /** Lines a person must act on (approvals waiting, with the command). */
  notices: string[];
  /** The line log's latest lines, newest last. */
  recent: string[];
}

/** The plan's name for a step: what a person wrote in the plan. */
export function stepName(step: RolloutStep | undefined): string {
  if (!step) return '';
  switch (step.kind) {
    case 'setWeight':
      return `setWeight ${step.weight}`;
    case 'pause':
      return `pause ${formatSeconds(step.seconds)}`;
    case 'approval':
      return 'pause (approval)';
    case 'analysis':
      return `analysis ${formatSeconds(step.seconds)}`;
    case 'recreate':
      return 'recreate';
    case 'promote':
      return 'promote';
  }
}

function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0 && seconds > 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0 && seconds > 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** The API's view of a release as a board: the API knows no observed weights, replicas or stable image. */
export function boardFromView(view: ReleaseView, recent: readonly string[], clock?: string): Board {
  const rollingBack = view.status === 'ROLLING_BACK';
  const waiting = new Set(view.approvalsWaiting.map((name) => name.split('/').slice(0, 2).join('/')));
  return {
    title: `release ${view.releaseId}`,
    status: view.status,
    ...(clock && { clock }),
    waves: view.waves.map(({ wave, regions }) => ({
      wave,
      regions: regions.map((region) => ({
        region: region.region,
        cluster: region.cluster,
        services: region.services.map((service) =>
          serviceFromView(service, rollingBack, waiting.has(`${region.region}/${service.service}`)),
        ),
      })),
    })),
    notices: [
      ...(view.approvalsWaiting.length > 0
        ? [
            `waiting for approval: ${view.approvalsWaiting.join(', ')}`,
            `  approve: switchyard approve ${view.releaseId}`,
          ]
        : []),
      ...(view.status === 'MONITORING' && view.rollbackWindow
        ? windowNotices(view.releaseId, view.rollbackWindow.endsAt)
        : []),
    ],
    recent: [...recent],
  };
}

/** A release in its rollback window: until when its alarms still roll it back, and how to close it. */
export function windowNotices(releaseId: string, endsAt: string): string[] {
  return [
    `rollback window open until ${endsAt}: an alarm within it rolls every wave back`,
    `  close it now: switchyard promote ${releaseId}`,
  ];
}

function serviceFromView(service: ServiceView, rollingBack: boolean, waiting: boolean): BoardService {
  const state = viewState(service, rollingBack, waiting);
  const step = service.step;
  return {
    service: service.service,
    state,
    ...((service.reason || waiting) && { note: waiting ? 'awaiting approval' : service.reason }),
    ...(step && {
      step:
        step.kind === 'done'
          ? { number: step.count, count: step.count, name: 'done', done: true }
          : { number: step.index + 1, count: step.count, name: step.kind, done: false },
    }),
    ...(service.status !== 'PENDING' && { setWeights: service.weights }),
    images: service.image && service.status !== 'PENDING' ? { canary: service.image } : {},
  };
}

function viewState(service: ServiceView, rollingBack: boolean, waiting: boolean): ServiceState {
  switch (service.status) {
    case 'PENDING':
    case 'SKIPPED':
      return 'Pending';
    case 'COMPLETED':
      return rollingBack ? 'RollingBack' : 'Healthy';
    case 'FAILED':
      return rollingBack ? 'RollingBack' : 'Degraded';
    case 'ROLLED_BACK':
      return 'RolledBack';
    case 'IN_PROGRESS':
    case 'VALIDATING':
      if (rollingBack) return 'RollingBack';
      if (waiting || service.step?.kind === 'pause' || service.step?.kind === 'approval') return 'Paused';
      return 'Progressing';
  }
}
