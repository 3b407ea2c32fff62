/**
 * Alarm watches, kept in both directions (release → alarms, alarm → releases) so the alarm
 * handler finds the releases watching an alarm with one query.
 */
import type { AlarmWatchStore } from '../../ports';
import { keys, releasePartition } from './keys';
import { chunks, type NamedTransactItem, type StoreTable } from './store-table';

/** A transaction holds at most 100 actions; a watch is two items. */
const WATCHES_PER_TRANSACTION = 50;

export class DynamoDbAlarmWatches implements AlarmWatchStore {
  constructor(private readonly table: StoreTable) {}

  async watchAlarms(releaseId: string, alarmNames: readonly string[]): Promise<void> {
    const { tableName } = this.table;
    for (const names of chunks([...new Set(alarmNames)], WATCHES_PER_TRANSACTION)) {
      // Both directions in one transaction, so unwatching (which reads the release side) always
      // finds every alarm-side item to delete.
      await this.table.transactWriteUnconditionally(
        names.flatMap((alarmName): Array<NamedTransactItem<string>> => {
          const watch = { entity: 'alarmWatch', releaseId, alarmName };
          return [
            {
              name: `release side of ${alarmName}`,
              item: {
                Put: {
                  TableName: tableName,
                  Item: { ...keys.watchOfRelease(releaseId, alarmName), ...watch },
                },
              },
            },
            {
              name: `alarm side of ${alarmName}`,
              item: {
                Put: { TableName: tableName, Item: { ...keys.watchOfAlarm(alarmName, releaseId), ...watch } },
              },
            },
          ];
        }),
        `watching alarms for ${releaseId}`,
      );
    }
  }

  async unwatchAlarms(releaseId: string): Promise<void> {
    const { tableName } = this.table;
    const watches = await this.table.queryPrefix(releasePartition(releaseId), 'WATCH#');
    const alarmNames = watches.map((item) => String(item.alarmName));
    for (const names of chunks(alarmNames, WATCHES_PER_TRANSACTION)) {
      await this.table.transactWriteUnconditionally(
        names.flatMap(
          (alarmName): Array<NamedTransactItem<string>> => [
            {
              name: `release side of ${alarmName}`,
              item: { Delete: { TableName: tableName, Key: keys.watchOfRelease(releaseId, alarmName) } },
            },
            {
              name: `alarm side of ${alarmName}`,
              item: { Delete: { TableName: tableName, Key: keys.watchOfAlarm(alarmName, releaseId) } },
            },
          ],
        ),
        `unwatching alarms of ${releaseId}`,
      );
    }
  }

  async releasesWatching(alarmName: string): Promise<string[]> {
    const items = await this.table.queryPrefix(`ALARM#${alarmName}`, 'RELEASE#');
    return items.map((item) => String(item.releaseId));
  }
}
