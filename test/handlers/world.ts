import { loadReleaseContext } from '../../lambdas/app/release-context';
/**
 * A small fleet for handler tests: a plan of four services in two regions, stored as a RUNNING
 * release on in-memory ports, with every Deployment present in both clusters.
 *
 *   db (recreate) ──► auth (canary, ALB) ──► web (canary, replica ratio)
 *   cache (recreate, independent)
 */

import { RELEASE_MOVES, SERVICE_ROLLOUT_MOVES } from '../../lambdas/core/lifecycle';
import { checkPlan } from '../../lambdas/core/plan/load';
import { handlers } from '../../lambdas/handlers';
import { buildPorts } from '../../lambdas/handlers/aws/ports';
import { type AnyHandlerDefinition, invokeHandler } from '../../lambdas/handlers/define';
import type { AuditAction, ReleaseStatus, ServiceRolloutStatus, WorkloadTarget } from '../../lambdas/ports';
import { type FakePorts, fakePorts } from '../support/fakes';

export type Json = Record<string, unknown>;

export const EAST = 'us-east-1';
export const WEST = 'us-west-2';
const CLUSTERS: Record<string, string> = { [EAST]: 'use1', [WEST]: 'usw2' };
const NAMESPACES: Record<string, string> = { db: 'data', cache: 'data', auth: 'platform', web: 'edge' };
const REPLICAS: Record<string, number> = { db: 1, cache: 1, auth: 4, web: 2 };
export const OLD_IMAGE = (service: string) => `registry.example.com/${service}:1.0.0`;
export const NEW_IMAGE = (service: string) => `registry.example.com/${service}:2.0.0`;

export const COMPARE_CHECK = {
  type: 'compare',
  maxErrorRateIncreasePoints: 0.5,
  maxP95LatencyRatio: 1.1,
  minRequests: 100,
  abortErrorRatePercent: 5,
};

export const HTTP_CHECK = { type: 'http', url: 'https://web.example.com/healthz', bodyContains: 'ok' };

/** Plans are cached by release id in a warm handler: every test gets its own id. */
let counter = 0;
export const nextReleaseId = () => `rel-${process.pid}-${++counter}`;

export function planDocument(releaseId: string, change: (plan: Json) => void = () => {}): Json {
  const plan: Json = {
    metadata: { releaseId, owner: 'handler-tests' },
    dns: { hostedZoneId: 'Z0TEST', recordName: 'api.example.com' },
    defaults: {
      concurrency: 2,
      strategy: {
        type: 'canary',
        steps: [{ setWeight: 25 }, { analysis: {} }, { setWeight: 100 }, { analysis: {} }],
      },
      analysis: { interval: '1m', count: 2, failureLimit: 0, checks: [COMPARE_CHECK] },
    },
    regions: [
      { name: EAST, cluster: CLUSTERS[EAST], wave: 1, dns: { setIdentifier: 'use1', weight: 100 } },
      { name: WEST, cluster: CLUSTERS[WEST], wave: 2, dns: { setIdentifier: 'usw2', weight: 100 } },
    ],
    services: [
      {
        name: 'db',
        namespace: 'data',
        image: NEW_IMAGE('db'),
        replicas: 1,
        strategy: { type: 'recreate', reason: 'single writer' },
      },
      {
        name: 'cache',
        namespace: 'data',
        image: NEW_IMAGE('cache'),
        replicas: 1,
        strategy: { type: 'recreate' },
      },
      {
        name: 'auth',
        namespace: 'platform',
        image: NEW_IMAGE('auth'),
        dependsOn: ['db'],
        replicas: 4,
        traffic: {
          type: 'alb',
          loadBalancerName: 'internal',
          port: 443,
          rule: { hostHeader: 'auth.example.com' },
          stableTargetGroup: 'auth-stable',
          canaryTargetGroup: 'auth-canary',
        },
      },
      {
        name: 'web',
        namespace: 'edge',
        image: NEW_IMAGE('web'),
        dependsOn: ['auth'],
        replicas: 2,
        analysis: { interval: '1m', count: 1, checks: [HTTP_CHECK] },
      },
    ],
  };
  change(plan);
  const checked = checkPlan(plan);
  if (!checked.ok) throw new Error(`the test plan is invalid: ${JSON.stringify(checked.problems)}`);
  return plan;
}

export function workload(region: string, service: string): WorkloadTarget {
  return { region, cluster: CLUSTERS[region]!, namespace: NAMESPACES[service]!, deployment: service };
}

export interface World {
  ports: FakePorts;
  releaseId: string;
  plan: Json;
}

/** A stored, not yet validated release (PENDING) with its execution started and its Deployments present. */
export async function submittedWorld(change?: (plan: Json) => void): Promise<World> {
  const ports = fakePorts();
  const releaseId = nextReleaseId();
  const plan = planDocument(releaseId, change);
  const now = ports.clock.now().toISOString();
  const { executionArn } = await ports.workflow.startExecution('release', releaseId, { releaseId });
  await ports.store.createRelease(
    {
      releaseId,
      status: 'PENDING',
      planHash: `hash-${releaseId}`,
      createdAt: now,
      updatedAt: now,
      executionArn,
      kind: 'release',
    },
    plan,
  );
  for (const region of [EAST, WEST]) {
    for (const service of Object.keys(REPLICAS)) {
      ports.cluster.addDeployment(workload(region, service), {
        replicas: REPLICAS[service]!,
        image: OLD_IMAGE(service),
      });
    }
  }
  ports.dns.setRecord({ hostedZoneId: 'Z0TEST', recordName: 'api.example.com' }, { use1: 100, usw2: 100 });
  return { ports, releaseId, plan };
}

/** A validated, locked release: RUNNING, with every service rollout PENDING. */
export async function runningWorld(change?: (plan: Json) => void): Promise<World> {
  const world = await submittedWorld(change);
  await run(world, 'validateRelease', { releaseId: world.releaseId });
  await run(world, 'acquireReleaseLock', { releaseId: world.releaseId });
  await run(world, 'watchAlarms', { releaseId: world.releaseId });
  return world;
}

/**
 * Runs a handler with only the ports it declares, as its Lambda entry does: a handler that used
 * another (a reader writing traffic) would fail here, not only in AWS, where its role lacks the grant.
 */
export async function run(world: World, handler: keyof typeof handlers, input: Json): Promise<unknown> {
  const definition = handlers[handler] as AnyHandlerDefinition;
  const declared = await buildPorts(
    definition.ports,
    Object.fromEntries(definition.ports.map((port) => [port, () => world.ports[port]])),
  );
  return invokeHandler(definition, input, declared);
}

/**
 * Moves a service rollout to a status as the release would have (arranging a test): through the
 * statuses the lifecycle allows on the way, as the store only makes allowed moves.
 */
export async function setRolloutStatus(
  world: World,
  region: string,
  service: string,
  status: ServiceRolloutStatus,
  claimedBy?: string,
): Promise<void> {
  const current = await world.ports.store.getServiceRollout(world.releaseId, region, service);
  for (const step of lifecyclePath(SERVICE_ROLLOUT_MOVES, current?.status ?? 'PENDING', status)) {
    await world.ports.store.updateServiceRollout(
      { releaseId: world.releaseId, region, service },
      { status: step, ...(step === status && claimedBy && { claimedBy }) },
      {
        releaseId: world.releaseId,
        key: `arrange/${region}/${service}/${step}/${claimedBy ?? ''}`,
        at: world.ports.clock.now().toISOString(),
        // An arrangement of the test's, not an action of Switchyard's: outside the union on purpose.
        action: 'test.arranged' as AuditAction,
        actor: 'test',
        region,
        service,
      },
    );
  }
  // As completeServiceRollout does: a completed service counts its dependents down.
  if (status === 'COMPLETED') {
    const context = await loadReleaseContext(world.ports.store, world.releaseId);
    await world.ports.store.countDownDependents(
      { releaseId: world.releaseId, region, service },
      context.dependents(region, service),
    );
  }
}

/** Moves the release to a status (arranging a test), through the statuses allowed on the way. */
export async function setReleaseStatus(world: World, status: ReleaseStatus): Promise<void> {
  const current = await world.ports.store.getRelease(world.releaseId);
  for (const step of lifecyclePath(RELEASE_MOVES, current?.status ?? 'PENDING', status)) {
    await world.ports.store.setReleaseStatus(world.releaseId, step);
  }
}

/** The shortest series of allowed moves from one status to another (the target last; none if there). */
function lifecyclePath<Status extends string>(
  moves: { readonly [To in Status]: readonly Status[] },
  from: Status,
  to: Status,
): Status[] {
  if (from === to) return [];
  const cameFrom = new Map<Status, Status>();
  const queue: Status[] = [from];
  while (queue.length > 0 && !cameFrom.has(to)) {
    const status = queue.shift() as Status;
    for (const next of Object.keys(moves) as Status[]) {
      if (moves[next].includes(status) && !cameFrom.has(next)) {
        cameFrom.set(next, status);
        queue.push(next);
      }
    }
  }
  if (!cameFrom.has(to)) throw new Error(`no allowed way from ${from} to ${to}`);
  const path: Status[] = [to];
  for (let status = cameFrom.get(to) as Status; status !== from; status = cameFrom.get(status) as Status) {
    path.unshift(status);
  }
  return path;
}

/** Everything the handlers can change: store, clusters, load balancers, DNS, executions. */
export function worldState(world: World): Json {
  return {
    store: world.ports.store.dump(),
    cluster: world.ports.cluster.dump(),
    traffic: world.ports.traffic.dump(),
    dns: world.ports.dns.dump(),
    workflow: world.ports.workflow.dump(),
  };
}

/** The actions of a release's audit, in order. */
export async function auditActions(world: World, releaseId = world.releaseId): Promise<string[]> {
  return (await world.ports.store.listAudit(releaseId)).map((entry) => entry.action);
}

/** A service rollout's key in the world's release, in us-east-1 unless `extra` says otherwise. */
export function serviceKey(world: World, service: string, extra: Json = {}): Json {
  return { releaseId: world.releaseId, region: EAST, service, ...extra };
}

/**
 * us-east-1 mid-release: db recreated on the new image and completed, auth's canary at 25 % of
 * traffic, web's canary up (replica ratio); cache never started.
 */
export async function midReleaseWorld(change?: (plan: Json) => void): Promise<World> {
  const world = await runningWorld(change);
  await run(world, 'startServiceRollout', serviceKey(world, 'db'));
  await run(world, 'recreateWorkload', serviceKey(world, 'db', { stepIndex: 0, phase: 'stop' }));
  await run(world, 'recreateWorkload', serviceKey(world, 'db', { stepIndex: 0, phase: 'start' }));
  await run(world, 'completeServiceRollout', serviceKey(world, 'db', { stepIndex: 1 }));
  for (const service of ['auth', 'web']) {
    await run(world, 'startServiceRollout', serviceKey(world, service));
    await run(world, 'prepareCanary', serviceKey(world, service, { stepIndex: 0 }));
    await run(world, 'shiftTraffic', serviceKey(world, service, { stepIndex: 0 }));
  }
  world.ports.cluster.calls.length = 0;
  world.ports.traffic.calls.length = 0;
  return world;
}
