import { describe, expect, it } from 'vitest';
import { InvalidInputError, NotFoundError } from '../../../lambdas/core/errors';
import { scoreReadiness } from '../../../lambdas/core/readiness';
import { fleetFor, workload } from './fixtures';

const NEW_AUTH = 'registry.example.com/platform/auth:2.8.0';
const PREVIOUS_AUTH = 'registry.example.com/platform/auth:previous';

describe('simulated clusters', () => {
  it('start with one stable Deployment per service on the previous image, with a template that passes the readiness gate', async () => {
    const { fleet, plan } = fleetFor({
      faults: 'fleet: { images: { api: registry.example.com:5000/edge/api:5.1.9 } }',
    });
    const auth = await fleet.cluster.readDeployment(workload(plan, 'auth'));
    expect(auth).toMatchObject({
      name: 'auth',
      namespace: 'platform',
      replicas: 4,
      images: { auth: PREVIOUS_AUTH },
    });
    expect(scoreReadiness(auth!.template, { minScore: 80, enforce: true })).toMatchObject({
      passed: true,
      score: 100,
    });
    // A registry port is not a tag; fleet.images overrides the previous image.
    const api = await fleet.cluster.readDeployment(workload(plan, 'api', 'us-west-2'));
    expect(api).toMatchObject({ replicas: 2, images: { api: 'registry.example.com:5000/edge/api:5.1.9' } });
    expect(await fleet.cluster.readDeployment(workload(plan, 'auth'), 'canary')).toBeUndefined();
    expect(await fleet.cluster.rolloutStatus(workload(plan, 'auth'))).toMatchObject({
      state: 'complete',
      message: 'deployment "auth" successfully rolled out',
      desired: 4,
      ready: 4,
    });
  });

  it('make an insecure workload fail the readiness gate', async () => {
    const { fleet, plan } = fleetFor({
      faults: 'faults: [{ type: insecureWorkload, service: auth, region: us-west-2 }]',
    });
    const west = await fleet.cluster.readDeployment(workload(plan, 'auth', 'us-west-2'));
    const east = await fleet.cluster.readDeployment(workload(plan, 'auth', 'us-east-1'));
    const report = scoreReadiness(west!.template, { minScore: 80, enforce: true });
    expect(report.passed).toBe(false);
    expect(report.score).toBeLessThan(80);
    expect(scoreReadiness(east!.template, { minScore: 80, enforce: true }).passed).toBe(true);
    // The canary copies the stable's template, so it is insecure too.
    await fleet.cluster.ensureCanary(workload(plan, 'auth', 'us-west-2'), {
      container: 'auth',
      image: NEW_AUTH,
      replicas: 1,
    });
    const canary = await fleet.cluster.readDeployment(workload(plan, 'auth', 'us-west-2'), 'canary');
    expect(scoreReadiness(canary!.template, { minScore: 80, enforce: true }).passed).toBe(false);
  });

  it('progress a rollout over virtual time, reported as kubectl reports it', async () => {
    const { fleet, clock, plan } = fleetFor();
    const auth = workload(plan, 'auth');
    await fleet.cluster.setImage(auth, 'auth', NEW_AUTH);
    expect((await fleet.cluster.readDeployment(auth))?.generation).toBe(2);

    const seen: string[] = [];
    let status = await fleet.cluster.rolloutStatus(auth);
    for (let second = 0; status.state === 'progressing' && second < 120; second += 1) {
      seen.push(status.message);
      clock.advance(1);
      status = await fleet.cluster.rolloutStatus(auth);
    }
    expect(seen[0]).toBe(
      'Waiting for deployment "auth" rollout to finish: 1 out of 4 new replicas have been updated...',
    );
    expect(seen).toContain(
      'Waiting for deployment "auth" rollout to finish: 1 old replicas are pending termination...',
    );
    expect(status).toEqual({
      state: 'complete',
      message: 'deployment "auth" successfully rolled out',
      desired: 4,
      updated: 4,
      ready: 4,
      available: 4,
    });
    // Four pods, one every 5 s, each ready 10 s after it starts: done at 25 s.
    expect(seen).toHaveLength(25);
  });

  it('fail a rollout that never becomes ready once its progress deadline passes, and only for that version', async () => {
    const { fleet, clock, plan } = fleetFor({
      faults: 'faults: [{ type: rolloutNeverReady, service: auth, region: us-east-1 }]',
    });
    const auth = workload(plan, 'auth');
    await fleet.cluster.setImage(auth, 'auth', NEW_AUTH);
    clock.advance(599);
    expect(await fleet.cluster.rolloutStatus(auth)).toMatchObject({
      state: 'progressing',
      updated: 1,
      ready: 4,
    });
    clock.advance(1);
    expect(await fleet.cluster.rolloutStatus(auth)).toMatchObject({
      state: 'failed',
      message: 'deployment "auth" exceeded its progress deadline',
    });
    // Going back to the previous image recovers: the fault is about the new version.
    await fleet.cluster.setImage(auth, 'auth', PREVIOUS_AUTH);
    clock.advance(60);
    expect(await fleet.cluster.rolloutStatus(auth)).toMatchObject({ state: 'complete', ready: 4 });
  });

  it('run the canary lifecycle: create, update, scale to zero, delete, idempotently', async () => {
    const { fleet, clock, plan } = fleetFor();
    const auth = workload(plan, 'auth');
    expect(await fleet.cluster.ensureCanary(auth, { container: 'auth', image: NEW_AUTH, replicas: 1 })).toBe(
      'auth-canary',
    );
    const canary = await fleet.cluster.readDeployment(auth, 'canary');
    expect(canary).toMatchObject({
      name: 'auth-canary',
      replicas: 1,
      images: { auth: NEW_AUTH },
      labels: { 'switchyard.dev/track': 'canary', 'app.kubernetes.io/managed-by': 'switchyard' },
    });
    expect(
      (canary!.template.metadata as { labels: Record<string, string> }).labels['switchyard.dev/track'],
    ).toBe('canary');
    expect(await fleet.cluster.rolloutStatus(auth, 'canary')).toMatchObject({
      state: 'progressing',
      ready: 0,
    });
    clock.advance(10);
    expect(await fleet.cluster.rolloutStatus(auth, 'canary')).toMatchObject({ state: 'complete', ready: 1 });

    await fleet.cluster.ensureCanary(auth, { container: 'auth', image: NEW_AUTH, replicas: 2 });
    expect(await fleet.cluster.readDeployment(auth, 'canary')).toMatchObject({ replicas: 2, generation: 2 });
    await fleet.cluster.removeCanary(auth, 'scaleToZero');
    expect(await fleet.cluster.readDeployment(auth, 'canary')).toMatchObject({ replicas: 0 });
    await fleet.cluster.removeCanary(auth, 'delete');
    expect(await fleet.cluster.readDeployment(auth, 'canary')).toBeUndefined();
    await expect(fleet.cluster.removeCanary(auth, 'delete')).resolves.toBeUndefined();
    // The stable Deployment was never touched.
    expect(await fleet.cluster.readDeployment(auth)).toMatchObject({
      generation: 1,
      images: { auth: PREVIOUS_AUTH },
    });
  });

  it('restore a snapshot: template, replicas and the canary as they were', async () => {
    const { fleet, clock, plan } = fleetFor();
    const auth = workload(plan, 'auth');
    const before = await fleet.cluster.readDeployment(auth);
    const snapshot = await fleet.cluster.snapshot(auth);
    expect(snapshot).toMatchObject({
      existed: true,
      replicas: 4,
      images: { auth: PREVIOUS_AUTH },
      canary: { existed: false },
    });

    await fleet.cluster.ensureCanary(auth, { container: 'auth', image: NEW_AUTH, replicas: 2 });
    await fleet.cluster.setImage(auth, 'auth', NEW_AUTH);
    await fleet.cluster.scale(auth, 6);
    clock.advance(120);
    await fleet.cluster.restore(snapshot);
    clock.advance(120);

    const after = await fleet.cluster.readDeployment(auth);
    expect(after?.template).toEqual(before?.template);
    expect(after).toMatchObject({ replicas: 4, images: { auth: PREVIOUS_AUTH } });
    expect(await fleet.cluster.readDeployment(auth, 'canary')).toBeUndefined();
    expect(await fleet.cluster.rolloutStatus(auth)).toMatchObject({ state: 'complete', ready: 4 });
    // Restoring again changes nothing: an identical spec is no change.
    const generation = after!.generation;
    await fleet.cluster.restore(snapshot);
    expect((await fleet.cluster.readDeployment(auth))?.generation).toBe(generation);
  });

  it('restore a canary that existed before the release at its replicas then', async () => {
    const { fleet, plan } = fleetFor();
    const auth = workload(plan, 'auth');
    await fleet.cluster.ensureCanary(auth, { container: 'auth', image: PREVIOUS_AUTH, replicas: 1 });
    await fleet.cluster.removeCanary(auth, 'scaleToZero');
    const snapshot = await fleet.cluster.snapshot(auth);
    expect(snapshot.canary).toEqual({ existed: true, replicas: 0 });
    await fleet.cluster.ensureCanary(auth, { container: 'auth', image: NEW_AUTH, replicas: 3 });
    await fleet.cluster.restore(snapshot);
    expect(await fleet.cluster.readDeployment(auth, 'canary')).toMatchObject({ replicas: 0 });
  });

  it('answer like the Kubernetes API for what does not exist or cannot be done', async () => {
    const { fleet, plan } = fleetFor();
    const auth = workload(plan, 'auth');
    const missing = { ...auth, deployment: 'ghost' };
    await expect(fleet.cluster.setImage(missing, 'ghost', 'x:1')).rejects.toThrow(NotFoundError);
    await expect(fleet.cluster.scale(missing, 2)).rejects.toThrow(NotFoundError);
    await expect(fleet.cluster.snapshot(missing)).rejects.toThrow(NotFoundError);
    await expect(fleet.cluster.rolloutStatus(auth, 'canary')).rejects.toThrow(NotFoundError);
    await expect(fleet.cluster.scale(auth, 1, 'canary')).rejects.toThrow(NotFoundError);
    await expect(fleet.cluster.readDeployment({ ...auth, cluster: 'elsewhere' })).rejects.toThrow(
      NotFoundError,
    );
    await expect(fleet.cluster.setImage(auth, 'sidecar', 'x:1')).rejects.toThrow(
      new InvalidInputError(
        'Deployment platform/auth in EKS cluster "use1" (us-east-1) has no container "sidecar" (it has: auth)',
      ),
    );
    await expect(fleet.cluster.scale(auth, -1)).rejects.toThrow(InvalidInputError);
    expect(await fleet.cluster.readDeployment(missing)).toBeUndefined();
  });
});
