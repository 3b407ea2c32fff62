/**
 * Each release's audit: a gap-free sequence kept by an optimistic counter that moves in the
 * same transaction as the entry it numbers, and a marker per idempotency key.
 */
import { InvalidInputError } from '../../core/errors';
import type { AuditEntry, AuditStore, NewAuditEntry } from '../../ports';
import type { CancellationReason } from './aws-errors';
import { keys, MAX_SEQ, PK, releasePartition, SK } from './keys';
import { toAuditEntry } from './records';
import { BACK_OFF, conditionFailed, type NamedTransactItem, RETRY_NOW, type StoreTable } from './store-table';

/** The writes of one append, by name: see writes; entries after the first of one transaction are numbered. */
export type AuditWriteName =
  | 'auditCounter'
  | 'auditEntry'
  | 'auditKey'
  | `${'auditEntry' | 'auditKey'}-${number}`;

export class DynamoDbAudit implements AuditStore {
  private readonly writers = new Map<string, Promise<void>>();
  private readonly lastSeqs = new Map<string, number>();

  constructor(private readonly table: StoreTable) {}

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    requireKey(entry);
    return this.oneAtATime(entry.releaseId, () => this.appendNow(entry));
  }

  private async appendNow(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.table.optimistically(`appending to the audit of ${entry.releaseId}`, async () => {
      const stored: AuditEntry = { ...entry, seq: (await this.lastSeq(entry.releaseId)) + 1 };
      const reasons = await this.table.transactWrite(this.writes(stored));
      if (!reasons) {
        this.committed(stored);
        return stored;
      }
      // The key is already stored: this append was made before (a retry).
      const marker = reasons.auditKey;
      if (conditionFailed(reasons, 'auditKey') && marker?.item) {
        return this.entryAt(entry.releaseId, Number(marker.item.seq));
      }
      if (conditionFailed(reasons, 'auditCounter')) {
        // Another writer took this seq; the failed condition returned the counter as it is now.
        this.noteCounter(entry.releaseId, reasons.auditCounter);
        return RETRY_NOW;
      }
      return BACK_OFF;
    });
  }

  async listAudit(
    releaseId: string,
    query: { afterSeq?: number; limit?: number } = {},
  ): Promise<AuditEntry[]> {
    const afterSeq = Math.max(0, Math.trunc(query.afterSeq ?? 0));
    if (afterSeq >= MAX_SEQ) return [];
    const items = await this.table.queryAll(
      {
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: {
          ':pk': releasePartition(releaseId),
          ':from': keys.auditEntry(releaseId, afterSeq + 1)[SK],
          ':to': keys.auditEntry(releaseId, MAX_SEQ)[SK],
        },
      },
      query.limit,
    );
    return items.map(toAuditEntry);
  }

  // ── for writers that append an entry in a transaction of their own ──

  /**
   * The three writes that append one audit entry: the counter moves from the entry's
   * predecessor to it (so two appends cannot take the same seq, and none is skipped), the
   * entry, and its key's marker (so the same key cannot be stored twice).
   */
  writes(...entries: AuditEntry[]): Array<NamedTransactItem<AuditWriteName>> {
    const first = entries[0];
    const last = entries.at(-1);
    if (!first || !last) throw new Error('an audit append needs at least one entry');
    const previous = first.seq - 1;
    const { tableName } = this.table;
    // Several entries of one transaction move the counter once, from the first's predecessor to the last.
    const counter: NamedTransactItem<AuditWriteName> = {
      name: 'auditCounter',
      item: {
        Update: {
          TableName: tableName,
          Key: keys.auditCounter(first.releaseId),
          UpdateExpression: 'SET lastSeq = :seq, entity = :entity',
          ConditionExpression: previous === 0 ? 'attribute_not_exists(lastSeq)' : 'lastSeq = :previous',
          ExpressionAttributeValues: {
            ':seq': last.seq,
            ':entity': 'auditCounter',
            ...(previous === 0 ? {} : { ':previous': previous }),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    };
    return [
      counter,
      ...entries.flatMap((entry, index): Array<NamedTransactItem<AuditWriteName>> => {
        const suffix = index === 0 ? '' : `-${index}`;
        return [
          {
            name: `auditEntry${suffix}` as AuditWriteName,
            item: {
              Put: {
                TableName: tableName,
                Item: {
                  ...keys.auditEntry(entry.releaseId, entry.seq),
                  entity: 'audit',
                  ...toAuditEntry(entry),
                },
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': PK },
              },
            },
          },
          {
            name: `auditKey${suffix}` as AuditWriteName,
            item: {
              Put: {
                TableName: tableName,
                Item: { ...keys.auditKey(entry.releaseId, entry.key), entity: 'auditKey', seq: entry.seq },
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': PK },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          },
        ];
      }),
    ];
  }

  /**
   * The release's last audit seq: remembered from this process's own writes, read otherwise.
   * A stale value only costs a retry, since every append is conditional on the counter.
   */
  async lastSeq(releaseId: string): Promise<number> {
    const known = this.lastSeqs.get(releaseId);
    if (known !== undefined) return known;
    const counter = await this.table.getItem(keys.auditCounter(releaseId));
    const lastSeq = Number(counter?.lastSeq ?? 0);
    this.lastSeqs.set(releaseId, lastSeq);
    return lastSeq;
  }

  /** The entry's transaction committed: its seq is the release's last. */
  committed(entry: AuditEntry): void {
    this.lastSeqs.set(entry.releaseId, entry.seq);
  }

  /** The counter's condition failed: remember the counter as the failure returned it. */
  noteCounter(releaseId: string, counterReason: CancellationReason | undefined): void {
    if (counterReason?.item) this.lastSeqs.set(releaseId, Number(counterReason.item.lastSeq ?? 0));
    else this.lastSeqs.delete(releaseId);
  }

  /** Whether an entry with this idempotency key is stored. */
  async isStored(releaseId: string, key: string): Promise<boolean> {
    return (await this.table.getItem(keys.auditKey(releaseId, key))) !== undefined;
  }

  /**
   * Writers of one release's audit in this process go one at a time: they would only collide on
   * the release's audit counter and back off. (A Lambda container runs one at a time anyway; the
   * rehearsal runs many handlers in one process.)
   */
  oneAtATime<T>(releaseId: string, write: () => Promise<T>): Promise<T> {
    const previous = this.writers.get(releaseId) ?? Promise.resolve();
    const next = previous.then(write, write);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.writers.set(releaseId, settled);
    void settled.then(() => {
      if (this.writers.get(releaseId) === settled) this.writers.delete(releaseId);
    });
    return next;
  }

  private async entryAt(releaseId: string, seq: number): Promise<AuditEntry> {
    const item = await this.table.getItem(keys.auditEntry(releaseId, seq));
    // The marker and its entry are written in one transaction: one without the other is a bug.
    if (!item) throw new Error(`audit entry ${seq} of ${releaseId} is missing though its key is stored`);
    return toAuditEntry(item);
  }
}

export function requireKey(entry: NewAuditEntry): void {
  if (!entry.key) throw new InvalidInputError('an audit entry needs an idempotency key');
}
