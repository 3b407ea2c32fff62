/**
 * Tasks of the rollback state machine: stop what still acts, put traffic back on stable, then
 * restore every touched workload from its snapshot in reverse dependency order, and verify.
 * Each is idempotent: the state machine retries them with backoff until they succeed.
 */
import * as z from 'zod';
import { removeAbortAlarms } from '../app/abort-alarms';
import { acquireAuditedLock } from '../app/locks';
import { loadReleaseContext, type ReleaseContext } from '../app/release-context';
import { releaseLockAndDispatch } from '../app/release-queue';
import { readyStable } from '../app/stable-readiness';
import { auditEntry } from '../core/audit';
import {
  causeMessage,
  RollbackIncompleteError,
  RolloutNotReadyError,
  StableNotReadyError,
  TransientClusterError,
} from '../core/errors';
import { ROLLBACK_LEASE_SECONDS } from '../core/leases';
import { RELEASE_LOCK_SCOPE } from '../core/naming';
import {
  type ExecutionToStop,
  isTouched,
  judgeRestored,
  nextReturnWeight,
  type RestoredReading,
  rollbackReason,
  rollbackScope,
  rollbackStages,
} from '../core/rollback';
import { replicaRatioWeights } from '../core/strategy';
import type { DeploymentSnapshot, Ports } from '../ports';
import { defineHandler } from './define';
import { unrestoredDrains } from './drain';

const ReleaseKey = z.object({ releaseId: z.string().min(1) }).passthrough();
const RegionKey = z.object({ releaseId: z.string().min(1), region: z.string().min(1) }).passthrough();

async function touchedServices(ports: Ports, releaseId: string, region: string) {
  const [records, snapshots] = await Promise.all([
    ports.store.listServiceRollouts(releaseId, region),
    ports.store.getSnapshots(releaseId, region),
  ]);
  const touched = new Set(records.filter(isTouched).map((record) => record.service));
  return snapshots.filter((entry) => touched.has(entry.service));
}

export const beginRollback = defineHandler({
  name: 'beginRollback',
  ports: ['store', 'workflow', 'clock', 'events'],
  input: ReleaseKey.extend({ reason: z.string().optional() }),
  async run({ releaseId, reason }, ports) {
    const context = await loadReleaseContext(ports.store, releaseId);
    await acquireAuditedLock(
      ports,
      RELEASE_LOCK_SCOPE,
      { releaseId, kind: 'rollback' },
      ROLLBACK_LEASE_SECONDS,
      'switchyard',
    );
    const release = await ports.store.getRelease(releaseId);
    // The rollouts are read for a reason only when none was given or recorded.
    const given = reason ?? release?.reason;
    const why = rollbackReason(
      given,
      given === undefined ? await ports.store.listServiceRollouts(releaseId) : [],
    );
    if (release && release.status !== 'ROLLING_BACK') {
      await ports.store.setReleaseStatus(releaseId, 'ROLLING_BACK', { reason: why });
    }
    const now = ports.clock.now().toISOString();
    // Read after the status moved: no rollout can be claimed past this point.
    const { regions, executions } = rollbackScope(
      releaseId,
      context.plan.regions,
      await ports.store.listServiceRollouts(releaseId),
      await unrestoredDrains(ports, context),
    );
    // Stop every execution still acting for this release, so nothing moves while we restore.
    const stopped = await stopRunning(ports, executions, `rollback of ${releaseId}: ${why}`);
    await ports.store.appendAudit(
      auditEntry('rollback.started', {
        releaseId,
        key: 'rollback/started',
        at: now,
        actor: 'switchyard',
        detail: { reason: why, regions, stoppedExecutions: stopped.length },
      }),
    );
    await ports.events.publish([
      { detailType: 'Rollback Started', releaseId, detail: { reason: why, regions } },
    ]);
    return { releaseId, startedAt: now, regions: regions.map((region) => ({ releaseId, region })) };
  },
});

/** Stops each execution that is still running, one after another; returns the names it stopped. */
async function stopRunning(
  ports: Pick<Ports, 'workflow'>,
  executions: readonly ExecutionToStop[],
  cause: string,
): Promise<string[]> {
  const stopped: string[] = [];
  for (const { machine, name } of executions) {
    const arn = ports.workflow.executionArnFor(machine, name);
    const described = await ports.workflow.describeExecution(arn);
    if (described?.status !== 'RUNNING') continue;
    await ports.workflow.stopExecution(arn, { error: 'ReleaseAbortedError', cause });
    stopped.push(name);
  }
  return stopped;
}

/** One touched service as a return to stable finds it: its snapshot and the canary's share now. */
interface ServiceReturn {
  service: string;
  snapshot: DeploymentSnapshot;
  /** Percent of traffic on the canary: the load balancer's weight, or the replica ratio without one. */
  canary: number;
}

async function readReturn(
  ports: Pick<Ports, 'traffic' | 'cluster'>,
  context: ReleaseContext,
  region: string,
  { service, snapshot }: { service: string; snapshot: DeploymentSnapshot },
): Promise<ServiceReturn> {
  const target = context.trafficTarget(region, service);
  if (target) return { service, snapshot, canary: (await ports.traffic.getWeights(target)).canary };
  const workload = context.workload(region, service);
  const [stable, canary] = await Promise.all([
    ports.cluster.readDeployment(workload),
    ports.cluster.readDeployment(workload, 'canary'),
  ]);
  const replicas = { stable: stable?.replicas ?? 0, canary: canary?.replicas ?? 0 };
  return { service, snapshot, canary: replicaRatioWeights(replicas).canary };
}

/**
 * Traffic first, and only onto a ready stable. For every touched service whose canary still has
 * traffic, stable is first brought back to its snapshot's replicas and must be ready at that
 * count: until each is, no traffic moves in the region (StableNotReadyError, which the state
 * machine retries, and when it gives up a person is told what is left). Then each service moves
 * one step: its canary to 0 % at once, or to its ramp's next weight. `waitSeconds` is how long
 * the state machine holds traffic there before calling again; 0 means traffic is back on stable.
 */
export const returnTrafficToStable = defineHandler({
  name: 'returnTrafficToStable',
  ports: ['store', 'traffic', 'cluster', 'clock'],
  input: RegionKey,
  async run({ releaseId, region }, ports) {
    const context = await loadReleaseContext(ports.store, releaseId);
    const touched = await touchedServices(ports, releaseId, region);
    // What fails for one service is collected, so the error names every service it concerns.
    const failures: string[] = [];
    const forEachService = async <T extends { service: string }, R>(
      entries: readonly T[],
      work: (entry: T) => Promise<R>,
    ): Promise<R[]> => {
      const results = await Promise.all(
        entries.map(async (entry) => {
          try {
            return [await work(entry)];
          } catch (error) {
            failures.push(`${entry.service}: ${(error as Error).message}`);
            return [];
          }
        }),
      );
      if (failures.length > 0)
        throw new TransientClusterError(
          `traffic not yet back on stable in ${region}: ${failures.join('; ')}`,
        );
      return results.flat();
    };
    const returns = await forEachService(touched, (entry) => readReturn(ports, context, region, entry));
    const moving = returns.filter((entry) => entry.canary > 0);
    const notReady = (
      await forEachService(moving, (entry) => readyStable(ports, context, { releaseId, region }, entry))
    ).filter((reason): reason is string => reason !== undefined);
    if (notReady.length > 0) {
      const left = moving.map((entry) => `${entry.service} keeps ${entry.canary} % on its canary`);
      const unrestored = touched.map((entry) => entry.service).join(', ');
      throw new StableNotReadyError(
        `no traffic moved in ${region}: stable is not ready for it: ${notReady.join('; ')}. Left as it was: ${left.join(', ')}; not restored: ${unrestored}`,
      );
    }
    let waitSeconds = 0;
    await forEachService(returns, async ({ service, canary }) => {
      const target = context.trafficTarget(region, service);
      // A ramp needs weights to step through; without a load balancer the canary's pods go at once.
      const ramp = target ? context.service(service).rollbackRamp : undefined;
      const next = nextReturnWeight(canary, ramp);
      if (target) await ports.traffic.setWeights(target, { stable: 100 - next, canary: next });
      // Without a load balancer, traffic follows replicas: no canary pods, no canary traffic.
      else await ports.cluster.removeCanary(context.workload(region, service), 'scaleToZero');
      if (next === 0 || !ramp) return;
      waitSeconds = Math.max(waitSeconds, ramp.intervalSeconds);
      await ports.store.appendAudit(
        auditEntry('rollback.traffic-stepped', {
          releaseId,
          key: `rollback/${region}/${service}/ramp-${next}`,
          at: ports.clock.now().toISOString(),
          actor: 'switchyard',
          region,
          service,
          detail: { stable: 100 - next, canary: next, from: canary, holdSeconds: ramp.intervalSeconds },
        }),
      );
    });
    if (waitSeconds > 0) return { releaseId, region, waitSeconds };
    await ports.store.appendAudit(
      auditEntry('rollback.traffic-restored', {
        releaseId,
        key: `rollback/${region}/traffic`,
        at: ports.clock.now().toISOString(),
        actor: 'switchyard',
        region,
        detail: { services: touched.map((entry) => entry.service) },
      }),
    );
    return { releaseId, region, waitSeconds };
  },
});

/** Restores snapshots stage by stage: dependents before what they depend on. */
export const restoreWorkloads = defineHandler({
  name: 'restoreWorkloads',
  ports: ['store', 'cluster', 'clock'],
  input: RegionKey,
  async run({ releaseId, region }, ports) {
    const context = await loadReleaseContext(ports.store, releaseId);
    const touched = new Map(
      (await touchedServices(ports, releaseId, region)).map((entry) => [entry.service, entry.snapshot]),
    );
    const stages = rollbackStages([...touched.keys()], (service) => context.dependsOn(region, service));
    const failures: string[] = [];
    for (const stage of stages) {
      await Promise.all(
        stage.map(async (service) => {
          try {
            await ports.cluster.restore(touched.get(service)!);
          } catch (error) {
            failures.push(`${service}: ${(error as Error).message}`);
          }
        }),
      );
      // A later stage depends on this one being back: stop at the first stage with failures.
      if (failures.length > 0) break;
    }
    if (failures.length > 0)
      throw new TransientClusterError(`restore incomplete in ${region}: ${failures.join('; ')}`);
    await ports.store.appendAudit(
      auditEntry('rollback.workloads-restored', {
        releaseId,
        key: `rollback/${region}/workloads`,
        at: ports.clock.now().toISOString(),
        actor: 'switchyard',
        region,
        detail: { order: stages.flat() },
      }),
    );
    return { releaseId, region, restored: touched.size };
  },
});

/** Checks that each touched service is back: images, replicas, no canary, stable traffic 100 %. */
export const verifyRestored = defineHandler({
  name: 'verifyRestored',
  ports: ['store', 'cluster', 'trafficReader', 'clock'],
  input: RegionKey,
  async run({ releaseId, region }, ports) {
    const context = await loadReleaseContext(ports.store, releaseId);
    const touched = await touchedServices(ports, releaseId, region);
    const wrong: string[] = [];
    const settling: string[] = [];
    for (const { service, snapshot } of touched) {
      const reading = await readRestored(ports, context, region, service, snapshot);
      const judged = judgeRestored(service, snapshot, reading);
      wrong.push(...judged.wrong);
      settling.push(...judged.settling);
    }
    if (wrong.length > 0) throw new RollbackIncompleteError(`${region}: ${wrong.join('; ')}`);
    if (settling.length > 0) throw new RolloutNotReadyError(`${region}: ${settling.join('; ')}`);
    const now = ports.clock.now().toISOString();
    for (const { service } of touched) {
      await ports.store.updateServiceRollout(
        { releaseId, region, service },
        { status: 'ROLLED_BACK', weights: { stable: 100, canary: 0 }, endedAt: now },
        auditEntry('service.rolled-back', {
          releaseId,
          key: `rollback/${region}/${service}`,
          at: now,
          actor: 'switchyard',
          region,
          service,
        }),
      );
    }
    return { releaseId, region, verified: touched.length };
  },
});

/** What a restored service looks like now; nothing more is read once a Deployment that existed is gone. */
async function readRestored(
  ports: Pick<Ports, 'cluster' | 'trafficReader'>,
  context: ReleaseContext,
  region: string,
  service: string,
  snapshot: DeploymentSnapshot,
): Promise<RestoredReading> {
  const target = context.workload(region, service);
  const deployment = await ports.cluster.readDeployment(target);
  if (snapshot.existed && !deployment) return {};
  const status = deployment ? await ports.cluster.rolloutStatus(target) : undefined;
  const canary = await ports.cluster.readDeployment(target, 'canary');
  const traffic = context.trafficTarget(region, service);
  const weights = traffic ? await ports.trafficReader.getWeights(traffic) : undefined;
  return { deployment, status, canary, weights };
}

export const finishRollback = defineHandler({
  name: 'finishRollback',
  ports: ['store', 'clock', 'events', 'abortAlarms', 'workflow'],
  input: ReleaseKey.extend({
    startedAt: z.string().optional(),
    error: z.object({ Error: z.string(), Cause: z.string().optional() }).passthrough().optional(),
  }),
  async run({ releaseId, startedAt, error }, ports) {
    const now = ports.clock.now();
    const incomplete = error !== undefined;
    const reason = incomplete
      ? `rollback incomplete, needs a person: ${causeMessage(error.Cause)}`
      : undefined;
    await ports.store.appendAudit(
      auditEntry(incomplete ? 'rollback.incomplete' : 'rollback.completed', {
        releaseId,
        key: incomplete ? 'rollback/incomplete' : 'rollback/completed',
        at: now.toISOString(),
        actor: 'switchyard',
        detail: {
          ...(reason && { reason }),
          ...(startedAt && { seconds: (now.getTime() - new Date(startedAt).getTime()) / 1000 }),
        },
      }),
    );
    // Audit first, then the final status: a reader who sees the status finds the entry.
    await ports.store.setReleaseStatus(
      releaseId,
      incomplete ? 'FAILED' : 'ROLLED_BACK',
      reason ? { reason } : {},
    );
    // Traffic is back on stable (or a person is told what is left): the canaries' alarms go.
    await removeAbortAlarms(ports, await loadReleaseContext(ports.store, releaseId));
    await ports.store.unwatchAlarms(releaseId);
    // The rollback had the lock: let it go, and start the release waiting (an emergency first).
    await releaseLockAndDispatch(ports, releaseId);
    await ports.events.publish(
      incomplete
        ? [{ detailType: 'Release Failed', releaseId, detail: { reason } }]
        : [
            { detailType: 'Rollback Completed', releaseId, detail: {} },
            { detailType: 'Release Rolled Back', releaseId, detail: {} },
          ],
    );
    return { releaseId, status: incomplete ? 'FAILED' : 'ROLLED_BACK', ...(reason && { reason }) };
  },
});
