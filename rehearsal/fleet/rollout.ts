/**
 * How a simulated Deployment's pods evolve after a spec change, as a pure function of time.
 *
 * Each change starts a segment. Pods still needed for the new spec start one every
 * `replicaIntervalMs` (the first at once) and become ready `readinessDelayMs` after they start;
 * old ready pods keep serving and are terminated as new ones become ready, so availability stays
 * at the desired count (a RollingUpdate with maxUnavailable 0). Pods of a version that never
 * becomes ready stop at the surge (25 %, at least one) and the Deployment exceeds its progress
 * deadline. Nothing is stepped: any instant is computed from the segment, so a thousand
 * Deployments cost nothing while virtual time passes.
 */
import type { DeploymentStatusInput } from '../../lambdas/adapters/kubernetes/rollout-status';
import type { FleetTiming } from './context';

export interface RolloutSegment {
  startMs: number;
  /** spec.replicas from this change on. */
  desired: number;
  /** The image of the service's container in the current template: it decides the version. */
  image: string | undefined;
  /** Ready pods of the current template when the segment started (a scale keeps them). */
  carriedReady: number;
  /** Ready pods of older templates when the segment started, and what most of them run. */
  oldReady: number;
  oldImage: string | undefined;
  /** The current template's pods never pass their readiness probe. */
  neverReady: boolean;
  /** When the current template's first pod started: carried pods date from then. */
  templateSinceMs: number;
}

export interface PodCensus {
  /** Pods of the current template (status.updatedReplicas). */
  updated: number;
  updatedReady: number;
  oldReady: number;
  /** Started but not ready: still within their readiness delay. */
  starting: number;
  /** Started, past their readiness delay, and still not ready: failing their probe. */
  failing: number;
}

/** A Deployment with no pods: before creation and after deletion. */
export function emptySegment(startMs: number): RolloutSegment {
  return {
    startMs,
    desired: 0,
    image: undefined,
    carriedReady: 0,
    oldReady: 0,
    oldImage: undefined,
    neverReady: false,
    templateSinceMs: startMs,
  };
}

/** A Deployment that has been running long before the rehearsal: every pod ready. */
export function settledSegment(startMs: number, replicas: number, image: string): RolloutSegment {
  return {
    ...emptySegment(startMs),
    desired: replicas,
    image,
    carriedReady: replicas,
    templateSinceMs: Number.NEGATIVE_INFINITY,
  };
}

/** One pod of a segment: which template it runs, its place among them, and since when it is ready. */
export interface SegmentPod {
  image: string | undefined;
  /** Its index among the pods of its template: the same image and ordinal is the same pod. */
  ordinal: number;
  /** When it passed its readiness probe; undefined while it has not. */
  readySinceMs: number | undefined;
}

/** The pods `podsAt` counts, one by one (the old template's ready pods last). */
export function podsOf(segment: RolloutSegment, timing: FleetTiming, atMs: number): SegmentPod[] {
  const census = podsAt(segment, timing, atMs);
  const carried = Math.min(segment.carriedReady, segment.desired);
  const pods: SegmentPod[] = [];
  for (let ordinal = 0; ordinal < census.updated; ordinal += 1) {
    let readySinceMs: number | undefined;
    if (ordinal < carried) {
      // Ready before this segment began; when exactly follows from the template's first segment.
      readySinceMs = Math.min(
        segment.startMs,
        segment.templateSinceMs + timing.readinessDelayMs + ordinal * timing.replicaIntervalMs,
      );
    } else {
      const readyAt =
        segment.startMs + timing.readinessDelayMs + (ordinal - carried) * timing.replicaIntervalMs;
      readySinceMs = !segment.neverReady && readyAt <= atMs ? readyAt : undefined;
    }
    pods.push({ image: segment.image, ordinal, readySinceMs });
  }
  for (let ordinal = 0; ordinal < census.oldReady; ordinal += 1) {
    pods.push({ image: segment.oldImage, ordinal, readySinceMs: Number.NEGATIVE_INFINITY });
  }
  return pods;
}

export function podsAt(segment: RolloutSegment, timing: FleetTiming, atMs: number): PodCensus {
  const elapsed = Math.max(0, atMs - segment.startMs);
  const carried = Math.min(segment.carriedReady, segment.desired);
  const needed = segment.desired - carried;
  let started: number;
  let becameReady: number;
  if (needed === 0) {
    started = 0;
    becameReady = 0;
  } else if (segment.neverReady) {
    started = Math.min(needed, Math.max(1, Math.ceil(segment.desired * 0.25)));
    becameReady = 0;
  } else {
    started = Math.min(needed, Math.floor(elapsed / timing.replicaIntervalMs) + 1);
    becameReady =
      elapsed < timing.readinessDelayMs
        ? 0
        : Math.min(needed, Math.floor((elapsed - timing.readinessDelayMs) / timing.replicaIntervalMs) + 1);
  }
  const updatedReady = carried + becameReady;
  const notReady = started - becameReady;
  const failing = segment.neverReady && elapsed >= timing.readinessDelayMs ? notReady : 0;
  return {
    updated: carried + started,
    updatedReady,
    oldReady: Math.max(0, Math.min(segment.oldReady, segment.desired - updatedReady)),
    starting: notReady - failing,
    failing,
  };
}

/** The segment a change at `atMs` starts, continuing from what `previous` had then. */
export function nextSegment(
  previous: RolloutSegment,
  timing: FleetTiming,
  atMs: number,
  change: { desired: number; templateChanged: boolean; image: string | undefined; neverReady: boolean },
): RolloutSegment {
  const pods = podsAt(previous, timing, atMs);
  if (!change.templateChanged) {
    return {
      ...previous,
      startMs: atMs,
      desired: change.desired,
      carriedReady: pods.updatedReady,
      oldReady: pods.oldReady,
    };
  }
  return {
    startMs: atMs,
    templateSinceMs: atMs,
    desired: change.desired,
    image: change.image,
    carriedReady: 0,
    oldReady: pods.updatedReady + pods.oldReady,
    // Old pods of two templates are counted as the larger group's: close enough for metrics.
    oldImage: pods.updatedReady >= pods.oldReady ? previous.image : previous.oldImage,
    neverReady: change.neverReady,
  };
}

/** The Deployment as the API would report it, for the same judge the Kubernetes adapter uses. */
export function deploymentStatus(
  name: string,
  generation: number,
  segment: RolloutSegment,
  timing: FleetTiming,
  atMs: number,
): DeploymentStatusInput {
  const pods = podsAt(segment, timing, atMs);
  const ready = pods.updatedReady + pods.oldReady;
  const complete =
    pods.updated === segment.desired && pods.updatedReady === segment.desired && pods.oldReady === 0;
  // The deadline counts from the last progress: a healthy rollout progresses every replica
  // interval, a never-ready one last progressed when it started its surge pods.
  const deadlineExceeded =
    !complete && segment.neverReady && atMs - segment.startMs >= timing.progressDeadlineMs;
  return {
    metadata: { name, generation },
    spec: { replicas: segment.desired },
    status: {
      observedGeneration: generation,
      replicas: pods.updated + pods.oldReady,
      updatedReplicas: pods.updated,
      readyReplicas: ready,
      availableReplicas: ready,
      conditions: [
        {
          type: 'Progressing',
          reason: deadlineExceeded
            ? 'ProgressDeadlineExceeded'
            : complete
              ? 'NewReplicaSetAvailable'
              : 'ReplicaSetUpdated',
        },
      ],
    },
  };
}
