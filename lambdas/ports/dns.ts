/** The DNS ports: Route 53 weighted records, read and changed in one batch. */

export interface DnsRecord {
  hostedZoneId: string;
  recordName: string;
}

export interface DnsChange {
  changeId: string;
  /** Seconds; 0 when no changed record has its own TTL (an alias record takes its target's). */
  ttlSeconds: number;
}

/** What handlers that only look at DNS use (as TrafficReader is to Traffic). */
export interface DnsReader {
  /** Weight (0–255) per set identifier of the record's weighted records. */
  getWeights(record: DnsRecord): Promise<Record<string, number>>;
  /** true once the change is INSYNC. */
  isInSync(changeId: string): Promise<boolean>;
}

export interface Dns extends DnsReader {
  /**
   * One change batch for all the given set identifiers (each record deleted exactly as read and
   * created with its new weight, so a record edited meanwhile is never overwritten); returns the
   * change id to wait on, and the longest TTL of the records changed: resolvers may answer
   * from cache that long after INSYNC.
   */
  setWeights(record: DnsRecord, weights: Record<string, number>): Promise<DnsChange>;
}
