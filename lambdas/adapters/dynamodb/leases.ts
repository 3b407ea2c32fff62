/**
 * Leases on scopes (the release and failover locks): taken with a conditional put that compares
 * the expiry timestamp by the injected clock, so a lapsed lease is free before TTL removes it.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidInputError, LockHeldError, TransientAwsError } from '../../core/errors';
import type { LeaseStore, LockLease } from '../../ports';
import { epochSeconds, keys, PK, TTL } from './keys';
import { toLease } from './records';
import type { StoreTable } from './store-table';

/** Lease kinds that may take over a `release` lease: they clean up after releases. */
const OUTRANKS_RELEASE: ReadonlySet<LockLease['kind']> = new Set(['rollback', 'failover']);
/** How long an ended lease stays readable ("who held it last") before TTL may remove it. */
const LEASE_RETENTION_SECONDS = 24 * 60 * 60;

type Attempt = { lease?: LockLease; holder?: LockLease };

export class DynamoDbLeases implements LeaseStore {
  constructor(private readonly table: StoreTable) {}

  async acquireLock(
    scope: string,
    holder: Pick<LockLease, 'releaseId' | 'kind'>,
    leaseSeconds: number,
  ): Promise<LockLease> {
    if (!(leaseSeconds > 0)) throw new InvalidInputError(`a lease must last some time, not ${leaseSeconds}s`);
    // Two rounds at most unless the lease keeps changing hands under us (then: transient).
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.table.clock.now();
      const lease: LockLease = {
        scope,
        releaseId: holder.releaseId,
        kind: holder.kind,
        acquiredAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
      };
      const taken = await this.take(lease, now);
      if (taken.lease) return taken.lease;
      if (!taken.holder) continue;
      if (taken.holder.releaseId !== holder.releaseId || taken.holder.kind !== holder.kind) {
        throw new LockHeldError(taken.holder);
      }
      // Already ours and live (a retried step): renew it, keeping when it was first taken.
      const renewed = await this.renew(lease);
      if (renewed.lease) return renewed.lease;
      if (renewed.holder) throw new LockHeldError(renewed.holder);
      // Released between the two writes: it is free now, take it in the next round.
    }
    throw new TransientAwsError(
      `the lease of ${scope} kept changing hands`,
      'ConditionalCheckFailedException',
    );
  }

  async releaseLock(scope: string, releaseId: string): Promise<void> {
    // Not the holder (or nobody holds it): the condition fails and nothing is released.
    await this.table.conditionally(
      this.table.documents.send(
        new DeleteCommand({
          TableName: this.table.tableName,
          Key: keys.lock(scope),
          ConditionExpression: 'releaseId = :releaseId',
          ExpressionAttributeValues: { ':releaseId': releaseId },
        }),
      ),
    );
  }

  async getLock(scope: string): Promise<LockLease | undefined> {
    const item = await this.table.getItem(keys.lock(scope));
    if (!item || Number(item.leaseExpiresAtMs) <= this.table.clock.now().getTime()) return undefined;
    return toLease(item);
  }

  /** Takes the scope when free, lapsed, or a release's lease this kind outranks. */
  private async take(lease: LockLease, now: Date): Promise<Attempt> {
    const outranksRelease = OUTRANKS_RELEASE.has(lease.kind);
    return this.attempt(
      () =>
        this.table.documents.send(
          new PutCommand({
            TableName: this.table.tableName,
            Item: { ...keys.lock(lease.scope), entity: 'lock', ...lease, ...leaseExpiry(lease) },
            ConditionExpression: [
              'attribute_not_exists(#pk)',
              'leaseExpiresAtMs <= :now',
              ...(outranksRelease ? ['#kind = :release'] : []),
            ].join(' OR '),
            ExpressionAttributeNames: { '#pk': PK, ...(outranksRelease ? { '#kind': 'kind' } : {}) },
            ExpressionAttributeValues: {
              ':now': now.getTime(),
              ...(outranksRelease ? { ':release': 'release' } : {}),
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      () => lease,
    );
  }

  /** Extends the holder's own lease; otherwise says who holds it now (nobody: empty). */
  private async renew(lease: LockLease): Promise<Attempt> {
    const expiry = leaseExpiry(lease);
    return this.attempt(
      () =>
        this.table.documents.send(
          new UpdateCommand({
            TableName: this.table.tableName,
            Key: keys.lock(lease.scope),
            UpdateExpression: 'SET leaseExpiresAtMs = :expiresAtMs, expiresAt = :expiresAt, #ttl = :ttl',
            ConditionExpression: 'releaseId = :releaseId AND #kind = :kind',
            ExpressionAttributeNames: { '#kind': 'kind', '#ttl': TTL },
            ExpressionAttributeValues: {
              ':expiresAtMs': expiry.leaseExpiresAtMs,
              ':expiresAt': lease.expiresAt,
              ':ttl': expiry[TTL],
              ':releaseId': lease.releaseId,
              ':kind': lease.kind,
            },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      (attributes) => toLease(attributes ?? {}),
    );
  }

  /** Sends a conditional lease write: the lease written, or who holds the scope instead. */
  private async attempt(
    write: () => Promise<{ Attributes?: Record<string, unknown> }>,
    written: (attributes: Record<string, unknown> | undefined) => LockLease,
  ): Promise<Attempt> {
    const outcome = await this.table.conditionally(write());
    if ('written' in outcome) return { lease: written(outcome.written.Attributes) };
    return outcome.failed ? { holder: toLease(outcome.failed) } : {};
  }
}

/** The lease's expiry as the write condition compares it, and when TTL may clean it up. */
function leaseExpiry(lease: LockLease) {
  const leaseExpiresAtMs = Date.parse(lease.expiresAt);
  return { leaseExpiresAtMs, [TTL]: epochSeconds(leaseExpiresAtMs) + LEASE_RETENTION_SECONDS };
}
