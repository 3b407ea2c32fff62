/**
 * What a record of the releases table is: a release, or a failover or failback (stored as
 * releases too, see handlers/failover.ts).
 */
import type { ReleaseRecord } from '../ports';

/**
 * A failover or failback record: by its kind, or (records written before kinds were recorded)
 * by beginFailover's old marks, submitted by its direction and with no execution ARN.
 */
export function isFailoverRecord(
  release: Pick<ReleaseRecord, 'submittedBy' | 'executionArn' | 'kind'>,
): boolean {
  if (release.kind !== undefined) return release.kind !== 'release';
  return (
    (release.submittedBy === 'failover' || release.submittedBy === 'failback') &&
    release.executionArn === undefined
  );
}

/** What a record is, for `list`: its kind, or what an older record's marks say. */
export function recordKind(
  release: Pick<ReleaseRecord, 'submittedBy' | 'executionArn' | 'kind'>,
): 'release' | 'failover' | 'failback' {
  if (release.kind !== undefined) return release.kind;
  if (!isFailoverRecord(release)) return 'release';
  return release.submittedBy === 'failback' ? 'failback' : 'failover';
}
