/**
 * Taking and letting go of a lock leave entries in the holder's audit, once each, however often
 * a task is retried; a lock someone else holds is neither released nor recorded.
 */
import { describe, expect, it } from 'vitest';
import { acquireAuditedLock, releaseAuditedLock } from '../../lambdas/app/locks';
import { fakePorts } from '../support/fakes';

const SCOPE = 'fleet';

describe('audited locks', () => {
  it('records one lock.acquired and one lock.released, whatever the retries', async () => {
    const ports = fakePorts();
    const holder = { releaseId: 'rel-a', kind: 'release' as const };
    await acquireAuditedLock(ports, SCOPE, holder, 600, 'alice');
    await acquireAuditedLock(ports, SCOPE, holder, 600, 'switchyard');
    ports.clock.advance(60);
    await releaseAuditedLock(ports, SCOPE, 'rel-a');
    await releaseAuditedLock(ports, SCOPE, 'rel-a');

    expect(await ports.store.getLock(SCOPE)).toBeUndefined();
    const audit = await ports.store.listAudit('rel-a');
    expect(audit.map((entry) => [entry.seq, entry.action, entry.actor])).toEqual([
      [1, 'lock.acquired', 'alice'],
      [2, 'lock.released', 'switchyard'],
    ]);
    expect(audit[1]!.detail).toMatchObject({ scope: SCOPE, holder: 'rel-a', kind: 'release' });
  });

  it('records a rollback taking over the lease as its own acquisition and release', async () => {
    const ports = fakePorts();
    await acquireAuditedLock(ports, SCOPE, { releaseId: 'rel-a', kind: 'release' }, 600, 'alice');
    await acquireAuditedLock(ports, SCOPE, { releaseId: 'rel-a', kind: 'rollback' }, 600, 'switchyard');
    await releaseAuditedLock(ports, SCOPE, 'rel-a');

    const audit = await ports.store.listAudit('rel-a');
    expect(audit.map((entry) => [entry.action, entry.detail?.kind])).toEqual([
      ['lock.acquired', 'release'],
      ['lock.acquired', 'rollback'],
      ['lock.released', 'rollback'],
    ]);
  });

  it('leaves a lock someone else holds alone, and records nothing', async () => {
    const ports = fakePorts();
    await acquireAuditedLock(ports, SCOPE, { releaseId: 'rel-b', kind: 'release' }, 600, 'bob');
    await releaseAuditedLock(ports, SCOPE, 'rel-a');

    expect((await ports.store.getLock(SCOPE))?.releaseId).toBe('rel-b');
    expect(await ports.store.listAudit('rel-a')).toEqual([]);
  });
});
