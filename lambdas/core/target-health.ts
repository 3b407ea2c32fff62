/**
 * What a load balancer says of each target registered in a target group, and what that means
 * for a rollout: traffic may move to a group only when every pod it should reach is healthy in it.
 *
 * States and reason codes are the ELB API's:
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
 */
import {
  RolloutNotReadyError,
  RolloutStuckError,
  SharedTargetGroupError,
  TrafficNotReadyError,
} from './errors';

export const TARGET_HEALTH_STATES = [
  'initial',
  'healthy',
  'unhealthy',
  'unhealthy.draining',
  'unused',
  'draining',
  'unavailable',
] as const;
export type TargetHealthState = (typeof TARGET_HEALTH_STATES)[number];

export interface RegisteredTarget {
  /** The pod IP for target type `ip`. */
  id: string;
  port?: number;
  state: TargetHealthState;
  reason?: string;
  description?: string;
}

/**
 * What each state means to Switchyard, by name:
 * - serving: healthy; the load balancer routes to it.
 * - registering: `initial`, registration or the first health checks are in progress.
 * - failingHealthChecks: `unhealthy`.
 * - notInUse: `unused` with Target.NotInUse: no listener rule or default action forwards to the
 *   group (or the target's zone is not enabled), so the ALB does not health-check it at all
 *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/check-target-health.html).
 * - notRegistered: `unused` for any other reason (not registered, invalid state, IP unusable).
 * - leaving: `draining` or `unhealthy.draining`, deregistration in progress.
 * - unverifiable: `unavailable`, health checks disabled or an ELB internal error.
 */
export type TargetOutcome =
  | 'serving'
  | 'registering'
  | 'failingHealthChecks'
  | 'notInUse'
  | 'notRegistered'
  | 'leaving'
  | 'unverifiable';

export function targetOutcome(target: Pick<RegisteredTarget, 'state' | 'reason'>): TargetOutcome {
  switch (target.state) {
    case 'healthy':
      return 'serving';
    case 'initial':
      return 'registering';
    case 'unhealthy':
      return 'failingHealthChecks';
    case 'unused':
      return target.reason === 'Target.NotInUse' ? 'notInUse' : 'notRegistered';
    case 'draining':
    case 'unhealthy.draining':
      return 'leaving';
    case 'unavailable':
      return 'unverifiable';
  }
}

/** Targets on their way out are neither serving nor failing: a check ignores them. */
export function isLeaving(target: Pick<RegisteredTarget, 'state'>): boolean {
  return target.state === 'draining' || target.state === 'unhealthy.draining';
}

export type GroupReadiness =
  | { ready: true; message: string }
  | { ready: false; outcome: TargetOutcome | 'tooFewTargets'; message: string };

/**
 * A group is ready for traffic when at least `expected` of its targets are healthy (the pods
 * that should serve: all of them, not the first one). Otherwise the message names how many
 * targets are in which state and why, e.g. `2 of 3 targets initial (Elb.InitialHealthChecking)`.
 */
export function judgeTargetGroup(
  groupName: string,
  targets: readonly RegisteredTarget[],
  expected: number,
): GroupReadiness {
  const present = targets.filter((target) => !isLeaving(target));
  const serving = present.filter((target) => target.state === 'healthy').length;
  if (serving >= expected) {
    return { ready: true, message: `${groupName}: ${serving} healthy target${serving === 1 ? '' : 's'}` };
  }
  const waiting = present.filter((target) => target.state !== 'healthy');
  if (waiting.length === 0) {
    return {
      ready: false,
      outcome: 'tooFewTargets',
      message: `${groupName}: ${serving} of ${expected} expected targets registered and healthy`,
    };
  }
  // The most telling state first: a group no rule forwards to explains everything else.
  const order: TargetOutcome[] = [
    'notInUse',
    'failingHealthChecks',
    'unverifiable',
    'notRegistered',
    'registering',
    'leaving',
    'serving',
  ];
  const outcome = order.find((candidate) => waiting.some((target) => targetOutcome(target) === candidate))!;
  return {
    ready: false,
    outcome,
    message: `${groupName}: ${serving} of ${expected} targets healthy; ${describeStates(waiting)}`,
  };
}

/** `2 initial (Elb.InitialHealthChecking), 1 unhealthy (Target.FailedHealthChecks: …)`. */
export function describeStates(targets: readonly RegisteredTarget[]): string {
  const groups = new Map<string, number>();
  for (const target of targets) {
    const why = [target.reason, target.description].filter(Boolean).join(': ');
    const key = why === '' ? target.state : `${target.state} (${why})`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return [...groups].map(([key, count]) => `${count} ${key}`).join(', ');
}

export interface TargetGroupTargets {
  name: string;
  targets: readonly RegisteredTarget[];
}

/**
 * Stable and canary pods must never share a target group: weights split traffic between groups,
 * so a canary pod in the stable group takes stable traffic and skews both the split and the
 * comparison. Every target a group registers (leaving ones aside) must be a pod of its own
 * track, by IP. Returns what is wrong with each group, empty when they are apart.
 */
export function tracksSharingGroups(
  groups: Record<'stable' | 'canary', TargetGroupTargets>,
  podIps: Record<'stable' | 'canary', readonly string[]>,
): string[] {
  const problems: string[] = [];
  for (const [track, other] of [
    ['stable', 'canary'],
    ['canary', 'stable'],
  ] as const) {
    const own = new Set(podIps[track]);
    const others = new Set(podIps[other]);
    const present = groups[track].targets.filter((target) => !isLeaving(target));
    const wrongTrack = present.filter((target) => others.has(target.id)).map((target) => target.id);
    const strangers = present
      .filter((target) => !own.has(target.id) && !others.has(target.id))
      .map((target) => target.id);
    if (wrongTrack.length > 0) {
      problems.push(`${groups[track].name} has ${other} pods registered (${listed(wrongTrack)})`);
    }
    if (strangers.length > 0) {
      problems.push(`${groups[track].name} has targets that are not ${track} pods (${listed(strangers)})`);
    }
  }
  return problems;
}

function listed(ids: readonly string[]): string {
  const shown = ids.slice(0, 5).join(', ');
  return ids.length > 5 ? `${shown} and ${ids.length - 5} more` : shown;
}

/** What `kubectl rollout status` says of one track (the Cluster port's RolloutStatus). */
export interface TrackRollout {
  state: 'complete' | 'progressing' | 'failed';
  message: string;
  desired: number;
}

/**
 * Whether one track of a service may take traffic, judged as `kubectl rollout status` judges it
 * and then by its load balancer: stable and canary pods in their own groups only, and every
 * desired pod a healthy target. Returns the error the state machine acts on (RolloutNotReady and
 * TrafficNotReady are retried with backoff; a stuck rollout or shared groups are not), or
 * undefined when the track is ready. `groups` is absent for a service without traffic.
 */
export function judgeTrackReady(
  where: { service: string; region: string; track: 'stable' | 'canary' },
  rollout: TrackRollout,
  groups?: {
    health: Record<'stable' | 'canary', TargetGroupTargets>;
    podIps: Record<'stable' | 'canary', readonly string[]>;
  },
): Error | undefined {
  const { service, region, track } = where;
  if (rollout.state === 'failed')
    return new RolloutStuckError(`${service} (${track}) in ${region}: ${rollout.message}`);
  if (rollout.state === 'progressing')
    return new RolloutNotReadyError(`${service} (${track}) in ${region}: ${rollout.message}`);
  if (!groups || rollout.desired === 0) return undefined;
  const shared = tracksSharingGroups(groups.health, groups.podIps);
  if (shared.length > 0) {
    return new SharedTargetGroupError(
      `${service} in ${region}: ${shared.join('; ')}. Stable and canary pods must never share a target group: label the stable pod template switchyard.dev/track: stable and make the stable Service select on it (the canary's pods carry switchyard.dev/track: canary); see the README, "Target groups"`,
    );
  }
  const readiness = judgeTargetGroup(
    groups.health[track].name,
    groups.health[track].targets,
    rollout.desired,
  );
  return readiness.ready
    ? undefined
    : new TrafficNotReadyError(`${service} ${track} in ${region}: ${readiness.message}`);
}
