/**
 * Region weights in a Route 53 weighted record: one record per region, told apart by its set
 * identifier. A dual-stack name (weighted A and AAAA sharing set identifiers) is handled as one:
 * a set identifier's weight is written to every record type that has it.
 */

import {
  type ChangeAction,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import { ALIAS_TARGET_TTL_SECONDS, normalizeName } from '../../core/dns-names';
import { InvalidInputError, NotFoundError, TrafficEditedError } from '../../core/errors';
import type { Dns, DnsChange, DnsRecord } from '../../ports/index';
import { awsErrorName, callAws } from './errors';
import { pages } from './paging';

/** What getWeights and isInSync call: the DnsReader's share. */
export const DNS_READER_IAM_ACTIONS = ['route53:ListResourceRecordSets', 'route53:GetChange'] as const;

export const DNS_IAM_ACTIONS = [...DNS_READER_IAM_ACTIONS, 'route53:ChangeResourceRecordSets'] as const;

/**
 * The only change actions setWeights puts in a batch (never UPSERT: a DELETE must match what was
 * read). IAM's route53:ChangeResourceRecordSetsActions condition allows just these.
 */
export const DNS_CHANGE_ACTIONS = ['DELETE', 'CREATE'] as const satisfies readonly ChangeAction[];
type DnsChangeAction = (typeof DNS_CHANGE_ACTIONS)[number];

const MAX_WEIGHT = 255;
/** The most records one ListResourceRecordSets page returns. */
const PAGE_SIZE = 300;
const MAX_COMMENT_LENGTH = 256;
/** Reads and writes of a record that changes in between, before giving up on it. */
const CHANGE_ATTEMPTS = 3;

type WeightedRecord = ResourceRecordSet & { SetIdentifier: string; Weight: number };

export class Route53Dns implements Dns {
  /** The client must be for us-east-1, where Route 53's API lives (see clients.ts). */
  constructor(private readonly route53: Route53Client) {}

  async getWeights(record: DnsRecord): Promise<Record<string, number>> {
    const weights: Record<string, number> = {};
    for (const found of await this.weightedRecords(record)) {
      const seen = weights[found.SetIdentifier];
      if (seen !== undefined && seen !== found.Weight) {
        throw new InvalidInputError(
          `${recordText(record)}: set identifier "${found.SetIdentifier}" has weight ${seen} on one record type and ${found.Weight} on ${found.Type}`,
        );
      }
      weights[found.SetIdentifier] = found.Weight;
    }
    return weights;
  }

  async setWeights(record: DnsRecord, weights: Record<string, number>): Promise<DnsChange> {
    const entries = Object.entries(weights);
    if (entries.length === 0) throw new InvalidInputError(`${recordText(record)}: no weights given`);
    for (const [setIdentifier, weight] of entries) {
      if (!Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
        throw new InvalidInputError(
          `${recordText(record)}: weight of "${setIdentifier}" must be a whole number from 0 to ${MAX_WEIGHT} (got ${weight})`,
        );
      }
    }

    for (let attempt = 1; ; attempt += 1) {
      const records = await this.weightedRecords(record);
      try {
        return await this.change(record, weights, records);
      } catch (error) {
        // The record changed between the read and the write: read it again and redo the change
        // on what is there now, so the other writer's change stays.
        if (!isStaleDelete(error)) throw error;
        if (attempt >= CHANGE_ATTEMPTS) {
          throw new TrafficEditedError(
            `${recordText(record)} changed between Switchyard's read and its write ${CHANGE_ATTEMPTS} times in a row: someone else keeps editing it`,
          );
        }
      }
    }
  }

  /**
   * Each record changes by a DELETE of exactly what was read and a CREATE of it with the new
   * weight, in one batch: Route 53 applies a batch all or nothing, and refuses a DELETE whose
   * values differ from the record's, so a record edited since the read is never overwritten
   * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html).
   */
  private async change(
    record: DnsRecord,
    weights: Record<string, number>,
    records: readonly WeightedRecord[],
  ): Promise<DnsChange> {
    const entries = Object.entries(weights);
    const known = new Set(records.map((found) => found.SetIdentifier));
    const unknown = entries.map(([setIdentifier]) => setIdentifier).filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new InvalidInputError(
        `${recordText(record)} has no weighted record with set identifier ${unknown.map((id) => `"${id}"`).join(', ')} (it has ${[...known].map((id) => `"${id}"`).join(', ')})`,
      );
    }
    const weightAfter = (found: WeightedRecord) => weights[found.SetIdentifier] ?? found.Weight;
    if (records.every((found) => weightAfter(found) === 0)) {
      // Route 53 answers evenly across records that are all at 0: the opposite of draining them.
      throw new InvalidInputError(
        `${recordText(record)}: refusing to set every weighted record to 0, which Route 53 treats as an even split`,
      );
    }

    const changed = records.filter((found) => weights[found.SetIdentifier] !== undefined);
    const { ChangeInfo } = await this.inZone(
      record,
      this.route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: record.hostedZoneId,
          ChangeBatch: {
            Comment: `switchyard: ${entries.map(([id, weight]) => `${id}=${weight}`).join(', ')}`.slice(
              0,
              MAX_COMMENT_LENGTH,
            ),
            // Every DELETE before any CREATE: the batch is atomic either way, and an emulator
            // that deletes by set identifier alone (moto) cannot take back a record just created.
            Changes: [
              ...changed.map((found) => ({
                Action: 'DELETE' as const satisfies DnsChangeAction,
                ResourceRecordSet: found,
              })),
              ...changed.map((found) => ({
                Action: 'CREATE' as const satisfies DnsChangeAction,
                ResourceRecordSet: { ...found, Weight: weightAfter(found) },
              })),
            ],
          },
        }),
      ),
    );
    if (ChangeInfo?.Id === undefined) throw new Error('Route 53 returned no change id');
    // Resolvers cache an answer for its record's TTL, so the old weights may be served that long
    // after INSYNC. An alias record has no TTL of its own: Route 53 answers with its target's,
    // a fixed 60 s for an ELB load balancer (https://aws.amazon.com/route53/faqs/, "DNS failover").
    // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-basic.html#rrsets-values-basic-ttl
    const ttlSeconds = Math.max(
      0,
      ...changed.map((found) => found.TTL ?? (found.AliasTarget ? ALIAS_TARGET_TTL_SECONDS : 0)),
    );
    return { changeId: ChangeInfo.Id, ttlSeconds };
  }

  async isInSync(changeId: string): Promise<boolean> {
    try {
      const { ChangeInfo } = await callAws(this.route53.send(new GetChangeCommand({ Id: changeId })));
      return ChangeInfo?.Status === 'INSYNC';
    } catch (error) {
      if (awsErrorName(error) === 'NoSuchChange') {
        throw new NotFoundError(`Route 53 change ${changeId} not found`);
      }
      throw error;
    }
  }

  /** Every weighted record at the name, of the type (or types) the name's weighted records have. */
  private async weightedRecords(record: DnsRecord): Promise<WeightedRecord[]> {
    const name = normalizeName(record.recordName);
    const found: WeightedRecord[] = [];
    type Start = { name: string; type?: RRType; identifier?: string };
    const listing = pages(
      `ListResourceRecordSets of ${recordText(record)}`,
      (start: Start | undefined) =>
        this.inZone(
          record,
          this.route53.send(
            new ListResourceRecordSetsCommand({
              HostedZoneId: record.hostedZoneId,
              StartRecordName: start?.name ?? record.recordName,
              StartRecordType: start?.type,
              StartRecordIdentifier: start?.identifier,
              MaxItems: PAGE_SIZE,
            }),
          ),
        ),
      (page: ListResourceRecordSetsCommandOutput): Start | undefined => {
        // Records come sorted by name: the first of another name ends ours.
        const records = page.ResourceRecordSets ?? [];
        const more =
          page.IsTruncated === true &&
          records.every((rrset) => normalizeName(rrset.Name ?? '') === name) &&
          page.NextRecordName !== undefined &&
          normalizeName(page.NextRecordName) === name;
        return more
          ? { name: page.NextRecordName!, type: page.NextRecordType, identifier: page.NextRecordIdentifier }
          : undefined;
      },
    );
    for await (const page of listing) {
      for (const rrset of page.ResourceRecordSets ?? []) {
        if (normalizeName(rrset.Name ?? '') !== name) continue;
        if (rrset.SetIdentifier !== undefined && rrset.Weight !== undefined) {
          found.push(rrset as WeightedRecord);
        }
      }
    }
    if (found.length === 0) {
      throw new NotFoundError(`${recordText(record)} has no weighted records`);
    }
    return found;
  }

  private async inZone<T>(record: DnsRecord, request: Promise<T>): Promise<T> {
    try {
      return await callAws(request);
    } catch (error) {
      if (awsErrorName(error) === 'NoSuchHostedZone') {
        throw new NotFoundError(`hosted zone ${record.hostedZoneId} not found`);
      }
      throw error;
    }
  }
}

/**
 * Route 53's answer to a DELETE that does not match the record: InvalidChangeBatch with
 * "Tried to delete resource record set … but the values provided do not match the current
 * values" (or "… but it was not found" once it is gone).
 */
function isStaleDelete(error: unknown): boolean {
  if (awsErrorName(error) !== 'InvalidChangeBatch') return false;
  const { message, messages } = error as { message?: string; messages?: string[] };
  return [message ?? '', ...(messages ?? [])].some((text) => text.includes('Tried to delete'));
}

/** The record in words, for error messages. */
function recordText(record: DnsRecord): string {
  return `record ${normalizeName(record.recordName)} in hosted zone ${record.hostedZoneId}`;
}
