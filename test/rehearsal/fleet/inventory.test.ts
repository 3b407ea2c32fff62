/**
 * The simulated fleet's inventory: the real AWS adapter (lambdas/adapters/aws/inventory.ts) over
 * the simulated EKS, ELBv2 and CloudWatch, answering in the shapes AWS answers in; and the
 * simulated EKS API itself, with EKS's error names and paging rules.
 */
import {
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
} from '@aws-sdk/client-eks';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { TransientAwsError } from '../../../lambdas/core/errors';
import { noFaults } from '../../../rehearsal/faults/schema';
import { SIMULATED_HANDLER_ROLE_ARN, SimulatedEks } from '../../../rehearsal/fleet/aws/eks';
import { SIMULATED_ACCOUNT, SimulatedLoadBalancing } from '../../../rehearsal/fleet/aws/elbv2';
import { SimulatedClusters } from '../../../rehearsal/fleet/cluster';
import { FleetContext } from '../../../rehearsal/fleet/context';
import { canaryErrorsAlarmName } from '../../../rehearsal/fleet/index';
import { expectRejection } from '../../support/rejection';
import { fleetFor, TestClock, testPlan, trafficTarget } from './fixtures';

const EDIT = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy';

describe('the simulated inventory', () => {
  it("reads each region's cluster with the handlers' access entry, scoped to the plan's namespaces", async () => {
    const { fleet } = fleetFor();
    const someoneElse = `arn:aws:iam::${SIMULATED_ACCOUNT}:role/someone-else`;
    for (const [region, cluster] of [
      ['us-east-1', 'use1'],
      ['us-west-2', 'usw2'],
    ] as const) {
      expect(
        await fleet.inventory.clusterAccess(region, cluster, [SIMULATED_HANDLER_ROLE_ARN, someoneElse]),
      ).toEqual({
        status: 'ACTIVE',
        authenticationMode: 'API_AND_CONFIG_MAP',
        entries: [
          {
            principalArn: SIMULATED_HANDLER_ROLE_ARN,
            kubernetesGroups: [],
            accessPolicies: [
              { policyArn: EDIT, scope: { type: 'namespace', namespaces: ['edge', 'jobs', 'platform'] } },
            ],
          },
        ],
      });
    }
    // A cluster by another name, or in another region of the plan, does not exist.
    expect(
      await fleet.inventory.clusterAccess('us-east-1', 'usw2', [SIMULATED_HANDLER_ROLE_ARN]),
    ).toBeUndefined();
  });

  it('has no cluster that a missingResource fault took away', async () => {
    const { fleet } = fleetFor({
      faults: 'faults: [{ type: missingResource, kind: cluster, name: usw2, region: us-west-2 }]',
    });
    expect(
      await fleet.inventory.clusterAccess('us-west-2', 'usw2', [SIMULATED_HANDLER_ROLE_ARN]),
    ).toBeUndefined();
    expect(await fleet.inventory.clusterAccess('us-east-1', 'use1', [])).toMatchObject({ status: 'ACTIVE' });
  });

  it('returns the target groups that exist among the ARNs asked, as DescribeTargetGroups describes them', async () => {
    const { fleet, plan } = fleetFor();
    const auth = await fleet.traffic.resolve(trafficTarget(plan, 'auth'));
    const api = await fleet.traffic.resolve(trafficTarget(plan, 'api'));
    const gone = auth.stableTargetGroupArn.replace('auth-stable', 'auth-gone');

    const groups = await fleet.inventory.targetGroups('us-east-1', [
      auth.stableTargetGroupArn,
      gone,
      api.canaryTargetGroupArn,
    ]);

    expect(groups).toEqual([
      {
        arn: auth.stableTargetGroupArn,
        name: 'auth-stable',
        vpcId: expect.stringMatching(/^vpc-0[0-9a-f]{16}$/),
        protocol: 'HTTP',
        port: 8080,
        targetType: 'ip',
      },
      expect.objectContaining({ arn: api.canaryTargetGroupArn, name: 'api-green' }),
    ]);
    // One region's VPC holds all of its target groups.
    expect(groups[1]?.vpcId).toBe(groups[0]?.vpcId);
    // A region's target groups are not another's.
    expect(await fleet.inventory.targetGroups('us-west-2', [auth.stableTargetGroupArn])).toEqual([]);
  });

  it('returns the names that are alarms in the region', async () => {
    const { fleet } = fleetFor();
    const canary = canaryErrorsAlarmName('auth', 'us-east-1');
    expect(await fleet.inventory.existingAlarms('us-east-1', ['no-such-alarm', canary])).toEqual([canary]);
    expect(await fleet.inventory.existingAlarms('us-west-2', [canary])).toEqual([]);
  });

  it('allows every question of its own access', async () => {
    const { fleet } = fleetFor();
    const question = { namespace: 'platform', verb: 'patch', group: 'apps', resource: 'deployments' };
    expect(await fleet.inventory.mayI({ region: 'us-east-1', cluster: 'use1' }, question)).toEqual({
      allowed: true,
    });
  });

  it('fails the EKS API of a region whose control plane is out, as a transient error', async () => {
    const { fleet, clock } = fleetFor({
      faults: 'faults: [{ type: regionOutage, region: us-west-2, at: 5m }]',
    });
    clock.advance(300);
    await expectRejection(
      fleet.inventory.clusterAccess('us-west-2', 'usw2', [SIMULATED_HANDLER_ROLE_ARN]),
      TransientAwsError,
      /ServiceUnavailableException/,
    );
    await expect(fleet.inventory.clusterAccess('us-east-1', 'use1', [])).resolves.toBeDefined();
  });
});

describe('the simulated EKS API', () => {
  const eksIn = (region = 'us-east-1') =>
    new SimulatedEks(new FleetContext(testPlan(), noFaults(), new TestClock(), 7)).client(region);

  it('describes a cluster as DescribeCluster does', async () => {
    const { cluster } = await eksIn().send(new DescribeClusterCommand({ name: 'use1' }));
    expect(cluster).toMatchObject({
      name: 'use1',
      arn: `arn:aws:eks:us-east-1:${SIMULATED_ACCOUNT}:cluster/use1`,
      status: 'ACTIVE',
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    });
  });

  it('answers ResourceNotFoundException for a cluster or an access entry that does not exist', async () => {
    const eks = eksIn();
    await expect(eks.send(new DescribeClusterCommand({ name: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'No cluster found for name: nope.',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      eks.send(
        new DescribeAccessEntryCommand({ clusterName: 'use1', principalArn: 'arn:aws:iam::1:role/x' }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(eks.send(new ListAccessEntriesCommand({ clusterName: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('describes the access entry with its ARN, and pages by maxResults and nextToken', async () => {
    const eks = eksIn();
    const { accessEntry } = await eks.send(
      new DescribeAccessEntryCommand({ clusterName: 'use1', principalArn: SIMULATED_HANDLER_ROLE_ARN }),
    );
    expect(accessEntry).toMatchObject({
      clusterName: 'use1',
      principalArn: SIMULATED_HANDLER_ROLE_ARN,
      type: 'STANDARD',
      accessEntryArn: expect.stringMatching(
        new RegExp(
          `^arn:aws:eks:us-east-1:${SIMULATED_ACCOUNT}:access-entry/use1/role/${SIMULATED_ACCOUNT}/switchyard-cluster-handlers/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
        ),
      ),
    });
    expect(await eks.send(new ListAccessEntriesCommand({ clusterName: 'use1', maxResults: 1 }))).toEqual({
      accessEntries: [SIMULATED_HANDLER_ROLE_ARN],
    });
    const policies = { clusterName: 'use1', principalArn: SIMULATED_HANDLER_ROLE_ARN };
    expect(
      await eks.send(new ListAssociatedAccessPoliciesCommand({ ...policies, maxResults: 1 })),
    ).toMatchObject({
      associatedAccessPolicies: [{ policyArn: EDIT }],
    });
    // The token is where the next page starts: past the end there is none.
    expect(
      await eks.send(new ListAssociatedAccessPoliciesCommand({ ...policies, nextToken: '1' })),
    ).toMatchObject({ associatedAccessPolicies: [] });
    for (const maxResults of [0, 101]) {
      await expect(
        eks.send(new ListAccessEntriesCommand({ clusterName: 'use1', maxResults })),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    }
  });
});

describe('the simulated DescribeTargetGroups by ARN', () => {
  it('refuses more than 20 ARNs and fails whole for one that does not exist', async () => {
    const context = new FleetContext(testPlan(), noFaults(), new TestClock(), 7);
    const elbv2 = new SimulatedLoadBalancing(context, new SimulatedClusters(context)).client('us-east-1');
    const arns = Array.from(
      { length: 21 },
      (_, index) => `arn:aws:elasticloadbalancing:us-east-1:${SIMULATED_ACCOUNT}:targetgroup/tg-${index}/0`,
    );
    await expect(
      elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: arns })),
    ).rejects.toMatchObject({
      name: 'ValidationError',
    });
    await expect(
      elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: arns.slice(0, 1) })),
    ).rejects.toMatchObject({ name: 'TargetGroupNotFoundException' });
  });
});
