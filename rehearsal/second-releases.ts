/**
 * Second-release faults: someone else submits a release at a virtual time, through the same
 * submission as POST /releases. While the rehearsed release holds the lock it is refused at the
 * door; after the lock is free it runs on the same engine, fleet and clock, and is reported
 * with its final status, read back from the store like the rehearsed release's.
 */
import { submitRelease } from '../lambdas/app/submit-release';
import { LockHeldError } from '../lambdas/core/errors';
import { type ResolvedPlan, resolvePlan, seconds } from '../lambdas/core/plan/resolve';
import type { ReleasePlan } from '../lambdas/core/plan/schema';
import { REHEARSAL_OPERATOR } from './failovers';
import { secondReleases } from './faults/load';
import { type FaultFile, secondReleaseId } from './faults/schema';
import type { FleetDescription } from './fleet/index';
import type { RehearsalProgress } from './progress';
import type { LocalPlatform } from './rehearse';
import {
  type AuditSequence,
  describeReleaseOutcome,
  type PreflightOutcome,
  type RegionOutcomes,
  type RehearsalStatus,
  type ReleaseOutcome,
} from './release-outcome';

export interface RehearsedSecondRelease {
  releaseId: string;
  /** When it was submitted: virtual ISO time, and seconds since the start. */
  at: string;
  atSeconds: number;
  /** Whether the submission started it; `refused` ones never ran. */
  outcome: 'refused' | 'started';
  /** What the submission answered: `started`, or why it was refused. */
  message: string;
  /** Its final status; REFUSED with `refusedBy` when it was turned down. */
  status: RehearsalStatus;
  /**
   * `lock`: refused at submission, another release held the lock (nothing of it ran);
   * `preflight`: started, then refused by its preflight (nothing changed);
   * `submission`: refused at submission for another reason (`message` says which).
   */
  refusedBy?: 'lock' | 'preflight' | 'submission';
  reason?: string;
  /** For a release that started: its services as the store and the fleet show them at the end. */
  regions?: RegionOutcomes;
  preflight?: PreflightOutcome;
  /** For a release that started (so has an audit). */
  auditSequence?: AuditSequence;
}

interface Submission {
  releaseId: string;
  document: ReleasePlan;
  atMs: number;
  started?: boolean;
  refusal?: Error;
}

export interface ScheduledSecondReleases {
  /** Submissions whose time has not come yet: the rehearsal runs on until they have. */
  pending(): number;
  /** Each one as reported, in the order they were submitted, with what was read of it (if it started). */
  results(
    fleet: FleetDescription,
    stalled: boolean,
  ): Promise<Array<[RehearsedSecondRelease, ReleaseOutcome?]>>;
}

export function scheduleSecondReleases(
  platform: Pick<LocalPlatform, 'ports' | 'scheduler' | 'store'>,
  options: {
    planDocument: unknown;
    faults?: FaultFile;
    /** Plans for second releases, by the fault's `plan` path. */
    secondReleasePlans?: Record<string, unknown>;
    epoch: Date;
    /** Told of each submission's answer when it comes, not only in the results. */
    onProgress?: (event: RehearsalProgress) => void;
  },
  planReleaseId: string,
): ScheduledSecondReleases {
  const { ports, scheduler, store } = platform;
  const submissions: Submission[] = [];
  let pending = 0;
  for (const fault of options.faults ? secondReleases(options.faults) : []) {
    const document = structuredClone(
      fault.plan ? options.secondReleasePlans?.[fault.plan] : options.planDocument,
    ) as ReleasePlan;
    const releaseId = secondReleaseId(fault, planReleaseId);
    document.metadata.releaseId = releaseId;
    const submission: Submission = {
      releaseId,
      document,
      atMs: options.epoch.getTime() + seconds(fault.at) * 1000,
    };
    submissions.push(submission);
    pending++;
    const answered = (refusal?: Error) => ({
      kind: 'secondRelease' as const,
      releaseId,
      atSeconds: (submission.atMs - options.epoch.getTime()) / 1000,
      outcome: refusal ? ('refused' as const) : ('started' as const),
      ...(refusal && {
        refusedBy: refusal instanceof LockHeldError ? ('lock' as const) : ('submission' as const),
      }),
      message: refusal?.message ?? 'started',
    });
    scheduler.at(new Date(submission.atMs), () => {
      pending--;
      void scheduler.track(
        submitRelease(ports, document, REHEARSAL_OPERATOR).then(
          () => {
            submission.started = true;
            options.onProgress?.(answered());
          },
          (error: Error) => {
            submission.refusal = error;
            options.onProgress?.(answered(error));
          },
        ),
      );
    });
  }

  return {
    pending: () => pending,
    async results(fleet, stalled) {
      const results: Array<[RehearsedSecondRelease, ReleaseOutcome?]> = [];
      for (const submission of submissions) {
        const base = {
          releaseId: submission.releaseId,
          at: new Date(submission.atMs).toISOString(),
          atSeconds: (submission.atMs - options.epoch.getTime()) / 1000,
        };
        if (!submission.started) {
          const message = submission.refusal?.message ?? 'its time never came: the rehearsal ended first';
          results.push([
            {
              ...base,
              outcome: 'refused',
              message,
              status: 'REFUSED',
              refusedBy: submission.refusal instanceof LockHeldError ? 'lock' : 'submission',
              reason: message,
            },
          ]);
          continue;
        }
        const plan: ResolvedPlan = resolvePlan(submission.document);
        const outcome = await describeReleaseOutcome(store, plan, fleet, stalled);
        results.push([
          {
            ...base,
            outcome: 'started',
            message: 'started',
            status: outcome.status,
            ...(outcome.status === 'REFUSED' && { refusedBy: 'preflight' as const }),
            ...(outcome.reason && { reason: outcome.reason }),
            regions: outcome.regions,
            ...(outcome.preflight && { preflight: outcome.preflight }),
            auditSequence: outcome.auditSequence,
          },
          outcome,
        ]);
      }
      return results;
    },
  };
}
