/** An audit entry of something Switchyard itself did, stamped with the clock's now. */
import { type AuditAction, auditEntry, type NewAuditEntry } from '../core/audit';
import type { Ports } from '../ports';

export async function auditBySwitchyard(
  ports: Pick<Ports, 'store' | 'clock'>,
  action: AuditAction,
  fields: Omit<NewAuditEntry, 'action' | 'at' | 'actor'>,
): Promise<void> {
  await ports.store.appendAudit(
    auditEntry(action, { ...fields, at: ports.clock.now().toISOString(), actor: 'switchyard' }),
  );
}
