/**
 * Named errors. Their `name` is what a Lambda reports as errorType, so it is exactly what the
 * state machines' Retry and Catch match: never rename one without its ASL.
 */
export class SwitchyardError extends Error {
  /** The field of the plan's section the error is about (e.g. `canaryTargetGroup`), when known: preflight's path. */
  planField?: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Runs `work`, marking a Switchyard error from it as being about `field` of the plan (if nothing nearer was marked). */
export async function aboutPlanField<T>(field: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof SwitchyardError) error.planField ??= field;
    throw error;
  }
}

/** Worth retrying: throttling, a cluster API hiccup, a 5xx. State machines retry with backoff. */
export class TransientError extends SwitchyardError {}
export class TransientClusterError extends TransientError {}
export class TransientAwsError extends TransientError {
  constructor(
    message: string,
    readonly awsErrorName: string,
  ) {
    super(message);
  }
}

/** The input to a handler or the API is wrong; retrying cannot help. */
export class InvalidInputError extends SwitchyardError {}
export class PlanInvalidError extends InvalidInputError {
  constructor(readonly problems: ReadonlyArray<{ path: string; message: string }>) {
    super(
      `the plan has ${problems.length} problem(s): ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    );
  }
}

export interface LockHolder {
  scope: string;
  releaseId: string;
  kind: 'release' | 'rollback' | 'failover';
  acquiredAt: string;
  expiresAt: string;
}

export class LockHeldError extends SwitchyardError {
  constructor(readonly holder: LockHolder) {
    super(
      `scope "${holder.scope}" is locked by ${holder.kind} ${holder.releaseId} since ${holder.acquiredAt} (lease until ${holder.expiresAt})`,
    );
  }
}

/**
 * A queued submission found the release queue full (core/release-queue.ts MAX_QUEUED_RELEASES):
 * refused like a held lock (409, CLI exit 5), and nothing was stored.
 */
export class QueueFullError extends SwitchyardError {
  constructor(readonly limit: number) {
    super(
      `the release queue is full: ${limit} releases wait already, the most it holds; submit again once one has started, or take one off with switchyard cancel <release> (switchyard list shows the queue)`,
    );
  }
}

/** The same release id was submitted again with a different plan. */
export class ReleaseConflictError extends SwitchyardError {}
export class NotFoundError extends SwitchyardError {}
/** A conditional change found the record in another state than the caller required (`from`, `expect`). */
export class ConditionFailedError extends SwitchyardError {}

export class ReadinessGateFailedError extends SwitchyardError {}
export class AnalysisFailedError extends SwitchyardError {}
export class TrafficNotReadyError extends SwitchyardError {}
/** A rollout stopped progressing (ProgressDeadlineExceeded) or never became ready in time. */
export class RolloutStuckError extends SwitchyardError {}
/** Not ready yet: the state machine waits and asks again. */
export class RolloutNotReadyError extends SwitchyardError {}
/**
 * A rollback would move traffic onto stable pods that are not all ready (or not healthy targets):
 * it moves none and asks again; when it gives up, the traffic stays where it is for a person.
 */
export class StableNotReadyError extends SwitchyardError {}
/** Read-back weights differ from what was applied. */
export class WeightsMismatchError extends SwitchyardError {}
/**
/**
 * Someone else changed the traffic Switchyard manages (weights, or a rule's conditions or other
 * actions) since Switchyard last wrote it: Switchyard stops rather than undo their change.
 */
export class TrafficEditedError extends SwitchyardError {}
/** Stable and canary pods share a target group: weights could not split traffic between them. */
export class SharedTargetGroupError extends SwitchyardError {}
/**
 * The weights were asked for but the load balancer does not carry them yet (the AWS Load
 * Balancer Controller has not reconciled the Ingress): the state machine waits and asks again.
 */
export class TrafficNotAppliedError extends SwitchyardError {}
/**
 * A plain `alb` service names a load balancer the AWS Load Balancer Controller owns: the
 * controller would revert every weight Switchyard wrote. Retrying cannot help; `albIngress` does.
 */
export class ControllerOwnedLoadBalancerError extends InvalidInputError {}
export class ApprovalRejectedError extends SwitchyardError {}
/** The release is being rolled back: a running service rollout stops acting. */
export class ReleaseAbortedError extends SwitchyardError {}
export class DependencyFailedError extends SwitchyardError {}
/** Something could not be restored; the release needs a person. */
export class RollbackIncompleteError extends SwitchyardError {}
export class DnsNotInSyncError extends SwitchyardError {}

/** Lambda errors arrive as a JSON cause ({ errorMessage, errorType }); other errors as text. */
export function causeMessage(cause: string | undefined): string {
  if (!cause) return 'no detail';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string; Cause?: string; cause?: string };
    return parsed.errorMessage ?? parsed.Cause ?? parsed.cause ?? cause;
  } catch {
    return cause;
  }
}
/**
 * An alarm of the name Switchyard gives an abort alarm exists without Switchyard's tag: someone
 * else made it, and Switchyard never overwrites or deletes an alarm it did not make.
 */
export class AlarmNotOwnedError extends SwitchyardError {}
