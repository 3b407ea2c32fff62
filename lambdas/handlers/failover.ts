/**
 * Failover and failback of a region. Failover scales the surviving regions up, verifies them,
 * then moves Route 53 weight away; failback moves the original weights back, then returns the
 * survivors to their replicas. Each failover is recorded like a release (kind failover), with
 * what it changed, so failback restores exactly that.
 */
import * as z from 'zod';
import { acquireAuditedLock, releaseAuditedLock } from '../app/locks';
import { assertRolledOut, dnsFleet, scaleReplicas, weightMovedAway } from '../app/region-weights';
import { loadReleaseContext, type ReleaseContext } from '../app/release-context';
import { planHash } from '../app/submit-release';
import { auditBySwitchyard } from '../app/switchyard-audit';
import { type AuditAction, auditEntry } from '../core/audit';
import { causeMessage, InvalidInputError, NotFoundError } from '../core/errors';
import { type FailoverRecord, failbackRecord, weightsByRegion, weightsBySetId } from '../core/failover';
import { FAILOVER_LOCK_SCOPE } from '../core/naming';
import type { Ports } from '../ports';
import { defineHandler } from './define';

const FailoverInput = z.object({
  failoverId: z.string().min(1),
  region: z.string().min(1),
  direction: z.enum(['failover', 'failback']),
  /** The release whose plan describes the fleet (its services, regions and DNS record). */
  planReleaseId: z.string().min(1),
  /** For failback: the failover being reversed. */
  reverses: z.string().optional(),
  /** Who asked for it (the API caller): named in the record and the audit. */
  requestedBy: z.string().min(1).max(2048).optional(),
});
type FailoverInput = z.infer<typeof FailoverInput>;

async function fleet(ports: Ports, input: FailoverInput) {
  const context = await loadReleaseContext(ports.store, input.planReleaseId);
  return { context, ...dnsFleet(context, input.region) };
}

export const beginFailover = defineHandler({
  name: 'beginFailover',
  ports: ['store', 'dnsReader', 'cluster', 'clock', 'events'],
  input: FailoverInput,
  async run(input, ports) {
    const { context, dns, identifiers } = await fleet(ports, input);
    await acquireAuditedLock(
      ports,
      FAILOVER_LOCK_SCOPE,
      { releaseId: input.failoverId, kind: 'failover' },
      3600,
      input.requestedBy ?? 'switchyard',
    );
    const byRegion = weightsByRegion(await ports.dnsReader.getWeights(dns), identifiers);
    const record =
      input.direction === 'failover'
        ? await failoverRecord(ports, context, input, byRegion)
        : await failbackOf(ports, input, byRegion);
    await recordFailover(ports, input, record);
    return { ...input };
  },
});

/** The failover as a release of its kind (its record as the plan document), audited and announced. */
async function recordFailover(ports: Ports, input: FailoverInput, record: FailoverRecord): Promise<void> {
  const now = ports.clock.now().toISOString();
  await ports.store.createRelease(
    {
      releaseId: input.failoverId,
      status: 'RUNNING',
      planHash: planHash(record),
      createdAt: now,
      updatedAt: now,
      submittedBy: input.requestedBy ?? 'switchyard',
      kind: input.direction,
    },
    record,
  );
  await ports.store.appendAudit(
    auditEntry(`${input.direction}.planned`, {
      releaseId: input.failoverId,
      key: `${input.direction}/planned`,
      at: now,
      actor: input.requestedBy ?? 'switchyard',
      region: input.region,
      detail: {
        weightsBefore: record.weightsBefore,
        weightsAfter: record.weightsAfter,
        scaled: record.replicas.length,
      },
    }),
  );
  await ports.events.publish([
    {
      detailType: 'Failover Started',
      releaseId: input.failoverId,
      detail: { region: input.region, direction: input.direction },
    },
  ]);
}

/** The failover's plan: survivors' weights, and the replicas each scaled service goes to. */
async function failoverRecord(
  ports: Ports,
  context: ReleaseContext,
  input: FailoverInput,
  byRegion: Record<string, number>,
): Promise<FailoverRecord> {
  return {
    kind: 'failover',
    region: input.region,
    direction: 'failover',
    planReleaseId: input.planReleaseId,
    ...(await weightMovedAway(ports, context, input.region, byRegion)),
  };
}

/** The failback of the failover the input names, which must be of the same region. */
async function failbackOf(
  ports: Ports,
  input: FailoverInput,
  byRegion: Record<string, number>,
): Promise<FailoverRecord> {
  if (!input.reverses) throw new InvalidInputError('a failback names the failover it reverses');
  const previous = (await ports.store.getPlanDocument(input.reverses)) as FailoverRecord | undefined;
  if (previous?.kind !== 'failover' || previous.region !== input.region) {
    throw new NotFoundError(`no failover of ${input.region} recorded as ${input.reverses}`);
  }
  return failbackRecord(previous, byRegion, input.planReleaseId);
}

/** One step of a failover in its audit, keyed by its direction and step so a retry writes it once. */
async function auditStep(
  ports: Pick<Ports, 'store' | 'clock'>,
  input: FailoverInput,
  step: string,
  action: AuditAction,
  detail: Record<string, unknown>,
): Promise<void> {
  await auditBySwitchyard(ports, action, {
    releaseId: input.failoverId,
    key: `${input.direction}/${step}`,
    region: input.region,
    detail,
  });
}

async function recorded(ports: Ports, failoverId: string): Promise<FailoverRecord> {
  const record = (await ports.store.getPlanDocument(failoverId)) as FailoverRecord | undefined;
  if (record?.kind !== 'failover') throw new NotFoundError(`failover ${failoverId} has no record`);
  return record;
}

/** Scales to the record's `after` replicas: survivors up for failover, back down for failback. */
export const scaleRegions = defineHandler({
  name: 'scaleRegions',
  ports: ['store', 'cluster', 'clock'],
  input: FailoverInput,
  async run(input, ports) {
    const { context } = await fleet(ports, input);
    const record = await recorded(ports, input.failoverId);
    await scaleReplicas(ports, context, record.replicas, 'after');
    // Scaling is an action like the DNS change: in the audit, with when it happened.
    await auditStep(ports, input, 'scaled', 'replicas.scaled', { scaled: record.replicas.length });
    return input;
  },
});

export const verifyRegions = defineHandler({
  name: 'verifyRegions',
  ports: ['store', 'cluster'],
  input: FailoverInput,
  async run(input, ports) {
    const { context } = await fleet(ports, input);
    const record = await recorded(ports, input.failoverId);
    await assertRolledOut(ports, context, record.replicas);
    return input;
  },
});

export const shiftDnsWeights = defineHandler({
  name: 'shiftDnsWeights',
  ports: ['store', 'dns', 'clock'],
  input: FailoverInput,
  async run(input, ports) {
    const { dns, identifiers } = await fleet(ports, input);
    const record = await recorded(ports, input.failoverId);
    const { changeId } = await ports.dns.setWeights(dns, weightsBySetId(record.weightsAfter, identifiers));
    await auditStep(ports, input, 'dns', 'dns.weights-changed', { weights: record.weightsAfter, changeId });
    return { ...input, changeId };
  },
});

/**
 * Whether a Route 53 change is INSYNC, for failover and for a release's drain; `syncChecks` counts
 * the polls, so a drain's wait loop is bounded.
 */
export const checkDnsSync = defineHandler({
  name: 'checkDnsSync',
  ports: ['dnsReader'],
  input: z.object({ changeId: z.string(), syncChecks: z.number().int().min(0).optional() }).passthrough(),
  async run(input, ports) {
    return {
      ...input,
      inSync: await ports.dnsReader.isInSync(input.changeId),
      syncChecks: (input.syncChecks ?? 0) + 1,
    };
  },
});

export const finishFailover = defineHandler({
  name: 'finishFailover',
  ports: ['store', 'clock', 'events'],
  input: FailoverInput.passthrough(),
  async run(input, ports) {
    const record = await recorded(ports, input.failoverId);
    await auditStep(ports, input, 'completed', `${input.direction}.completed`, {
      weights: record.weightsAfter,
    });
    // Audit first, then the final status: a reader who sees the status finds the entry.
    await ports.store.setReleaseStatus(input.failoverId, 'SUCCEEDED');
    await releaseAuditedLock(ports, FAILOVER_LOCK_SCOPE, input.failoverId);
    await ports.events.publish([
      {
        detailType: input.direction === 'failover' ? 'Failover Completed' : 'Failback Completed',
        releaseId: input.failoverId,
        detail: { region: input.region, weights: record.weightsAfter },
      },
    ]);
    return {
      failoverId: input.failoverId,
      region: input.region,
      direction: input.direction,
      weights: record.weightsAfter,
    };
  },
});

/** A failover that could not finish: recorded as FAILED with why, and its lock let go. */
export const failFailover = defineHandler({
  name: 'failFailover',
  ports: ['store', 'clock', 'events'],
  input: FailoverInput.extend({
    error: z.object({ Error: z.string(), Cause: z.string().optional() }).passthrough(),
  }).passthrough(),
  async run(input, ports) {
    const reason = `${input.error.Error}: ${causeMessage(input.error.Cause)}`;
    const record = await ports.store.getRelease(input.failoverId);
    // Refused before it recorded anything (another failover holds the lock): nothing to mark.
    if (record && record.status !== 'FAILED') {
      await auditStep(ports, input, 'failed', `${input.direction}.failed`, { reason });
      await ports.store.setReleaseStatus(input.failoverId, 'FAILED', { reason });
    }
    await releaseAuditedLock(ports, FAILOVER_LOCK_SCOPE, input.failoverId);
    await ports.events.publish([
      {
        detailType: 'Failover Failed',
        releaseId: input.failoverId,
        detail: { region: input.region, direction: input.direction, reason },
      },
    ]);
    return { failoverId: input.failoverId, error: input.error.Error, cause: reason };
  },
});
