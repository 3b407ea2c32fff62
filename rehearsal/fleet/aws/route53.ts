/**
 * Simulated Route 53, answering the SDK commands the DNS adapter sends, so the rehearsal runs
 * the real adapter (lambdas/adapters/aws/route53-dns.ts) and its rules against it. The hosted
 * zone holds the plan's record: one weighted A record per region that has a set identifier.
 * A change is PENDING until `dnsPropagationSeconds` of virtual time have passed, then INSYNC.
 * Route 53 is global: a region's outage does not touch it.
 */
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { normalizeName } from '../../../lambdas/core/dns-names';
import type { DnsRecordEditedFault } from '../../faults/schema';
import { createRandom, deriveSeed } from '../../random';
import type { FleetContext } from '../context';
import { SimulatedAwsError } from '../errors';

const MAX_WEIGHT = 255;
const DEFAULT_PAGE_SIZE = 300;

export class SimulatedRoute53 {
  private readonly zoneId: string | undefined;
  private readonly records: ResourceRecordSet[] = [];
  private readonly changes = new Map<string, number>();
  private readonly changeIds;
  private readonly edits: Array<{ fault: DnsRecordEditedFault; atMs: number; applied: boolean }>;

  constructor(private readonly context: FleetContext) {
    this.changeIds = createRandom(deriveSeed(context.seed, 'route53-changes'));
    this.edits = context.faults.faults.flatMap((fault) =>
      fault.type === 'dnsRecordEdited' ? [{ fault, atMs: context.atMs(fault.at), applied: false }] : [],
    );
    const dns = context.plan.source.dns;
    this.zoneId = dns?.hostedZoneId;
    if (!dns) return;
    context.plan.regions.forEach((region, index) => {
      // A missingResource fault: this region's weighted record was never created.
      if (!region.dns || context.isMissing('record', region.dns.setIdentifier, region.name)) return;
      this.records.push({
        Name: normalizeName(dns.recordName),
        Type: 'A',
        SetIdentifier: region.dns.setIdentifier,
        Weight: region.dns.weight,
        TTL: 60,
        // Documentation addresses (RFC 5737), one per region.
        ResourceRecords: [{ Value: `192.0.2.${index + 1}` }],
      });
    });
    // Route 53 lists the records of one name and type in set identifier order.
    this.records.sort((a, b) => (a.SetIdentifier! < b.SetIdentifier! ? -1 : 1));
  }

  client(): Route53Client {
    return { send: (command: unknown) => this.send(command) } as unknown as Route53Client;
  }

  /** The zone's record sets as they are now. */
  recordSets(): ResourceRecordSet[] {
    return structuredClone(this.records);
  }

  /** Current weight per set identifier of the plan's record. */
  weights(): Record<string, number> {
    return Object.fromEntries(this.records.map((record) => [record.SetIdentifier!, record.Weight!]));
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof ListResourceRecordSetsCommand) {
      this.requireZone(command.input.HostedZoneId);
      const start = normalizeName(command.input.StartRecordName ?? '');
      const pageSize = command.input.MaxItems ?? DEFAULT_PAGE_SIZE;
      // One name in the zone: records from the start name on, in set identifier order.
      const from = command.input.StartRecordIdentifier;
      const candidates = this.records
        .filter((record) => record.Name! >= start)
        .filter((record) => from === undefined || record.SetIdentifier! >= from);
      const page = candidates.slice(0, pageSize);
      const next = candidates[pageSize];
      return {
        ResourceRecordSets: structuredClone(page),
        IsTruncated: next !== undefined,
        MaxItems: pageSize,
        ...(next && {
          NextRecordName: next.Name,
          NextRecordType: next.Type,
          NextRecordIdentifier: next.SetIdentifier,
        }),
      };
    }
    if (command instanceof ChangeResourceRecordSetsCommand) {
      this.requireZone(command.input.HostedZoneId);
      this.applyEditBefore();
      const changes = command.input.ChangeBatch?.Changes ?? [];
      if (changes.length === 0) throw new SimulatedAwsError('InvalidInput', 'Invalid request: no changes');
      // A batch is all or nothing: it is applied to a copy, which replaces the zone only if
      // every change in it is accepted.
      // https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html
      const records = structuredClone(this.records);
      for (const change of changes) applyChange(records, change.Action, change.ResourceRecordSet);
      this.records.splice(0, this.records.length, ...records);
      const id = `/change/C${this.changeIds.alphanumeric(13, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`;
      const now = this.context.nowMs();
      this.changes.set(id, now);
      return { ChangeInfo: { Id: id, Status: 'PENDING', SubmittedAt: new Date(now) } };
    }
    if (command instanceof GetChangeCommand) {
      const raw = command.input.Id ?? '';
      const id = raw.startsWith('/change/') ? raw : `/change/${raw}`;
      const submittedAt = this.changes.get(id);
      if (submittedAt === undefined)
        throw new SimulatedAwsError(
          'NoSuchChange',
          `A change with the specified change ID does not exist: ${raw}`,
          404,
        );
      const inSync = this.context.nowMs() - submittedAt >= this.context.timing.dnsPropagationMs;
      return {
        ChangeInfo: { Id: id, Status: inSync ? 'INSYNC' : 'PENDING', SubmittedAt: new Date(submittedAt) },
      };
    }
    const name = (command as { constructor?: { name?: string } })?.constructor?.name ?? String(command);
    throw new Error(`the simulated Route 53 does not implement ${name}`);
  }

  /** Someone else's edit (a fault), landing just before the first change from its time on. */
  private applyEditBefore(): void {
    const now = this.context.nowMs();
    for (const edit of this.edits) {
      if (edit.applied || edit.atMs > now) continue;
      edit.applied = true;
      for (const record of this.records) {
        if (record.SetIdentifier === edit.fault.setIdentifier) record.TTL = edit.fault.ttl;
      }
    }
  }

  private requireZone(hostedZoneId: string | undefined): void {
    const id = (hostedZoneId ?? '').replace(/^\/hostedzone\//, '');
    if (this.zoneId === undefined || id !== this.zoneId) {
      throw new SimulatedAwsError('NoSuchHostedZone', `No hosted zone found with ID: ${id}`, 404);
    }
  }
}

const describeRecord = (rrset: ResourceRecordSet) =>
  `[name='${rrset.Name}', type='${rrset.Type}', set-identifier='${rrset.SetIdentifier}']`;

/** The same record: name (as Route 53 compares names), type and set identifier. */
function sameRecord(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  return (
    normalizeName(a.Name ?? '') === normalizeName(b.Name ?? '') &&
    a.Type === b.Type &&
    a.SetIdentifier === b.SetIdentifier
  );
}

/** Every value Route 53 compares for a DELETE: a DELETE must name the record exactly as it is. */
function sameValues(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  const values = (rrset: ResourceRecordSet) =>
    JSON.stringify([
      rrset.Weight,
      rrset.TTL,
      (rrset.ResourceRecords ?? []).map((entry) => entry.Value).sort(),
      rrset.AliasTarget ?? null,
      rrset.HealthCheckId ?? null,
    ]);
  return values(a) === values(b);
}

/** One change of a batch, as Route 53 judges it, applied to `records`. */
function applyChange(
  records: ResourceRecordSet[],
  action: string | undefined,
  incoming: ResourceRecordSet | undefined,
): void {
  if (!incoming) throw new SimulatedAwsError('InvalidInput', 'Invalid request: a change has no record set');
  const weight = incoming.Weight;
  if (weight === undefined || !Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
    throw new SimulatedAwsError(
      'InvalidInput',
      `Invalid request: Expected integer value between 0 and ${MAX_WEIGHT} for Weight, got ${weight}`,
    );
  }
  const index = records.findIndex((candidate) => sameRecord(candidate, incoming));
  const stored = { ...structuredClone(incoming), Name: normalizeName(incoming.Name ?? '') };
  switch (action) {
    case 'DELETE':
      if (index < 0) {
        throw new SimulatedAwsError(
          'InvalidChangeBatch',
          `[Tried to delete resource record set ${describeRecord(incoming)} but it was not found]`,
        );
      }
      if (!sameValues(records[index]!, incoming)) {
        throw new SimulatedAwsError(
          'InvalidChangeBatch',
          `[Tried to delete resource record set ${describeRecord(incoming)} but the values provided do not match the current values]`,
        );
      }
      records.splice(index, 1);
      return;
    case 'CREATE':
      if (index >= 0) {
        throw new SimulatedAwsError(
          'InvalidChangeBatch',
          `[Tried to create resource record set ${describeRecord(incoming)} but it already exists]`,
        );
      }
      records.push(stored);
      // Route 53 lists the records of one name and type in set identifier order.
      records.sort((a, b) => (a.SetIdentifier! < b.SetIdentifier! ? -1 : 1));
      return;
    case 'UPSERT':
      if (index >= 0) records[index] = stored;
      else applyChange(records, 'CREATE', incoming);
      return;
    default:
      throw new SimulatedAwsError('InvalidInput', `Invalid request: unknown action ${String(action)}`);
  }
}
