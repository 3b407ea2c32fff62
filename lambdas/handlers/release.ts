/**
 * Tasks of the release, region-rollout and service-lane state machines: validate and lock,
 * then hand each region's services out to lanes as their dependencies complete.
 */
import * as z from 'zod';
import { acquireAuditedLock } from '../app/locks';
import { assertReleaseRunning, loadReleaseContext, type ReleaseContext } from '../app/release-context';
import { releaseLockAndDispatch } from '../app/release-queue';
import { forgetWindowToken, openReleaseWindow, parkWindowToken } from '../app/rollback-window';
import { auditEntry } from '../core/audit';
import { drainSettings } from '../core/drain';
import { ConditionFailedError, causeMessage, DependencyFailedError } from '../core/errors';
import {
  CLAIM_CANDIDATES,
  decideLaneClaim,
  lanesToWake,
  parkedLaneShouldWake,
  unfinishedRollouts,
} from '../core/lanes';
import { releaseLeaseSeconds } from '../core/leases';
import {
  canaryAlarmName,
  laneName,
  RELEASE_LOCK_SCOPE,
  regionRolloutName,
  serviceRolloutName,
} from '../core/naming';
import { laneCount } from '../core/plan/resolve';
import type { Ports, ReleaseStatus, ServiceRolloutRecord } from '../ports';
import { defineHandler } from './define';
import { resumeIfWaiting } from './parked-tasks';

const ReleaseKey = z.object({ releaseId: z.string().min(1) }).passthrough();
const RegionKey = z.object({ releaseId: z.string().min(1), region: z.string().min(1) }).passthrough();
const LaneKey = RegionKey.extend({ lane: z.number().int().min(0) });

export const validateRelease = defineHandler({
  name: 'validateRelease',
  ports: ['store', 'clock', 'events'],
  input: ReleaseKey,
  async run({ releaseId }, ports) {
    const context = await loadReleaseContext(ports.store, releaseId);
    const now = ports.clock.now().toISOString();
    const release = await ports.store.getRelease(releaseId);
    if (release?.status === 'PENDING') {
      await ports.store.setReleaseStatus(releaseId, 'RUNNING', { from: ['PENDING'] });
      await ports.events.publish([
        { detailType: 'Release Started', releaseId, detail: { waves: context.plan.waves.length } },
      ]);
    }
    const records = pendingRollouts(context, now);
    await ports.store.putServiceRollouts(records);
    await ports.store.appendAudit(
      auditEntry('release.validated', {
        releaseId,
        key: 'release/validated',
        at: now,
        actor: 'switchyard',
        detail: {
          services: context.plan.services.size,
          serviceRollouts: records.length,
          waves: context.plan.waves.length,
        },
      }),
    );
    return {
      releaseId,
      waves: releaseWaves(context),
    };
  },
});

/** One PENDING record per service of each region: what lanes claim from. */
function pendingRollouts(context: ReleaseContext, now: string): ServiceRolloutRecord[] {
  return context.plan.regions.flatMap((region) =>
    region.services.map((service) => ({
      releaseId: context.releaseId,
      region: region.name,
      service,
      status: 'PENDING' as const,
      stepIndex: 0,
      stepCount: context.steps(service).length,
      weights: { stable: 100, canary: 0 },
      checksPassed: 0,
      checksFailed: 0,
      consecutiveFailures: 0,
      updatedAt: now,
      priority: context.priority(region.name, service),
      waitingOn: context.dependsOn(region.name, service),
    })),
  );
}

/** The waves the release state machine maps over: each region's execution, then the bake before the next wave. */
function releaseWaves(context: ReleaseContext) {
  const { releaseId, plan } = context;
  return plan.waves.map(({ wave, regions }, index) => ({
    releaseId,
    wave,
    regions: regions.map((region) => ({
      releaseId,
      region: region.name,
      executionName: regionRolloutName(releaseId, region.name),
    })),
    bakeSeconds: index < plan.waves.length - 1 ? plan.waveBakeSeconds : 0,
  }));
}

export const acquireReleaseLock = defineHandler({
  name: 'acquireReleaseLock',
  ports: ['store', 'clock'],
  input: ReleaseKey,
  async run(input, ports) {
    const context = await loadReleaseContext(ports.store, input.releaseId);
    // Submission took it (and recorded it); this renews it, or takes it for a release started otherwise.
    await acquireAuditedLock(
      ports,
      RELEASE_LOCK_SCOPE,
      { releaseId: input.releaseId, kind: 'release' },
      releaseLeaseSeconds(context.plan),
      'switchyard',
    );
    return input;
  },
});

/** Registers every alarm the plan names, so an ALARM event finds this release. */
export const watchAlarms = defineHandler({
  name: 'watchAlarms',
  ports: ['store'],
  input: ReleaseKey,
  async run(input, ports) {
    const context = await loadReleaseContext(ports.store, input.releaseId);
    await ports.store.watchAlarms(input.releaseId, watchedAlarmNames(context));
    return input;
  },
});

/** The plan's rollbackAlarms, alarms named in analysis checks, and each canary's own error alarm. */
export function watchedAlarmNames(context: ReleaseContext): string[] {
  const names = new Set<string>(context.plan.source.rollbackAlarms);
  for (const service of context.plan.services.values()) {
    for (const check of service.analysis?.checks ?? []) {
      if (check.type === 'cloudwatchAlarms') for (const name of check.alarmNames) names.add(name);
    }
  }
  for (const region of context.plan.regions) {
    for (const service of region.services) names.add(canaryAlarmName(service, region.name));
  }
  return [...names];
}

/** The all-green barrier between waves: every service of the wave's regions completed. */
export const checkWaveHealth = defineHandler({
  name: 'checkWaveHealth',
  ports: ['store', 'clock'],
  input: z.object({ releaseId: z.string(), wave: z.number(), regions: z.array(RegionKey) }).passthrough(),
  async run(input, ports) {
    await assertReleaseRunning(ports.store, input.releaseId);
    const unfinished: string[] = [];
    for (const { region } of input.regions) {
      const records = await ports.store.listServiceRollouts(input.releaseId, region);
      for (const record of unfinishedRollouts(records))
        unfinished.push(`${region}/${record.service} is ${record.status}`);
    }
    if (unfinished.length > 0)
      throw new DependencyFailedError(`wave ${input.wave} is not all green: ${unfinished.join(', ')}`);
    await ports.store.appendAudit(
      auditEntry('wave.completed', {
        releaseId: input.releaseId,
        key: `wave-${input.wave}/green`,
        at: ports.clock.now().toISOString(),
        actor: 'switchyard',
        detail: { wave: input.wave, regions: input.regions.map((entry) => entry.region) },
      }),
    );
    return { releaseId: input.releaseId, wave: input.wave };
  },
});

/** After the last wave: MONITORING for the plan's rollback window, if it has one (app/rollback-window.ts). */
export const openRollbackWindow = defineHandler({
  name: 'openRollbackWindow',
  ports: ['store', 'clock', 'events'],
  input: ReleaseKey,
  async run({ releaseId }, ports) {
    return openReleaseWindow(ports, releaseId);
  },
});

/** The window's wait parks its task token: `switchyard promote` resumes it before the window ends. */
export const parkRollbackWindow = defineHandler({
  name: 'parkRollbackWindow',
  ports: ['store'],
  input: ReleaseKey.extend({ taskToken: z.string().min(1) }),
  async run({ releaseId, taskToken }, ports) {
    await parkWindowToken(ports, releaseId, taskToken);
    return { releaseId };
  },
});

export const finalizeRelease = defineHandler({
  name: 'finalizeRelease',
  ports: ['store', 'clock', 'events', 'workflow'],
  input: ReleaseKey,
  async run({ releaseId }, ports) {
    // The ledger records an ending before the record shows it, so whoever reads a final status
    // also finds its entry. Checked first so an aborted release never logs a success.
    const release = await ports.store.getRelease(releaseId);
    const finishing: readonly ReleaseStatus[] = ['RUNNING', 'MONITORING', 'SUCCEEDED'];
    if (release && finishing.includes(release.status)) {
      await ports.store.appendAudit(
        auditEntry('release.succeeded', {
          releaseId,
          key: 'release/succeeded',
          at: ports.clock.now().toISOString(),
          actor: 'switchyard',
        }),
      );
    }
    await ports.store.setReleaseStatus(releaseId, 'SUCCEEDED', { from: finishing });
    await forgetWindowToken(ports, releaseId);
    await ports.store.unwatchAlarms(releaseId);
    await releaseLockAndDispatch(ports, releaseId);
    await ports.events.publish([{ detailType: 'Release Succeeded', releaseId, detail: {} }]);
    return { releaseId, status: 'SUCCEEDED' };
  },
});

/** A release that could not start (its lock is held, or its plan is invalid) ends FAILED, naming why. */
export const refuseRelease = defineHandler({
  name: 'refuseRelease',
  ports: ['store', 'clock', 'events', 'workflow'],
  input: ReleaseKey.extend({
    error: z.object({ Error: z.string(), Cause: z.string().optional() }).passthrough(),
  }),
  async run({ releaseId, error }, ports) {
    const reason = `${error.Error}: ${causeMessage(error.Cause)}`;
    await ports.store.appendAudit(
      auditEntry('release.refused', {
        releaseId,
        key: 'release/refused',
        at: ports.clock.now().toISOString(),
        actor: 'switchyard',
        detail: { reason },
      }),
    );
    await ports.store.setReleaseStatus(releaseId, 'FAILED', { reason });
    // Submission took the lock: let it go (a lock another release holds is left alone).
    await releaseLockAndDispatch(ports, releaseId);
    await ports.events.publish([{ detailType: 'Release Failed', releaseId, detail: { reason } }]);
    return { releaseId, error: error.Error, cause: reason };
  },
});

// ── regions and lanes ───────────────────────────────────────────────────────

export const prepareRegion = defineHandler({
  name: 'prepareRegion',
  ports: ['store'],
  input: RegionKey,
  async run({ releaseId, region }, ports) {
    await assertReleaseRunning(ports.store, releaseId);
    const context = await loadReleaseContext(ports.store, releaseId);
    await assertEarlierWavesGreen(ports, context, region);
    // Renew the release's lease (the same holder re-entering extends it) for the waves to come.
    await ports.store.acquireLock(
      RELEASE_LOCK_SCOPE,
      { releaseId, kind: 'release' },
      releaseLeaseSeconds(context.plan),
    );
    const services = context.regionServices(region);
    const plan = context.plan.regions.find((entry) => entry.name === region)!;
    const lanes = laneCount(plan.concurrency, services.length);
    return {
      releaseId,
      region,
      // Present only for a drained region: the region-rollout machine drains around the lanes.
      ...(plan.drain && { drain: drainSettings(plan.drain) }),
      lanes: Array.from({ length: lanes }, (_, lane) => ({
        releaseId,
        region,
        lane,
        executionName: laneName(releaseId, region, lane),
      })),
    };
  },
});

/** Waves go strictly in order: a region never starts while an earlier wave is not all green. */
async function assertEarlierWavesGreen(ports: Ports, context: ReleaseContext, region: string): Promise<void> {
  const wave = context.plan.regions.find((entry) => entry.name === region)?.wave ?? 0;
  for (const earlier of context.plan.regions.filter((entry) => entry.wave < wave)) {
    const records = await ports.store.listServiceRollouts(context.releaseId, earlier.name);
    const unfinished = unfinishedRollouts(records);
    if (unfinished.length > 0) {
      throw new DependencyFailedError(
        `${region} (wave ${wave}) waits for wave ${earlier.wave}: ${earlier.name}/${unfinished[0]!.service} is ${unfinished[0]!.status}`,
      );
    }
  }
}

type ClaimOutcome =
  | { outcome: 'claimed'; service: string; executionName: string }
  | { outcome: 'wait' }
  | { outcome: 'done' }
  | { outcome: 'blocked'; reason: string };

/**
 * Hands the lane the ready service with the most work after it (core/lanes.ts decides which),
 * claimed with a conditional write so two lanes never take the same one. A retried claim
 * returns the lane's own. It reads the region's board and its best few ready services, never
 * the whole region.
 */
export const claimNextService = defineHandler({
  name: 'claimNextService',
  ports: ['store', 'clock'],
  input: LaneKey,
  async run({ releaseId, region, lane }, ports) {
    const laneId = `lane-${lane}`;
    // Contention only means another lane took a candidate first: look again, a few times.
    for (let attempt = 0; attempt < 3; attempt++) {
      const board = await ports.store.laneBoard(releaseId, region, CLAIM_CANDIDATES);
      const decision = decideLaneClaim(laneId, board);
      // A claim is written only while the release runs (in its transaction); anything else is checked here.
      if (decision.outcome !== 'claim') await assertReleaseRunning(ports.store, releaseId);
      const outcome = await actOnClaim(ports, { releaseId, region, laneId }, decision);
      if (outcome !== 'contended') return { releaseId, region, lane, ...outcome };
    }
    return { releaseId, region, lane, outcome: 'wait' as const };
  },
});

async function actOnClaim(
  ports: Ports,
  lane: { releaseId: string; region: string; laneId: string },
  decision: ReturnType<typeof decideLaneClaim>,
): Promise<ClaimOutcome | 'contended'> {
  const { releaseId, region } = lane;
  const claimed = (service: string): ClaimOutcome => ({
    outcome: 'claimed',
    service,
    executionName: serviceRolloutName(releaseId, region, service),
  });
  switch (decision.outcome) {
    case 'own':
      return claimed(decision.service);
    case 'wait':
      return { outcome: 'wait' };
    case 'done':
    case 'blocked':
      return decision;
    case 'claim': {
      const now = ports.clock.now().toISOString();
      for (const service of decision.candidates)
        if (await claim(ports, lane, service, now)) return claimed(service);
      return 'contended';
    }
  }
}

/** Takes a pending service for the lane; false when another lane took it meanwhile (its condition failed). */
async function claim(
  ports: Ports,
  { releaseId, region, laneId }: { releaseId: string; region: string; laneId: string },
  service: string,
  now: string,
): Promise<boolean> {
  try {
    await ports.store.updateServiceRollout(
      { releaseId, region, service },
      { status: 'IN_PROGRESS', claimedBy: laneId, startedAt: now },
      auditEntry('service.claimed', {
        releaseId,
        key: `${region}/${service}/claimed-by-${laneId}`,
        at: now,
        actor: 'switchyard',
        region,
        service,
        detail: { lane: laneId },
      }),
      ['PENDING'],
      'RUNNING',
    );
    return true;
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    // Taken by another lane, or the release stopped running: only the first is worth another try.
    await assertReleaseRunning(ports.store, releaseId);
    return false;
  }
}

/** Parks the lane until another lane finishes a service; re-checks after parking so no wake-up is lost. */
export const waitForDependency = defineHandler({
  name: 'waitForDependency',
  ports: ['store', 'workflow'],
  input: LaneKey.extend({ taskToken: z.string().min(1) }),
  async run({ releaseId, region, lane, taskToken }, ports) {
    const key = { releaseId, kind: 'dependency' as const, name: `${region}/lane-${lane}` };
    await ports.store.putTaskToken(key, taskToken);
    // Read after the token is stored: a service readied before this read is seen here, one
    // readied after it finds the token (the completing lane counts down, then wakes).
    if (parkedLaneShouldWake(await ports.store.laneBoard(releaseId, region, 1))) {
      const token = await ports.store.takeTaskToken(key);
      if (token) await resumeIfWaiting(ports, token);
    }
    return { parked: key.name };
  },
});

/**
 * After a service finishes (or fails), wakes the region's parked lanes: one per ready service,
 * or all of them when the region broke or has nothing left to claim (core/lanes.ts).
 */
export const wakeLanes = defineHandler({
  name: 'wakeLanes',
  ports: ['store', 'workflow'],
  input: RegionKey,
  async run({ releaseId, region }, ports) {
    const parked = (await ports.store.listTaskTokens(releaseId, 'dependency')).filter((token) =>
      token.name.startsWith(`${region}/`),
    );
    if (parked.length === 0) return { releaseId, region, woken: 0 };
    const board = await ports.store.laneBoard(releaseId, region, parked.length);
    let woken = 0;
    for (const entry of parked) {
      if (woken >= lanesToWake(board, parked.length)) break;
      const token = await ports.store.takeTaskToken(entry);
      if (!token) continue;
      await resumeIfWaiting(ports, token);
      woken++;
    }
    return { releaseId, region, woken };
  },
});
