/**
 * A release's drain of a region (`drain` on the region in the plan), run by the region-rollout
 * state machine around the region's services: the other regions scaled up and verified, the
 * region's Route 53 weight to 0, INSYNC and the record's TTL waited for; after the services,
 * the region verified, its weight restored (in steps if asked), the others scaled back.
 *
 * What the drain changed is recorded as a record of kind drain (its weights and replicas before
 * and after), so the restore, or a rollback (restoreDrainedRegion), puts back exactly that. A
 * drain holds the failover lock from the moment it plans until its weight is back: a failover
 * and a drain of the one record never run at once, and whichever comes second is refused naming
 * the holder.
 */
import * as z from 'zod';
import { acquireAuditedLock, releaseAuditedLock } from '../app/locks';
import { assertRolledOut, dnsFleet, scaleReplicas, weightMovedAway } from '../app/region-weights';
import { loadReleaseContext, type ReleaseContext } from '../app/release-context';
import { planHash } from '../app/submit-release';
import { auditBySwitchyard } from '../app/switchyard-audit';
import type { AuditAction } from '../core/audit';
import { type DrainRecord, drainSettings, restoreStepWeights } from '../core/drain';
import { InvalidInputError, NotFoundError } from '../core/errors';
import { weightsByRegion, weightsBySetId } from '../core/failover';
import { releaseLeaseSeconds } from '../core/leases';
import { drainRecordId, FAILOVER_LOCK_SCOPE } from '../core/naming';
import type { Ports, ReleaseStatus } from '../ports';
import { defineHandler } from './define';

const DrainKey = z.object({ releaseId: z.string().min(1), region: z.string().min(1) }).passthrough();
type DrainKey = z.infer<typeof DrainKey>;

async function drained(ports: Pick<Ports, 'store'>, { releaseId, region }: DrainKey) {
  const context = await loadReleaseContext(ports.store, releaseId);
  const plan = context.plan.regions.find((entry) => entry.name === region);
  if (!plan?.drain) throw new InvalidInputError(`region ${region} of release ${releaseId} is not drained`);
  return { context, settings: drainSettings(plan.drain), ...dnsFleet(context, region) };
}

/** The drain's record with its status; undefined before the drain planned anything. */
async function recorded(
  ports: Pick<Ports, 'store'>,
  drainId: string,
): Promise<(DrainRecord & { status: ReleaseStatus }) | undefined> {
  const release = await ports.store.getRelease(drainId);
  if (release?.kind !== 'drain') return undefined;
  const record = (await ports.store.getPlanDocument(drainId)) as DrainRecord;
  return { ...record, status: release.status };
}

async function recordOf(ports: Pick<Ports, 'store'>, key: DrainKey): Promise<DrainRecord> {
  const record = await recorded(ports, drainRecordId(key.releaseId, key.region));
  if (!record) throw new NotFoundError(`the drain of ${key.region} for ${key.releaseId} has no record`);
  return record;
}

/** One step of a drain in the release's audit, keyed by region and step so a retry writes it once. */
async function auditDrain(
  ports: Pick<Ports, 'store' | 'clock'>,
  key: DrainKey,
  step: string,
  action: AuditAction,
  detail: Record<string, unknown>,
): Promise<void> {
  await auditBySwitchyard(ports, action, {
    releaseId: key.releaseId,
    key: `drain/${key.region}/${step}`,
    region: key.region,
    detail,
  });
}

/**
 * Takes the failover lock, records what the drain will change (read once: a retry finds the
 * record and plans nothing new), and scales the other regions up.
 */
export const drainRegion = defineHandler({
  name: 'drainRegion',
  ports: ['store', 'dnsReader', 'cluster', 'clock'],
  input: DrainKey,
  async run(input, ports) {
    const { context, dns, identifiers } = await drained(ports, input);
    await acquireAuditedLock(
      ports,
      FAILOVER_LOCK_SCOPE,
      { releaseId: input.releaseId, kind: 'failover' },
      releaseLeaseSeconds(context.plan),
      'switchyard',
      `drain/${input.region}`,
    );
    const drainId = drainRecordId(input.releaseId, input.region);
    const record =
      (await recorded(ports, drainId)) ??
      (await recordDrain(ports, context, input, drainId, await ports.dnsReader.getWeights(dns), identifiers));
    await scaleReplicas(ports, context, record.replicas, 'after');
    await auditDrain(ports, input, 'scaled', 'replicas.scaled', { scaled: record.replicas.length });
    return { releaseId: input.releaseId, region: input.region };
  },
});

async function recordDrain(
  ports: Pick<Ports, 'store' | 'cluster' | 'clock'>,
  context: ReleaseContext,
  key: DrainKey,
  drainId: string,
  bySetId: Record<string, number>,
  identifiers: ReadonlyMap<string, string>,
): Promise<DrainRecord> {
  const record: DrainRecord = {
    kind: 'drain',
    region: key.region,
    planReleaseId: key.releaseId,
    ...(await weightMovedAway(ports, context, key.region, weightsByRegion(bySetId, identifiers))),
  };
  const now = ports.clock.now().toISOString();
  await ports.store.createRelease(
    {
      releaseId: drainId,
      status: 'RUNNING',
      planHash: planHash(record),
      createdAt: now,
      updatedAt: now,
      submittedBy: 'switchyard',
      kind: 'drain',
    },
    record,
  );
  await auditDrain(ports, key, 'planned', 'drain.planned', {
    drainId,
    weightsBefore: record.weightsBefore,
    weightsAfter: record.weightsAfter,
    scaled: record.replicas.length,
    unscaled: record.unscaled?.length ?? 0,
  });
  return record;
}

/** The other regions must carry the drained region's share before its weight goes. */
export const verifyDrainScaled = defineHandler({
  name: 'verifyDrainScaled',
  ports: ['store', 'cluster'],
  input: DrainKey,
  async run(input, ports) {
    const context = await loadReleaseContext(ports.store, input.releaseId);
    await assertRolledOut(ports, context, (await recordOf(ports, input)).replicas);
    return { releaseId: input.releaseId, region: input.region };
  },
});

/** The region's weight to 0 (the others take it): the change to wait on, and the record's TTL. */
export const removeRegionWeight = defineHandler({
  name: 'removeRegionWeight',
  ports: ['store', 'dns', 'clock'],
  input: DrainKey,
  async run(input, ports) {
    const { dns, identifiers } = await drained(ports, input);
    const record = await recordOf(ports, input);
    const change = await ports.dns.setWeights(dns, weightsBySetId(record.weightsAfter, identifiers));
    await auditDrain(ports, input, 'weight-removed', 'drain.weight-removed', {
      weights: record.weightsAfter,
      ...change,
    });
    return { ...change, syncChecks: 0 };
  },
});

/** Every service of the drained region rolled out, before its weight comes back. */
export const verifyDrainedRegion = defineHandler({
  name: 'verifyDrainedRegion',
  ports: ['store', 'cluster'],
  input: DrainKey,
  async run(input, ports) {
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const services = context
      .regionServices(input.region)
      .map((service) => ({ region: input.region, service }));
    await assertRolledOut(ports, context, services);
    return { step: 0 };
  },
});

/** One restore step: the region at its step's share of its weight before, the others at theirs. */
export const restoreRegionWeight = defineHandler({
  name: 'restoreRegionWeight',
  ports: ['store', 'dns', 'clock'],
  input: DrainKey.extend({ step: z.number().int().min(0) }),
  async run(input, ports) {
    const { dns, identifiers, settings } = await drained(ports, input);
    const record = await recordOf(ports, input);
    const percent = settings.restoreSteps[Math.min(input.step, settings.restoreSteps.length - 1)]!;
    const weights = restoreStepWeights(record, percent);
    const change = await ports.dns.setWeights(dns, weightsBySetId(weights, identifiers));
    await auditDrain(ports, input, `weight-restored/${input.step}`, 'drain.weight-restored', {
      step: input.step + 1,
      of: settings.restoreSteps.length,
      percent,
      weights,
      ...change,
    });
    return {
      step: input.step + 1,
      done: input.step + 1 >= settings.restoreSteps.length,
      intervalSeconds: settings.restoreIntervalSeconds,
      ...change,
      syncChecks: 0,
    };
  },
});

/** The other regions back to their replicas once the region has its weight, the lock let go. */
export const finishDrain = defineHandler({
  name: 'finishDrain',
  ports: ['store', 'cluster', 'clock'],
  input: DrainKey,
  async run(input, ports) {
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const record = await recordOf(ports, input);
    await scaleReplicas(ports, context, record.replicas, 'before');
    await auditDrain(ports, input, 'completed', 'drain.completed', {
      weights: record.weightsBefore,
      scaledBack: record.replicas.length,
    });
    await ports.store.setReleaseStatus(drainRecordId(input.releaseId, input.region), 'SUCCEEDED');
    await releaseAuditedLock(ports, FAILOVER_LOCK_SCOPE, input.releaseId, `drain/${input.region}`);
    return { releaseId: input.releaseId, region: input.region };
  },
});

/** Regions of the release whose drain has started and not been restored: a rollback restores them. */
export async function unrestoredDrains(
  ports: Pick<Ports, 'store'>,
  context: ReleaseContext,
): Promise<Set<string>> {
  const regions = new Set<string>();
  for (const region of context.plan.regions.filter((entry) => entry.drain)) {
    const record = await ports.store.getRelease(drainRecordId(context.releaseId, region.name));
    if (record?.status === 'RUNNING') regions.add(region.name);
  }
  return regions;
}

/**
 * A rollback's last step in a region: a drain not yet restored gets its weights before back and
 * the other regions their replicas; a region that was not drained, or whose drain finished,
 * has nothing to do.
 */
export const restoreDrainedRegion = defineHandler({
  name: 'restoreDrainedRegion',
  ports: ['store', 'dns', 'cluster', 'clock'],
  input: DrainKey,
  async run(input, ports) {
    const { releaseId, region } = input;
    const drainId = drainRecordId(releaseId, region);
    const record = await recorded(ports, drainId);
    // ROLLING_BACK: an earlier attempt began the restore and did not finish it.
    if (record?.status !== 'RUNNING' && record?.status !== 'ROLLING_BACK')
      return { releaseId, region, drainRestored: false };
    if (record.status === 'RUNNING') await ports.store.setReleaseStatus(drainId, 'ROLLING_BACK');
    const context = await loadReleaseContext(ports.store, releaseId);
    const { dns, identifiers } = dnsFleet(context, region);
    const change = await ports.dns.setWeights(dns, weightsBySetId(record.weightsBefore, identifiers));
    await scaleReplicas(ports, context, record.replicas, 'before');
    await auditBySwitchyard(ports, 'rollback.drain-restored', {
      releaseId,
      key: `rollback/${region}/drain`,
      region,
      detail: { weights: record.weightsBefore, scaledBack: record.replicas.length, ...change },
    });
    await ports.store.setReleaseStatus(drainId, 'ROLLED_BACK');
    await releaseAuditedLock(ports, FAILOVER_LOCK_SCOPE, releaseId, `drain/${region}`);
    return { releaseId, region, drainRestored: true };
  },
});
