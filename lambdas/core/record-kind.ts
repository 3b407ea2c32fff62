/**
 * What a record of the releases table is: a release, or a failover or failback (stored as
 * releases too, see handlers/failover.ts). Records written before kinds were recorded get
 * theirs when the store reads them (adapters/dynamodb/records.ts), so readers go by `kind` alone.
 */
import type { ReleaseRecord } from '../ports';

/** A failover, failback or drain record (handlers/drain.ts), not a release. */
export function isFailoverRecord(release: Pick<ReleaseRecord, 'kind'>): boolean {
  return release.kind !== 'release';
}
