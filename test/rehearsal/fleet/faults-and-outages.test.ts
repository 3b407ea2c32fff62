import { describe, expect, it } from 'vitest';
import { TransientAwsError, TransientClusterError } from '../../../lambdas/core/errors';
import { fleetFor, testPlan, trafficTarget, workload } from './fixtures';

const NEW_AUTH = 'registry.example.com/platform/auth:2.8.0';
const PREVIOUS_AUTH = 'registry.example.com/platform/auth:previous';

describe('operation faults', () => {
  it('fail exactly the next N matching calls with the named AWS error, then let calls through', async () => {
    const { fleet, plan } = fleetFor({
      faults: `
faults:
  - { type: operationFailure, operation: traffic.setWeights, region: us-east-1, service: auth, times: 2, error: ThrottlingException }`,
    });
    const east = trafficTarget(plan, 'auth');
    const west = trafficTarget(plan, 'auth', 'us-west-2');
    // Other regions, services and operations do not match and consume nothing.
    await expect(fleet.traffic.setWeights(west, { stable: 90, canary: 10 })).resolves.toEqual({
      stable: 90,
      canary: 10,
    });
    await expect(fleet.traffic.getWeights(east)).resolves.toEqual({ stable: 100, canary: 0 });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error = await fleet.traffic
        .setWeights(east, { stable: 95, canary: 5 })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TransientAwsError);
      expect(error).toMatchObject({ name: 'TransientAwsError', awsErrorName: 'ThrottlingException' });
    }
    expect(await fleet.traffic.getWeights(east)).toEqual({ stable: 100, canary: 0 });
    await expect(fleet.traffic.setWeights(east, { stable: 95, canary: 5 })).resolves.toEqual({
      stable: 95,
      canary: 5,
    });
    await expect(fleet.traffic.setWeights(east, { stable: 90, canary: 10 })).resolves.toEqual({
      stable: 90,
      canary: 10,
    });
    expect(fleet.injectedFailures().map((failure) => [failure.operation, failure.error])).toEqual([
      ['traffic.setWeights', 'ThrottlingException'],
      ['traffic.setWeights', 'ThrottlingException'],
    ]);
  });

  it('fail cluster calls with a Kubernetes reason as TransientClusterError', async () => {
    const { fleet, plan } = fleetFor({
      faults: 'faults: [{ type: operationFailure, operation: cluster.setImage, error: ServiceUnavailable }]',
    });
    const auth = workload(plan, 'auth');
    await expect(fleet.cluster.setImage(auth, 'auth', NEW_AUTH)).rejects.toThrow(
      new TransientClusterError(
        'Deployment platform/auth in EKS cluster "use1" (us-east-1): the API server answered 503: ServiceUnavailable (injected)',
      ),
    );
    expect(await fleet.cluster.readDeployment(auth)).toMatchObject({ images: { auth: PREVIOUS_AUTH } });
    await fleet.cluster.setImage(auth, 'auth', NEW_AUTH);
    expect(await fleet.cluster.readDeployment(auth)).toMatchObject({ images: { auth: NEW_AUTH } });
  });

  it('time calls out as States.Timeout, with or without their effect', async () => {
    const { fleet, plan } = fleetFor({
      faults: `
faults:
  - { type: operationFailure, operation: cluster.scale, region: us-east-1, timeout: true }
  - { type: operationFailure, operation: cluster.scale, region: us-west-2, timeout: true, applied: true }`,
    });
    const east = workload(plan, 'auth');
    const west = workload(plan, 'auth', 'us-west-2');
    await expect(fleet.cluster.scale(east, 6)).rejects.toMatchObject({ name: 'States.Timeout' });
    await expect(fleet.cluster.scale(west, 6)).rejects.toMatchObject({ name: 'States.Timeout' });
    expect(await fleet.cluster.readDeployment(east)).toMatchObject({ replicas: 4 });
    expect(await fleet.cluster.readDeployment(west)).toMatchObject({ replicas: 6 });
  });

  it('count calls only from the fault time on, and surface non-transient AWS errors by name', async () => {
    const { fleet, clock } = fleetFor({
      faults: 'faults: [{ type: operationFailure, operation: dns.setWeights, error: AccessDenied, at: 5m }]',
    });
    const record = { hostedZoneId: 'ZTESTZONE', recordName: 'api.example.com' };
    await fleet.dns.setWeights(record, { usw2: 10 });
    clock.advance(300);
    const error = await fleet.dns.setWeights(record, { usw2: 20 }).catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(TransientAwsError);
    expect(error).toMatchObject({ name: 'AccessDenied' });
    expect(await fleet.dns.getWeights(record)).toEqual({ use1: 100, usw2: 10 });
  });
});

describe('region outages', () => {
  it("fail a region's cluster and load balancer calls from the outage on, and nothing else", async () => {
    const { fleet, clock, plan } = fleetFor({
      faults: 'faults: [{ type: regionOutage, region: us-west-2, at: 5m }]',
    });
    const west = workload(plan, 'auth', 'us-west-2');
    await expect(fleet.cluster.readDeployment(west)).resolves.toBeDefined();
    clock.advance(300);
    await expect(fleet.cluster.readDeployment(west)).rejects.toThrow(TransientClusterError);
    await expect(fleet.cluster.rolloutStatus(west)).rejects.toThrow(TransientClusterError);
    const error = await fleet.traffic
      .getWeights(trafficTarget(plan, 'auth', 'us-west-2'))
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(TransientAwsError);
    expect(error).toMatchObject({ awsErrorName: 'ServiceUnavailable' });
    await expect(fleet.cluster.readDeployment(workload(plan, 'auth'))).resolves.toBeDefined();
    await expect(fleet.traffic.getWeights(trafficTarget(plan, 'auth'))).resolves.toEqual({
      stable: 100,
      canary: 0,
    });
    await expect(
      fleet.dns.getWeights({ hostedZoneId: 'ZTESTZONE', recordName: 'api.example.com' }),
    ).resolves.toEqual({
      use1: 100,
      usw2: 50,
    });
    expect(fleet.describe().regions['us-west-2']?.down).toBe(true);
    expect(fleet.describe().regions['us-east-1']?.down).toBe(false);
  });

  it("put the region's alarms in ALARM at the outage, fail its requests, and mark its targets unhealthy", async () => {
    const { fleet, clock, plan } = fleetFor({
      faults: 'faults: [{ type: regionOutage, region: us-west-2, at: 5m, until: 30m, controlPlane: false }]',
    });
    const start = clock.now().getTime();
    expect(fleet.alarmEvents()).toEqual([
      expect.objectContaining({
        alarmName: 'api-us-west-2-canary-errors',
        region: 'us-west-2',
        at: new Date(start + 300_000),
      }),
      expect.objectContaining({
        alarmName: 'auth-us-west-2-canary-errors',
        region: 'us-west-2',
        at: new Date(start + 300_000),
      }),
    ]);
    clock.advance(600);
    const target = trafficTarget(plan, 'auth', 'us-west-2');
    const states = async () =>
      (await fleet.traffic.targetHealth(target)).stable.targets.map((registered) => registered.state);
    expect(await states()).toEqual(Array(4).fill('unhealthy'));
    expect((await fleet.traffic.targetHealth(target)).canary.targets).toEqual([]);
    expect(await fleet.signals.alarmStates('us-west-2', ['auth-us-west-2-canary-errors'])).toEqual({
      'auth-us-west-2-canary-errors': 'ALARM',
    });
    const resolved = await fleet.traffic.resolve(target);
    const from = new Date(start + 300_000);
    const [sample] = await fleet.signals.compareTargetGroups('us-west-2', resolved, {
      from,
      to: new Date(from.getTime() + 60_000),
      periodSeconds: 60,
    });
    expect(sample!.stable.requests).toBeGreaterThan(0);
    expect(sample!.stable.errors).toBe(sample!.stable.requests);
    // The region recovers at 30m.
    clock.advance(1500);
    expect(await states()).toEqual(Array(4).fill('healthy'));
    expect(fleet.describe().regions['us-west-2']?.down).toBe(false);
  });
});

describe('the fleet as a whole', () => {
  it('describes the final state: after a rollback every touched service is on its old image at 100 % stable', async () => {
    const { fleet, clock, plan } = fleetFor();
    const auth = workload(plan, 'auth');
    const snapshot = await fleet.cluster.snapshot(auth);
    await fleet.cluster.ensureCanary(auth, { container: 'auth', image: NEW_AUTH, replicas: 1 });
    clock.advance(30);
    await fleet.traffic.setWeights(trafficTarget(plan, 'auth'), { stable: 90, canary: 10 });
    expect(fleet.describe().regions['us-east-1']?.services.auth).toEqual({
      stable: { image: PREVIOUS_AUTH, replicas: 4, ready: 4 },
      canary: { image: NEW_AUTH, replicas: 1, ready: 1 },
      weights: { stable: 90, canary: 10 },
    });
    await fleet.traffic.setWeights(trafficTarget(plan, 'auth'), { stable: 100, canary: 0 });
    await fleet.cluster.restore(snapshot);
    const description = fleet.describe();
    expect(description.regions['us-east-1']?.services.auth).toEqual({
      stable: { image: PREVIOUS_AUTH, replicas: 4, ready: 4 },
      weights: { stable: 100, canary: 0 },
    });
    expect(description.regions['us-east-1']?.services.worker).toEqual({
      stable: { image: 'registry.example.com/jobs/worker:previous', replicas: 3, ready: 3 },
    });
    expect(description.dns).toEqual({ use1: 100, usw2: 50 });
  });

  it('stays cheap with 1,000 services in 3 regions: nothing is stepped while virtual time passes', async () => {
    // The users' own canary alarms (abortAlarm: false): the fleet evaluates them from the start.
    const analysis = '{ count: 1, checks: [{ type: compare, abortErrorRatePercent: 5, abortAlarm: false }] }';
    const services = Array.from({ length: 1000 }, (_, index) =>
      index % 2 === 0
        ? `  - { name: s${index}, image: "r/s${index}:2", replicas: 3, analysis: ${analysis}, traffic: { type: alb, loadBalancerName: lb${index % 50}, port: 443, rule: { pathPattern: "/s${index}/*" }, stableTargetGroup: s${index}-stable, canaryTargetGroup: s${index}-canary } }`
        : `  - { name: s${index}, image: "r/s${index}:2", strategy: { type: recreate } }`,
    );
    const plan = testPlan(`
metadata: { releaseId: big }
defaults:
  strategy: { type: canary, steps: [{ setWeight: 10 }, { analysis: {} }, { setWeight: 100 }] }
regions:
  - { name: us-east-1, cluster: a, wave: 1 }
  - { name: us-west-2, cluster: b, wave: 2 }
  - { name: eu-west-1, cluster: c, wave: 3 }
services:
${services.join('\n')}
`);
    const { fleet, clock } = fleetFor({
      plan,
      faults: 'faults: [{ type: degradedVersion, service: s0, errorRatePercent: 20, from: { weight: 10 } }]',
    });
    const origin = clock.now();
    // Twenty canaries in every region, given 10 % once ready; then six virtual hours polled minute by minute.
    const canaries = plan.regions.flatMap((region) =>
      Array.from({ length: 20 }, (_, index) => {
        const service = plan.services.get(`s${index * 2}`)!;
        if (service.traffic.type !== 'alb') throw new Error('expected ALB traffic');
        return {
          workload: {
            region: region.name,
            cluster: region.cluster,
            namespace: 'default',
            deployment: service.name,
          },
          traffic: { service: service.name, region: region.name, alb: service.traffic },
          image: service.image,
        };
      }),
    );
    for (const canary of canaries) {
      await fleet.cluster.ensureCanary(canary.workload, {
        container: canary.traffic.service,
        image: canary.image,
        replicas: 1,
      });
    }
    clock.advance(30);
    for (const canary of canaries) await fleet.traffic.setWeights(canary.traffic, { stable: 90, canary: 10 });
    const found = [];
    for (let minute = 0; minute < 360; minute += 1) {
      const from = clock.now();
      clock.advance(60);
      found.push(...fleet.alarmTransitionsBetween(from, clock.now()));
    }
    expect(found.map((transition) => transition.alarmName).sort()).toEqual([
      's0-eu-west-1-canary-errors',
      's0-us-east-1-canary-errors',
      's0-us-west-2-canary-errors',
    ]);
    expect(found.every((transition) => transition.at.getTime() <= origin.getTime() + 120_000)).toBe(true);
    const description = fleet.describe();
    expect(Object.keys(description.regions['eu-west-1']!.services)).toHaveLength(1000);
    expect(description.regions['eu-west-1']!.services.s38).toMatchObject({
      canary: { image: 'r/s38:2', replicas: 1, ready: 1 },
      weights: { stable: 90, canary: 10 },
    });
  });
});
