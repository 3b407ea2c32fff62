/**
 * Giving approvals a release waits on (the API's POST /releases/{id}/approve, the rehearsal's and
 * `serve`'s automatic approvals). Each token is taken once, so two approvals of the same step
 * resume it once; one whose task has ended (timed out, stopped) is recorded as expired.
 */

import { auditEntry } from '../core/audit';
import { NotFoundError } from '../core/errors';
import type { Ports } from '../ports';

export type ApprovePorts = Pick<Ports, 'store' | 'workflow' | 'clock'>;

export interface ApprovalResult {
  releaseId: string;
  /** Approvals given: their executions go on. */
  approved: string[];
  /** Approvals whose task had already ended (timed out, stopped): nothing was resumed. */
  expired: string[];
}

/**
 * Gives the named approval, or every approval the release waits on when none is named. The
 * caller has checked the release exists. NotFoundError when the named approval is not waiting.
 */
export async function approve(
  ports: ApprovePorts,
  releaseId: string,
  approval: string | undefined,
  actor: string,
): Promise<ApprovalResult> {
  const waiting = await ports.store.listTaskTokens(releaseId, 'approval');
  const chosen = approval === undefined ? waiting : waiting.filter((entry) => entry.name === approval);
  if (approval !== undefined && chosen.length === 0) {
    const names = waiting.map((entry) => entry.name);
    throw new NotFoundError(
      `release ${releaseId} has no approval named ${approval} waiting${names.length > 0 ? ` (waiting: ${names.join(', ')})` : ''}`,
    );
  }
  const result: ApprovalResult = { releaseId, approved: [], expired: [] };
  for (const entry of chosen) {
    const token = await ports.store.takeTaskToken({ releaseId, kind: 'approval', name: entry.name });
    if (!token) continue;
    const at = ports.clock.now().toISOString();
    const where = approvalPlace(entry.name);
    await ports.store.appendAudit(
      auditEntry('approval.given', {
        releaseId,
        key: `approval/${entry.name}`,
        at,
        actor,
        ...where,
        detail: { approval: entry.name },
      }),
    );
    try {
      await ports.workflow.sendTaskSuccess(token, { approvedBy: actor });
      result.approved.push(entry.name);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await ports.store.appendAudit(
        auditEntry('approval.expired', {
          releaseId,
          key: `approval/${entry.name}/expired`,
          at,
          actor,
          ...where,
          detail: { approval: entry.name, reason: error.message },
        }),
      );
      result.expired.push(entry.name);
    }
  }
  return result;
}

/** Approvals are named `<region>/<service>/step-<n>` (requestApproval): where the audit files them. */
function approvalPlace(name: string): { region?: string; service?: string } {
  const [region, service, step] = name.split('/');
  return region && service && step ? { region, service } : {};
}
