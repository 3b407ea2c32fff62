/**
 * What the API does to releases: start one (or queue it), list them with the queue, cancel a
 * queued one, approve what waits for a person, abort a running one, and roll back a finished one. The use cases are in app/ (the rules for abort
 * and rollback in core/rollback-eligibility.ts); this answers them in the API's shapes, with
 * console links.
 */
import { abortRelease as abortReleaseUseCase } from '../app/abort-release';
import { type ApprovalResult, approve } from '../app/approve';
import { requireRelease } from '../app/release-lookup';
import { type CancelledRelease, cancelQueuedRelease, readQueue } from '../app/release-queue';
import { rollbackRelease as rollbackReleaseUseCase } from '../app/rollback-release';
import { type Promoted, promoteRelease as promoteReleaseUseCase } from '../app/rollback-window';
import type { RollbackStarted as StartedByUseCase } from '../app/start-rollback';
import { type SubmitOptions, submitRelease } from '../app/submit-release';
import type { QueueEntry } from '../core/release-queue';
import type { ReleaseKind, ReleaseStatus } from '../ports';

export { RELEASE_STATUSES } from '../core/lifecycle';

import { executionConsoleUrl } from './console-links';
import { refusalAsConflict } from './http';
import { type ApiPorts, type ExecutionLink, link } from './release-view';

export type { ApprovalResult } from '../app/approve';

export interface StartedRelease {
  releaseId: string;
  executionArn: string;
  consoleUrl: string | null;
  status: ReleaseStatus;
  /** false when this release id had already been submitted with this very plan. */
  created: boolean;
  /** A QUEUED release's place in the queue (1: next to start). */
  position?: number;
}

export async function startRelease(
  ports: ApiPorts,
  document: unknown,
  actor: string,
  options: SubmitOptions = {},
): Promise<StartedRelease> {
  const { release, executionArn, created, position } = await submitRelease(ports, document, actor, options);
  return {
    releaseId: release.releaseId,
    executionArn,
    consoleUrl: executionConsoleUrl(executionArn) ?? null,
    status: release.status,
    created,
    ...(release.status === 'QUEUED' && position !== undefined && { position }),
  };
}

/** Takes a queued release off the queue (409 for anything not queued, naming its status). */
export async function cancelRelease(
  ports: ApiPorts,
  releaseId: string,
  actor: string,
): Promise<CancelledRelease> {
  return refusalAsConflict(cancelQueuedRelease(ports, releaseId, actor));
}

export interface ReleaseSummary {
  releaseId: string;
  kind: ReleaseKind;
  status: ReleaseStatus;
  createdAt: string;
  updatedAt: string;
  submittedBy?: string;
  reason?: string;
  /** A release that reached its rollback window: when it opened and ends (core/rollback-window.ts). */
  rollbackWindow?: { opensAt: string; endsAt: string };
}

/** One release waiting, with its place (1: next to start). */
export type QueuedSummary = QueueEntry & { position: number };

export async function listReleases(
  ports: ApiPorts,
  query: { status?: ReleaseStatus; since?: string; limit?: number; cursor?: string },
): Promise<{ releases: ReleaseSummary[]; cursor?: string; queue: QueuedSummary[] }> {
  const [page, queue] = await Promise.all([ports.store.listReleases(query), readQueue(ports)]);
  return {
    releases: page.items.map((release) => ({
      releaseId: release.releaseId,
      kind: release.kind,
      status: release.status,
      createdAt: release.createdAt,
      updatedAt: release.updatedAt,
      ...(release.submittedBy && { submittedBy: release.submittedBy }),
      ...(release.reason && { reason: release.reason }),
      ...(release.rollbackWindow && {
        rollbackWindow: { opensAt: release.rollbackWindow.opensAt, endsAt: release.rollbackWindow.endsAt },
      }),
    })),
    ...(page.cursor && { cursor: page.cursor }),
    // Every page carries the whole queue: at most MAX_QUEUED_RELEASES entries, read consistently.
    queue: queue.entries,
  };
}

// ── approvals ────────────────────────────────────────────────────────────────

/** Gives the named approval, or every approval the release waits on when none is named. */
export async function approveRelease(
  ports: ApiPorts,
  releaseId: string,
  approval: string | undefined,
  actor: string,
): Promise<ApprovalResult> {
  await requireRelease(ports, releaseId);
  return approve(ports, releaseId, approval, actor);
}

// ── abort and rollback ──────────────────────────────────────────────────────

export interface RollbackStarted extends Omit<StartedByUseCase, 'rollback'> {
  rollback: ExecutionLink;
}

/** Stops a running release, then rolls it back. */
export async function abortRelease(
  ports: ApiPorts,
  releaseId: string,
  actor: string,
): Promise<RollbackStarted> {
  return withLink(await refusalAsConflict(abortReleaseUseCase(ports, releaseId, actor)));
}

/** Closes a release's rollback window early: it becomes SUCCEEDED and lets the lock go. */
export async function promoteRelease(ports: ApiPorts, releaseId: string, actor: string): Promise<Promoted> {
  return refusalAsConflict(promoteReleaseUseCase(ports, releaseId, actor));
}

/** Rolls a release back: see the rules in core/rollback-eligibility.ts. */
export async function rollbackRelease(
  ports: ApiPorts,
  releaseId: string,
  actor: string,
): Promise<RollbackStarted> {
  return withLink(await refusalAsConflict(rollbackReleaseUseCase(ports, releaseId, actor)));
}

function withLink(started: StartedByUseCase): RollbackStarted {
  return { ...started, rollback: link(started.rollback.executionArn, started.rollback.described) };
}
