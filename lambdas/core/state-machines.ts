/** The state machines and their files in statemachines/: read by the stack and by the rehearsal. */
import type { MachineName } from '../ports';

export const MACHINE_FILES: { readonly [Machine in MachineName]: string } = {
  release: 'release.asl.json',
  regionRollout: 'region-rollout.asl.json',
  serviceLane: 'service-lane.asl.json',
  serviceRollout: 'service-rollout.asl.json',
  rollback: 'rollback.asl.json',
  failover: 'failover.asl.json',
};

/** One entry of a Task's Retry list, as the ASL writes it. */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds: number;
  readonly MaxAttempts: number;
  readonly BackoffRate: number;
  readonly MaxDelaySeconds: number;
  readonly JitterStrategy?: 'FULL';
}

/** Failures worth retrying whatever a handler does: Lambda's own, and ours marked transient. */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'TransientError',
  'TransientClusterError',
  'TransientAwsError',
] as const;

/** The transient-retry policy: capped exponential backoff with full jitter. */
const TRANSIENT: Retrier = {
  ErrorEquals: TRANSIENT_ERRORS,
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};

/**
 * Every retrier the statemachines/ files use, each defined once here. The files stay plain JSON,
 * the one definition the console shows, CDK deploys and the rehearsal runs; the ASL contract
 * test (test/handlers/errors.test.ts) checks that each Task's Retry is made of these alone, and
 * which Task takes which transient policy. Retry semantics (first matching retrier applies,
 * MaxDelaySeconds, JitterStrategy):
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
export const RETRIERS = {
  /** Every handler Task retries transient failures with this one. */
  transient: TRANSIENT,
  /** A callback Task's retry invokes its handler again, parking a new token: fewer attempts. */
  transientCallback: { ...TRANSIENT, MaxAttempts: 3 },
  /** Recording a failure must land, or the release never learns of it: more attempts. */
  transientRecordingFailure: { ...TRANSIENT, MaxAttempts: 10 },
  /** A rollback must get through: longer backoff, and a Task that timed out is tried again. */
  transientRollback: {
    ...TRANSIENT,
    ErrorEquals: [...TRANSIENT_ERRORS, 'States.Timeout'],
    IntervalSeconds: 5,
    MaxAttempts: 12,
    MaxDelaySeconds: 300,
  },
  /** startExecution.sync:2 Tasks: Step Functions' own transient failures starting a child. */
  childExecution: {
    ErrorEquals: [
      'StepFunctions.AWSStepFunctionsException',
      'StepFunctions.SdkClientException',
      'StepFunctions.ExecutionLimitExceededException',
    ],
    IntervalSeconds: 2,
    MaxAttempts: 5,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  },
  /** Narrower, before the transient one: Verify states poll until the workload is rolled out. */
  untilReady: {
    ErrorEquals: ['RolloutNotReadyError', 'TrafficNotReadyError'],
    IntervalSeconds: 20,
    MaxAttempts: 25,
    BackoffRate: 1.5,
    MaxDelaySeconds: 60,
  },
  /**
   * Narrower: a rollback moves traffic back only onto a ready stable, and asks again for about
   * 18 minutes (15 s, ×1.5, at most 60 s apart, 20 times) before it leaves it for a person.
   */
  untilStableReady: {
    ErrorEquals: ['StableNotReadyError'],
    IntervalSeconds: 15,
    MaxAttempts: 20,
    BackoffRate: 1.5,
    MaxDelaySeconds: 60,
  },
  /** Narrower: traffic Tasks read the weights back until the load balancer applied them. */
  untilTrafficApplied: {
    ErrorEquals: ['TrafficNotAppliedError'],
    IntervalSeconds: 5,
    MaxAttempts: 12,
    BackoffRate: 1.5,
    MaxDelaySeconds: 30,
  },
  /** Narrower: a rollback waits for the release lock another holder has not let go yet. */
  whileLockHeld: {
    ErrorEquals: ['LockHeldError'],
    IntervalSeconds: 10,
    MaxAttempts: 10,
    BackoffRate: 2,
    MaxDelaySeconds: 300,
    JitterStrategy: 'FULL',
  },
} as const satisfies Record<string, Retrier>;

export type RetrierName = keyof typeof RETRIERS;
