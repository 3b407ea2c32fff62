/**
 * Service rollouts, each updated with its audit entry in one transaction, and the snapshots a
 * rollback restores. A patched status moves only as the lifecycle (core/lifecycle.ts) allows.
 */
import { ConditionFailedError, NotFoundError } from '../../core/errors';
import { rolloutUpdateSources } from '../../core/lifecycle';
import {
  type NewAuditEntry,
  type ReleaseStatus,
  SERVICE_ROLLOUT_PATCH_FIELDS,
  type ServiceRolloutKey,
  type ServiceRolloutPatch,
  type ServiceRolloutRecord,
  type ServiceRolloutStatus,
  type ServiceRolloutStore,
  type StoredSnapshot,
} from '../../ports';
import { type DynamoDbAudit, requireKey } from './audit';
import { decodeDocument, encodeDocument } from './document-codec';
import { type Item, keys, releasePartition } from './keys';
import { toRollout } from './records';
import { BACK_OFF, collided, conditionFailed, RETRY_NOW, type StoreTable } from './store-table';
import { UpdateExpression } from './update-expression';

/** Parallel conditional puts when writing many service rollouts. */
const PUT_CONCURRENCY = 8;

export class DynamoDbServiceRollouts implements ServiceRolloutStore {
  constructor(
    private readonly table: StoreTable,
    private readonly audit: DynamoDbAudit,
  ) {}

  async putServiceRollouts(records: readonly ServiceRolloutRecord[]): Promise<void> {
    await forEachConcurrently(records, PUT_CONCURRENCY, async (record) => {
      await this.table.putIfAbsent({
        ...keys.rollout(record.releaseId, record.region, record.service),
        entity: 'serviceRollout',
        ...toRollout(record),
        version: 0,
      });
    });
  }

  async getServiceRollout(
    releaseId: string,
    region: string,
    service: string,
  ): Promise<ServiceRolloutRecord | undefined> {
    const item = await this.table.getItem(keys.rollout(releaseId, region, service));
    return item && toRollout(item);
  }

  async listServiceRollouts(releaseId: string, region?: string): Promise<ServiceRolloutRecord[]> {
    const items = await this.table.queryPrefix(
      releasePartition(releaseId),
      region ? `ROLLOUT#${region}#` : 'ROLLOUT#',
    );
    return items.map(toRollout);
  }

  async updateServiceRollout(
    key: ServiceRolloutKey,
    patch: ServiceRolloutPatch,
    audit: NewAuditEntry,
    expect?: readonly ServiceRolloutStatus[],
    whileRelease?: ReleaseStatus,
  ): Promise<ServiceRolloutRecord> {
    requireKey(audit);
    const from = rolloutUpdateSources(patch.status, expect);
    const rolloutKey = keys.rollout(key.releaseId, key.region, key.service);
    const what = `service rollout ${key.releaseId}/${key.region}/${key.service}`;
    return this.audit.oneAtATime(audit.releaseId, () =>
      this.table.optimistically(`updating ${what}`, async () => {
        const [current, lastSeq] = await Promise.all([
          this.table.getItem(rolloutKey),
          this.audit.lastSeq(audit.releaseId),
        ]);
        if (!current) throw new NotFoundError(`${what} does not exist`);
        const status = current.status as ServiceRolloutStatus;
        if (from && !from.includes(status)) {
          // A retry of a change already made finds the status it moved to: that is success.
          if (await this.audit.isStored(audit.releaseId, audit.key)) return toRollout(current);
          const to = patch.status ? `: not moved to ${patch.status}` : '';
          throw new ConditionFailedError(
            `${what} is ${status}, not ${from.join(' or ') || 'a status it may leave'}${to}`,
          );
        }

        const version = Number(current.version ?? 0);
        const applied: Item = { updatedAt: this.table.clock.now().toISOString() };
        const update = new UpdateExpression();
        for (const field of SERVICE_ROLLOUT_PATCH_FIELDS) {
          if (patch[field] !== undefined) applied[field] = patch[field];
        }
        for (const [field, value] of Object.entries(applied)) update.set(field, value);
        update.set('version', version + 1);
        const entry = { ...audit, seq: lastSeq + 1 };
        const reasons = await this.table.transactWrite([
          {
            name: 'rollout',
            item: {
              Update: {
                TableName: this.table.tableName,
                Key: rolloutKey,
                ...update.build(),
                // Unchanged since the read: the status was judged on this very state, and the
                // record returned below is exactly what was written.
                ConditionExpression: update.equals('version', version),
              },
            },
          },
          ...this.audit.writes(entry),
          ...(whileRelease
            ? [
                {
                  name: 'release' as const,
                  item: {
                    ConditionCheck: {
                      TableName: this.table.tableName,
                      Key: keys.release(key.releaseId),
                      ConditionExpression: '#status = :status',
                      ExpressionAttributeNames: { '#status': 'status' },
                      ExpressionAttributeValues: { ':status': whileRelease },
                    },
                  },
                },
              ]
            : []),
        ]);
        if (!reasons) {
          this.audit.committed(entry);
          return toRollout({ ...current, ...applied });
        }
        // This audit key is already stored, so this change was already made: a retry.
        if (conditionFailed(reasons, 'auditKey')) return toRollout(current);
        if (conditionFailed(reasons, 'release')) {
          throw new ConditionFailedError(
            `release ${key.releaseId} is no longer ${whileRelease}: ${what} not updated`,
          );
        }
        if (conditionFailed(reasons, 'auditCounter'))
          this.audit.noteCounter(audit.releaseId, reasons.auditCounter);
        // The record or the audit moved on since the read: judge again on fresh reads.
        return collided(reasons) ? BACK_OFF : RETRY_NOW;
      }),
    );
  }

  // ── snapshots ──

  async putSnapshot(releaseId: string, service: string, snapshot: StoredSnapshot): Promise<void> {
    const { region } = snapshot.target;
    await this.table.putIfAbsent({
      ...keys.snapshot(releaseId, region, service),
      entity: 'snapshot',
      releaseId,
      region,
      service,
      ...encodeDocument(snapshot, `the snapshot of ${service} in ${region}`),
    });
  }

  async getSnapshots(
    releaseId: string,
    region?: string,
  ): Promise<Array<{ service: string; snapshot: StoredSnapshot }>> {
    const items = await this.table.queryPrefix(
      releasePartition(releaseId),
      region ? `SNAPSHOT#${region}#` : 'SNAPSHOT#',
    );
    return items.map((item) => ({
      service: String(item.service),
      snapshot: decodeDocument(item) as StoredSnapshot,
    }));
  }
}

async function forEachConcurrently<T>(
  values: readonly T[],
  concurrency: number,
  action: (value: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < values.length) {
      const value = values[next++] as T;
      await action(value);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, values.length) }, worker));
}
