/**
 * Where each kind of record lives in the store's one table (layout in table-definition.ts):
 * its partition and sort key, and the index attributes a release carries.
 */
import type { ReleaseRecord, ReleaseStatus, TaskTokenKey } from '../../ports';
import { RELEASES_BY_STATUS_INDEX, RELEASES_BY_TIME_INDEX, STORE_TABLE } from './table-definition';

export type Item = Record<string, unknown>;
export type StoreIndex = (typeof STORE_TABLE.globalSecondaryIndexes)[number];

export const PK = STORE_TABLE.partitionKey.name;
export const SK = STORE_TABLE.sortKey.name;
export const TTL = STORE_TABLE.timeToLiveAttribute;
export const BY_STATUS = storeIndex(RELEASES_BY_STATUS_INDEX);
export const BY_TIME = storeIndex(RELEASES_BY_TIME_INDEX);

function storeIndex(indexName: string): StoreIndex {
  const index = STORE_TABLE.globalSecondaryIndexes.find((candidate) => candidate.indexName === indexName);
  if (!index) throw new Error(`the store table has no index ${indexName}`);
  return index;
}

const SEQ_DIGITS = 12;
export const MAX_SEQ = 10 ** SEQ_DIGITS - 1;

/** The partition of everything one release owns. */
export const releasePartition = (releaseId: string) => `RELEASE#${releaseId}`;

export const keys = {
  release: (releaseId: string) => ({ [PK]: releasePartition(releaseId), [SK]: 'RELEASE' }),
  plan: (releaseId: string) => ({ [PK]: releasePartition(releaseId), [SK]: 'PLAN' }),
  rollout: (releaseId: string, region: string, service: string) => ({
    [PK]: releasePartition(releaseId),
    [SK]: `ROLLOUT#${region}#${service}`,
  }),
  /** The region's lane board: its lanes, unclaimed count and breakage (sorts before its ready set). */
  laneBoard: (releaseId: string, region: string) => ({
    [PK]: releasePartition(releaseId),
    [SK]: `${laneBoardPrefix(region)}0`,
  }),
  /** One ready service, sorted by readyRank (core/lanes.ts) after its region's board. */
  ready: (releaseId: string, region: string, rank: string) => ({
    [PK]: releasePartition(releaseId),
    [SK]: `${laneBoardPrefix(region)}1#${rank}`,
  }),
  snapshot: (releaseId: string, region: string, service: string) => ({
    [PK]: releasePartition(releaseId),
    [SK]: `SNAPSHOT#${region}#${service}`,
  }),
  auditCounter: (releaseId: string) => ({ [PK]: releasePartition(releaseId), [SK]: 'AUDIT_COUNTER' }),
  auditEntry: (releaseId: string, seq: number) => ({
    [PK]: releasePartition(releaseId),
    [SK]: `AUDIT#${String(seq).padStart(SEQ_DIGITS, '0')}`,
  }),
  auditKey: (releaseId: string, key: string) => ({
    [PK]: releasePartition(releaseId),
    [SK]: `AUDIT_KEY#${key}`,
  }),
  taskToken: ({ releaseId, kind, name }: TaskTokenKey) => ({
    [PK]: releasePartition(releaseId),
    [SK]: `TOKEN#${kind}#${name}`,
  }),
  watchOfRelease: (releaseId: string, alarmName: string) => ({
    [PK]: releasePartition(releaseId),
    [SK]: `WATCH#${alarmName}`,
  }),
  watchOfAlarm: (alarmName: string, releaseId: string) => ({
    [PK]: `ALARM#${alarmName}`,
    [SK]: `RELEASE#${releaseId}`,
  }),
  lock: (scope: string) => ({ [PK]: `LOCK#${scope}`, [SK]: 'LOCK' }),
  /** A queued release, under its queue order (core/release-queue.ts queueSortKey). */
  queueEntry: (sortKey: string) => ({ [PK]: QUEUE_PARTITION, [SK]: `${QUEUE_ENTRY_PREFIX}${sortKey}` }),
  /** How many entries the queue holds: the transactions that add and remove them keep it, so the bound holds. */
  queueCount: () => ({ [PK]: QUEUE_PARTITION, [SK]: 'COUNT' }),
  event: (eventId: string) => ({ [PK]: `EVENT#${eventId}`, [SK]: 'EVENT' }),
};

/** The release queue: its entries and their count, in one partition read by one consistent Query. */
export const QUEUE_PARTITION = 'QUEUE#release';
export const QUEUE_ENTRY_PREFIX = 'ENTRY#';

/** A region's board and ready set, in one range of sort keys: one Query reads the board and the best ready. */
export const laneBoardPrefix = (region: string) => `LANES#${region}#`;

export const releaseStatusKey = (status: ReleaseStatus) => `RELEASE_STATUS#${status}`;

/** The index attributes a release record carries (both indexes share the time sort key). */
export function releaseIndexKeys(release: Pick<ReleaseRecord, 'releaseId' | 'status' | 'createdAt'>): Item {
  return {
    [BY_STATUS.partitionKey.name]: releaseStatusKey(release.status),
    [BY_TIME.partitionKey.name]: 'RELEASE',
    [BY_TIME.sortKey.name]: `${release.createdAt}#${release.releaseId}`,
  };
}

export const epochSeconds = (ms: number) => Math.ceil(ms / 1000);
