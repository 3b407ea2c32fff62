import { describe, expect, it } from 'vitest';
import { aboutPlanField, NotFoundError, TransientAwsError } from '../../lambdas/core/errors';
import { RELEASE_LOCK_SCOPE } from '../../lambdas/core/naming';
import { checkPlan } from '../../lambdas/core/plan/check';
import { resolvePlan } from '../../lambdas/core/plan/resolve';
import type { AlbTrafficPlan } from '../../lambdas/core/plan/schema';
import type { PreflightReport } from '../../lambdas/core/preflight';
import { runPreflight } from '../../lambdas/handlers/preflight';
import { auditActions, EAST, run, runningWorld, WEST, type World, workload } from './world';

/** The test plan as the checks read it: defaults applied. */
const resolved = (world: World) => {
  const checked = checkPlan(world.plan);
  if (!checked.ok) throw new Error('the test plan is invalid');
  return resolvePlan(checked.plan);
};
const preflight = (world: World) => runPreflight(resolved(world), world.ports);
const cluster = (world: World, index: number) => resolved(world).regions[index]!.cluster;
const authTraffic = (world: World) => resolved(world).services.get('auth')!.traffic as AlbTrafficPlan;
type Editable = { services: Array<Record<string, { checks?: unknown[] } | string>> };
const paths = (report: PreflightReport) =>
  report.problems.map((problem) => `${problem.region}: ${problem.path}`);

describe('preflight of the test plan', () => {
  it('passes when everything it names is there', async () => {
    const world = await runningWorld();
    const report = await preflight(world);
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.checks).toBeGreaterThan(10);
  });

  it('names a missing cluster at its region, and checks nothing else there', async () => {
    const world = await runningWorld();
    world.ports.inventory.missingClusters.add(`${WEST}/${cluster(world, 1)}`);
    const report = await preflight(world);
    expect(report.problems).toEqual([
      expect.objectContaining({
        path: 'regions[1].cluster',
        region: WEST,
        message: expect.stringContaining('does not exist'),
      }),
    ]);
  });

  it('names a role without an access entry, and one whose policy misses a namespace', async () => {
    const world = await runningWorld();
    const [role] = world.ports.inventory.roleArns;
    world.ports.inventory.clustersWithoutEntries.add(`${EAST}/${cluster(world, 0)}`);
    const missing = await preflight(world);
    expect(missing.problems[0]?.message).toContain(`${role} has no access entry`);

    const scoped = await runningWorld();
    scoped.ports.inventory.clusterAccess = async (_region, _cluster, roles) => ({
      status: 'ACTIVE',
      authenticationMode: 'API',
      entries: roles.map((principalArn) => ({
        principalArn,
        kubernetesGroups: [],
        accessPolicies: [
          {
            policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy',
            scope: { type: 'namespace', namespaces: ['data', 'plat*'] },
          },
          {
            policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
            scope: { type: 'cluster' },
          },
        ],
      })),
    });
    const report = await preflight(scoped);
    expect(paths(report)).toEqual([`${EAST}: regions[0].cluster`, `${WEST}: regions[1].cluster`]);
    expect(report.problems[0]?.message).toMatch(/change Deployments in namespace edge \(/);
  });

  it("asks the API server only about preflight's own identity", async () => {
    const world = await runningWorld();
    world.ports.inventory.deniedQuestions.push({
      namespace: 'edge',
      verb: 'get',
      group: 'apps',
      resource: 'deployments',
    });
    const report = await preflight(world);
    expect(paths(report)).toEqual([`${EAST}: regions[0].cluster`, `${WEST}: regions[1].cluster`]);
    expect(report.problems[0]?.message).toContain('does not let preflight get deployments');
  });

  it('names a missing Deployment and a missing container at the service', async () => {
    const world = await runningWorld((plan) => {
      (plan as Editable).services[3]!.container = 'server';
    });
    world.ports.cluster.removeDeployment(workload(WEST, 'db'));
    const report = await preflight(world);
    expect(paths(report)).toEqual([
      `${WEST}: services[0].name`,
      `${EAST}: services[3].container`,
      `${WEST}: services[3].container`,
    ]);
    expect(report.problems.find((problem) => problem.path === 'services[3].container')?.message).toContain(
      'has no container "server" (containers: web)',
    );
  });

  it('names the plan field of a missing target group, and the group', async () => {
    const world = await runningWorld();
    const missing = new NotFoundError(`target group "auth-canary" not found in ${WEST}`);
    world.ports.traffic.resolveErrors.set(
      `${WEST}/auth`,
      await aboutPlanField('canaryTargetGroup', Promise.reject(missing)).catch((error) => error),
    );
    const report = await preflight(world);
    expect(report.problems).toEqual([
      {
        path: 'services[2].traffic.canaryTargetGroup',
        region: WEST,
        resource: 'target group "auth-canary" (us-west-2)',
        message: 'target group "auth-canary" not found in us-west-2',
      },
    ]);
  });

  it('refuses target groups that cannot share a forward, targets in both, and a rule with no stable traffic', async () => {
    const world = await runningWorld();
    const resolved = await world.ports.traffic.resolve({
      service: 'auth',
      region: EAST,
      alb: authTraffic(world),
    });
    world.ports.inventory.targetGroupsByArn.set(resolved.canaryTargetGroupArn, {
      arn: resolved.canaryTargetGroupArn,
      name: 'auth-canary',
      vpcId: 'vpc-2',
      protocol: 'HTTP',
      port: 8443,
      targetType: 'ip',
    });
    world.ports.traffic.scriptHealth('auth', EAST, {
      stable: { name: 'auth-stable', targets: [{ id: '10.0.0.1', port: 8080, state: 'healthy' }] },
      canary: { name: 'auth-canary', targets: [{ id: '10.0.0.1', port: 8080, state: 'healthy' }] },
    });
    await world.ports.traffic.setWeights(
      { service: 'auth', region: EAST, alb: authTraffic(world) },
      { stable: 0, canary: 100 },
    );
    const report = await preflight(world);
    const messages = report.problems
      .filter((problem) => problem.region === EAST)
      .map((problem) => problem.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/VPC vpc-2 \(stable "auth-stable" has vpc-1\), port 8443/),
        expect.stringContaining('10.0.0.1:8080 are registered in both auth-stable and auth-canary'),
        expect.stringContaining('sends no traffic to the stable target group'),
      ]),
    );
  });

  it('names a missing alarm where the plan lists it, and a missing DNS set identifier', async () => {
    const world = await runningWorld((plan) => {
      ((plan as Editable).services[3]!.analysis as { checks: unknown[] }).checks.push({
        type: 'cloudwatchAlarms',
        alarmNames: ['web-5xx', 'web-latency'],
      });
    });
    world.ports.inventory.missingAlarms.add('web-latency');
    world.ports.dns.setRecord({ hostedZoneId: 'Z0TEST', recordName: 'api.example.com' }, { use1: 100 });
    const report = await preflight(world);
    expect(paths(report)).toEqual([
      `${WEST}: regions[1].dns.setIdentifier`,
      `${EAST}: services[3].analysis.checks[1].alarmNames[1]`,
      `${WEST}: services[3].analysis.checks[1].alarmNames[1]`,
    ]);
  });

  it("refuses what the stack's IAM does not let Switchyard change, naming the setting, and reads no zone outside it", async () => {
    const world = await runningWorld();
    world.ports.inventory.grantsConfigured = { loadBalancerNames: ['public'], hostedZoneIds: ['Z0OTHER'] };
    let zoneReads = 0;
    const getWeights = world.ports.dns.getWeights.bind(world.ports.dns);
    world.ports.dns.getWeights = async (record) => {
      zoneReads += 1;
      return getWeights(record);
    };
    const report = await preflight(world);
    expect(report.problems.map((problem) => [problem.path, problem.message])).toEqual([
      [
        'dns.hostedZoneId',
        expect.stringMatching(
          /hosted zone Z0TEST: it is not among the stack's hostedZoneIds \(Z0OTHER\).*switchyard:hostedZoneIds/,
        ),
      ],
      [
        'services[2].traffic.loadBalancerName',
        expect.stringMatching(
          /load balancer "internal": it is not among the stack's loadBalancerNames \(public\).*switchyard:loadBalancerNames/,
        ),
      ],
    ]);
    expect(zoneReads).toBe(0);

    world.ports.inventory.grantsConfigured = {
      loadBalancerNames: ['internal'],
      hostedZoneIds: ['Z0TEST'],
      dnsRecordNames: ['www.example.com'],
    };
    expect(paths(await preflight(world))).toEqual(['undefined: dns.recordName']);

    // Record names compare as Route 53 compares them: any case, with or without the final dot.
    world.ports.inventory.grantsConfigured = {
      hostedZoneIds: ['Z0TEST'],
      dnsRecordNames: ['API.example.com.'],
    };
    expect(await preflight(world)).toMatchObject({ ok: true });
  });

  it('lets a transient error through, to be retried, instead of calling it a problem', async () => {
    const world = await runningWorld();
    world.ports.traffic.resolveErrors.set(
      `${EAST}/auth`,
      new TransientAwsError('Rate exceeded', 'Throttling'),
    );
    await expect(preflight(world)).rejects.toThrow(TransientAwsError);
  });
});

describe('preflightRelease and refuseAfterPreflight', () => {
  it('record the finding, mark the release REFUSED and let its lock go', async () => {
    const world = await runningWorld();
    world.ports.inventory.missingAlarms.add('nothing');
    world.ports.dns.setRecord({ hostedZoneId: 'Z0TEST', recordName: 'api.example.com' }, { use1: 100 });
    const report = (await run(world, 'preflightRelease', { releaseId: world.releaseId })) as PreflightReport;
    expect(report.ok).toBe(false);
    const answer = await run(world, 'refuseAfterPreflight', {
      releaseId: world.releaseId,
      preflight: report,
    });
    expect(answer).toMatchObject({ status: 'REFUSED', error: 'PreflightRefused' });
    const release = await world.ports.store.getRelease(world.releaseId);
    expect(release?.status).toBe('REFUSED');
    expect(release?.reason).toMatch(
      /^refused by preflight: nothing changed; 1 problem \(first: regions\[1\]\.dns\.setIdentifier/,
    );
    expect(await world.ports.store.getLock(RELEASE_LOCK_SCOPE)).toBeUndefined();
    expect(await auditActions(world)).toContain('preflight.refused');
    // Nothing was changed: no Deployment call, no weight set.
    expect(world.ports.cluster.calls).toEqual([]);
    expect(world.ports.traffic.calls).toEqual([]);
  });
});
