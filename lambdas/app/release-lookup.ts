/** Reading the release a person names: it must exist, and be a release (not a failover record). */
import { InvalidInputError, NotFoundError } from '../core/errors';
import { isFailoverRecord } from '../core/record-kind';
import type { Ports, ReleaseRecord } from '../ports';

export async function requireRelease(ports: Pick<Ports, 'store'>, releaseId: string): Promise<ReleaseRecord> {
  const release = await ports.store.getRelease(releaseId);
  if (!release) throw new NotFoundError(`no release ${releaseId}`);
  if (isFailoverRecord(release)) {
    throw new InvalidInputError(
      `${releaseId} is a ${release.kind}, not a release: switchyard failback <region> reverses a failover`,
    );
  }
  return release;
}
