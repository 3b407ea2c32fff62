import { describe, expect, it } from 'vitest';
import { AlarmNotOwnedError, NotFoundError } from '../../../lambdas/core/errors';
import { firstWholeMinute, PUBLICATION_ALLOWANCE_SECONDS } from '../../../lambdas/core/metric-window';
import type { ResolvedPlan } from '../../../lambdas/core/plan/resolve';
import type { AbortAlarmDefinition, ComparisonSample, VersionMetrics } from '../../../lambdas/ports';
import type { SimulatedFleet } from '../../../rehearsal/fleet';
import { fleetFor, type TestClock, trafficTarget, workload } from './fixtures';

const NEW_AUTH = 'registry.example.com/platform/auth:2.8.0';
const ALARM = 'auth-us-east-1-canary-errors';
const ABORT_ALARM = 'switchyard-abort-rel-1-us-east-1-auth';

type Setup = ReturnType<typeof fleetFor>;

/** Starts auth's canary in us-east-1 and, once its pods are ready, gives it `weight` percent. */
async function canaryAt({ fleet, clock, plan }: Setup, weight: number): Promise<Date> {
  await fleet.cluster.ensureCanary(workload(plan, 'auth'), {
    container: 'auth',
    image: NEW_AUTH,
    replicas: 1,
  });
  clock.advance(30);
  await fleet.traffic.setWeights(trafficTarget(plan, 'auth'), { stable: 100 - weight, canary: weight });
  return clock.now();
}

/**
 * The whole minutes from the first one at or after `from`, read through the signals adapter once
 * the simulated CloudWatch has published them all (the clock moves on to then if it must).
 */
async function samples(setup: Setup, from: Date, minutes: number): Promise<ComparisonSample[]> {
  const resolved = await setup.fleet.traffic.resolve(trafficTarget(setup.plan, 'auth'));
  const start = firstWholeMinute(from);
  const to = new Date(start.getTime() + minutes * 60_000);
  const published = to.getTime() + PUBLICATION_ALLOWANCE_SECONDS * 1000;
  setup.clock.advance(Math.max(0, published - setup.clock.now().getTime()) / 1000);
  return setup.fleet.signals.compareTargetGroups('us-east-1', resolved, {
    from: start,
    to,
    periodSeconds: 60,
  });
}

const errorRate = (metrics: VersionMetrics) => metrics.errors / metrics.requests!;
const canaryShare = (sample: ComparisonSample) =>
  sample.canary.requests! / (sample.canary.requests! + sample.stable.requests!);

describe('simulated metrics', () => {
  it('split requests by the weights in force, and find a healthy canary like stable', async () => {
    const setup = fleetFor();
    const start = await canaryAt(setup, 10);
    setup.clock.advance(600);
    const taken = await samples(setup, start, 10);
    expect(taken).toHaveLength(10);
    for (const sample of taken) {
      expect(canaryShare(sample)).toBeGreaterThan(0.085);
      expect(canaryShare(sample)).toBeLessThan(0.115);
      expect(sample.canary.requests).toBeGreaterThanOrEqual(100);
      // Healthy: within the default compare thresholds (+0.5 points, ×1.1).
      expect(errorRate(sample.canary) - errorRate(sample.stable)).toBeLessThanOrEqual(0.005);
      expect(sample.canary.p95LatencyMs! / sample.stable.p95LatencyMs!).toBeLessThanOrEqual(1.1);
      expect(sample.stable.p95LatencyMs).toBeGreaterThan(50);
      expect(sample.stable.p95LatencyMs).toBeLessThan(200);
    }
    expect(taken[0]!.at).toBe(firstWholeMinute(start).toISOString());

    // A weight change shows from the minute after it.
    await setup.fleet.traffic.setWeights(trafficTarget(setup.plan, 'auth'), { stable: 50, canary: 50 });
    const [half] = await samples(setup, setup.clock.now(), 1);
    expect(canaryShare(half!)).toBeGreaterThan(0.45);
  });

  it('give a canary at 5 % of a quiet service too few requests to judge', async () => {
    const setup = fleetFor({ faults: 'fleet: { requestsPerSecond: 20 }' });
    const start = await canaryAt(setup, 5);
    const [sample] = await samples(setup, start, 1);
    expect(sample!.canary.requests).toBeGreaterThan(0);
    expect(sample!.canary.requests).toBeLessThan(100);
  });

  it("degrade the new version from the service's second traffic step", async () => {
    const setup = fleetFor({
      faults: `
faults:
  - { type: degradedVersion, service: auth, region: us-east-1, errorRatePercent: 8, from: { step: 2 } }`,
    });
    const first = await canaryAt(setup, 5);
    for (const sample of await samples(setup, first, 5)) expect(errorRate(sample.canary)).toBeLessThan(0.01);

    await setup.fleet.traffic.setWeights(trafficTarget(setup.plan, 'auth'), { stable: 90, canary: 10 });
    const second = setup.clock.now();
    for (const sample of await samples(setup, second, 5)) {
      expect(errorRate(sample.canary)).toBeGreaterThan(0.06);
      expect(errorRate(sample.canary)).toBeLessThan(0.1);
      expect(errorRate(sample.stable)).toBeLessThan(0.01);
    }
  });

  it('slow the version down when the fault gives a latency', async () => {
    const setup = fleetFor({
      faults: 'faults: [{ type: degradedVersion, service: auth, p95LatencyMs: 900 }]',
    });
    const start = await canaryAt(setup, 10);
    const [sample] = await samples(setup, start, 1);
    expect(sample!.canary.p95LatencyMs).toBeGreaterThan(850);
    expect(sample!.stable.p95LatencyMs).toBeLessThan(200);
  });

  it('give the same figures for the same seed, and other figures for another', async () => {
    const run = async (seed: number) => {
      const setup = fleetFor({ seed });
      const start = await canaryAt(setup, 25);
      setup.clock.advance(600);
      return samples(setup, start, 10);
    };
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
  });
});

/** An abort alarm of that name on auth's canary in us-east-1, at a 5 % error rate. */
async function authAlarm(
  fleet: SimulatedFleet,
  plan: ResolvedPlan,
  name: string,
): Promise<AbortAlarmDefinition> {
  const traffic = await fleet.traffic.resolve(trafficTarget(plan, 'auth'));
  return {
    name,
    releaseId: 'rel-1',
    region: 'us-east-1',
    service: 'auth',
    traffic,
    limits: { errorRatePercent: 5 },
  };
}

describe('simulated alarms', () => {
  async function transitions(fleet: SimulatedFleet, clock: TestClock, from: Date) {
    return fleet.alarmTransitionsBetween(from, clock.now());
  }

  it("put Switchyard's abort alarm, made through the real adapter, in ALARM while its canary breaches", async () => {
    const setup = fleetFor({
      faults: `
faults:
  - { type: degradedVersion, service: auth, region: us-east-1, errorRatePercent: 8, from: { weight: 10 } }`,
    });
    const { fleet, clock, plan } = setup;
    const origin = clock.now();
    await canaryAt(setup, 5);
    const definition = await authAlarm(fleet, plan, ABORT_ALARM);
    expect(await fleet.abortAlarms.ensure(definition)).toBe('created');
    expect(await fleet.abortAlarms.ensure(definition)).toBe('exists');
    clock.advance(300);
    expect(await transitions(fleet, clock, origin)).toEqual([]);
    expect(await fleet.signals.alarmStates('us-east-1', [ABORT_ALARM])).toEqual({ [ABORT_ALARM]: 'OK' });

    const breachFrom = clock.now();
    await fleet.traffic.setWeights(trafficTarget(plan, 'auth'), { stable: 90, canary: 10 });
    clock.advance(180);
    const found = await transitions(fleet, clock, breachFrom);
    // The user's canary-errors alarm is no metric alarm here: Switchyard makes the canary's alarm.
    expect(found.map((transition) => transition.alarmName)).toEqual([ABORT_ALARM]);
    expect(found[0]).toMatchObject({ region: 'us-east-1', deliveries: 1 });
    const at = found[0]!.at.getTime();
    expect(at % 60_000).toBe(0);
    expect(at).toBeGreaterThan(breachFrom.getTime());
    expect(at).toBeLessThanOrEqual(breachFrom.getTime() + 120_000);
    expect(await fleet.signals.alarmStates('us-east-1', [ABORT_ALARM])).toEqual({ [ABORT_ALARM]: 'ALARM' });
    // Asking for an overlapping window finds the same transition, once.
    expect(fleet.alarmTransitionsBetween(origin, clock.now())).toEqual(found);
    // Metric alarms are not known in advance.
    expect(fleet.alarmEvents()).toEqual([]);

    // Rolled back: the canary serves nothing and the alarm returns to OK; then it is deleted.
    await fleet.traffic.setWeights(trafficTarget(plan, 'auth'), { stable: 100, canary: 0 });
    await fleet.cluster.removeCanary(workload(plan, 'auth'), 'delete');
    clock.advance(180);
    expect(await fleet.signals.alarmStates('us-east-1', [ABORT_ALARM])).toEqual({ [ABORT_ALARM]: 'OK' });
    expect(await transitions(fleet, clock, new Date(at))).toEqual([]);
    expect(await fleet.abortAlarms.remove('us-east-1', ABORT_ALARM)).toBe('deleted');
    expect(await fleet.abortAlarms.remove('us-east-1', ABORT_ALARM)).toBe('absent');
    await expect(fleet.signals.alarmStates('us-east-1', [ABORT_ALARM])).rejects.toThrow(NotFoundError);
    expect(fleet.alarmChanges().map(({ action, alarmName }) => `${action} ${alarmName}`)).toEqual([
      `created ${ABORT_ALARM}`,
      `deleted ${ABORT_ALARM}`,
    ]);
  });

  it('refuses to overwrite or delete an alarm of that name it did not make (no Switchyard tag)', async () => {
    const { fleet, plan } = fleetFor();
    // auth-us-east-1-canary-errors is the user's own alarm in the simulated account.
    const definition = await authAlarm(fleet, plan, ALARM);
    await expect(fleet.abortAlarms.ensure(definition)).rejects.toThrow(AlarmNotOwnedError);
    await expect(fleet.abortAlarms.remove('us-east-1', ALARM)).rejects.toThrow(
      /without the switchyard.dev\/abort-alarm tag/,
    );
    expect(await fleet.signals.alarmStates('us-east-1', [ALARM])).toEqual({ [ALARM]: 'OK' });
    expect(fleet.alarmChanges()).toEqual([]);
  });

  it('put a named alarm in ALARM at its virtual time, with its deliveries, until it clears', async () => {
    const { fleet, clock } = fleetFor({
      faults: `
faults:
  - { type: alarm, alarmName: auth-5xx, region: us-east-1, at: 5m, until: 20m, deliveries: 2 }`,
    });
    const start = clock.now();
    const events = fleet.alarmEvents();
    expect(events).toEqual([
      {
        at: new Date(start.getTime() + 300_000),
        alarmName: 'auth-5xx',
        region: 'us-east-1',
        deliveries: 2,
        reason: 'alarm fault',
      },
    ]);
    const states = () => fleet.signals.alarmStates('us-east-1', ['auth-5xx']);
    clock.advance(299);
    expect(await states()).toEqual({ 'auth-5xx': 'OK' });
    expect(fleet.alarmTransitionsBetween(start, clock.now())).toEqual([]);
    clock.advance(1);
    expect(await states()).toEqual({ 'auth-5xx': 'ALARM' });
    expect(fleet.alarmTransitionsBetween(start, clock.now())).toEqual(events);
    clock.advance(900);
    expect(await states()).toEqual({ 'auth-5xx': 'OK' });
    // DescribeAlarms leaves out alarms that do not exist (in that region): the adapter names them.
    for (const [region, names] of [
      ['us-east-1', ['auth-5xx', 'no-such-alarm']],
      ['us-west-2', ['auth-5xx']],
    ] as const) {
      const missing = fleet.signals.alarmStates(region, names);
      await expect(missing).rejects.toThrow(NotFoundError);
      await expect(missing).rejects.toThrow(`"${names.at(-1)}" not found in ${region}`);
    }
  });
});
