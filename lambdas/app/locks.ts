/**
 * Taking and letting go of a lock, each recorded in the holder's audit: who held which scope,
 * as what, and when, can be read from the audit alone. The entries' keys make a retried task
 * record each once; a renewal by the same holder records nothing new.
 */

import { auditEntry } from '../core/audit';
import type { LockLease, Ports } from '../ports';

type LockPorts = Pick<Ports, 'store' | 'clock'>;

/** Takes (or renews) the scope's lease, then records `lock.acquired` in the holder's audit. */
export async function acquireAuditedLock(
  ports: LockPorts,
  scope: string,
  holder: Pick<LockLease, 'releaseId' | 'kind'>,
  leaseSeconds: number,
  actor: string,
  /** Tells apart the holder's separate takings of one scope (a release draining two regions). */
  occasion?: string,
): Promise<LockLease> {
  const lease = await ports.store.acquireLock(scope, holder, leaseSeconds);
  await ports.store.appendAudit(
    auditEntry('lock.acquired', {
      releaseId: holder.releaseId,
      key: `lock/${scope}/${holder.kind}/${occasion ? `${occasion}/` : ''}acquired`,
      at: ports.clock.now().toISOString(),
      actor,
      detail: { scope, holder: holder.releaseId, kind: lease.kind, expiresAt: lease.expiresAt },
    }),
  );
  return lease;
}

/**
 * Lets the holder's lease go, recording `lock.released` first (a reader who finds the scope
 * free finds the entry). A lease someone else holds is left alone and nothing is recorded; a
 * retry after the lease went finds it gone, and the first attempt's entry already written.
 */
export async function releaseAuditedLock(
  ports: LockPorts,
  scope: string,
  releaseId: string,
  occasion?: string,
): Promise<void> {
  const lease = await ports.store.getLock(scope);
  if (lease?.releaseId === releaseId) {
    await ports.store.appendAudit(
      auditEntry('lock.released', {
        releaseId,
        key: `lock/${scope}/${lease.kind}/${occasion ? `${occasion}/` : ''}released`,
        at: ports.clock.now().toISOString(),
        actor: 'switchyard',
        detail: { scope, holder: releaseId, kind: lease.kind, acquiredAt: lease.acquiredAt },
      }),
    );
  }
  // Also when the lease has lapsed (it reads as free but its item is still ours): tidy it away.
  await ports.store.releaseLock(scope, releaseId);
}
