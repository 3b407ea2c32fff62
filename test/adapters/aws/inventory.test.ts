/**
 * AwsInventory against SDK clients under aws-sdk-client-mock: what moto does not emulate (EKS
 * access entries and their policies, a cluster's authentication mode, paging with nextToken,
 * DescribeTargetGroups' 20-ARN limit), and the rules the adapter adds (role paths, CONFIG_MAP).
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  type AuthenticationMode,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  EKSClient,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eks';
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsInventory, withoutIamPath } from '../../../lambdas/adapters/aws/inventory';
import { TransientAwsError } from '../../../lambdas/core/errors';
import type { AccessQuestion } from '../../../lambdas/ports';
import { expectRejection } from '../../support/rejection';

const eks = mockClient(EKSClient);
const elbv2 = mockClient(ElasticLoadBalancingV2Client);
const cloudWatch = mockClient(CloudWatchClient);
const asked: Array<{ location: { region: string; cluster: string }; question: AccessQuestion }> = [];
const inventory = new AwsInventory({
  clusterRoleArns: [],
  eks: (region) => new EKSClient({ region }),
  elbv2: (region) => new ElasticLoadBalancingV2Client({ region }),
  cloudWatch: (region) => new CloudWatchClient({ region }),
  mayI: async (location, question) => {
    asked.push({ location, question });
    return { allowed: false, reason: 'no RBAC rule allows it' };
  },
});

const ACCOUNT = '111122223333';
const HANDLERS = `arn:aws:iam::${ACCOUNT}:role/switchyard-cluster-handlers`;
const TRAFFIC = `arn:aws:iam::${ACCOUNT}:role/switchyard-traffic`;
const EDIT = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy';
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';

beforeEach(() => {
  eks.reset();
  elbv2.reset();
  cloudWatch.reset();
  asked.length = 0;
});

function notFound(message: string): ResourceNotFoundException {
  return new ResourceNotFoundException({ message, $metadata: { httpStatusCode: 404 } });
}

function activeCluster(authenticationMode: AuthenticationMode = 'API_AND_CONFIG_MAP') {
  eks.on(DescribeClusterCommand).resolves({
    cluster: { name: 'prod-euw1', status: 'ACTIVE', accessConfig: { authenticationMode } },
  });
}

describe('clusterAccess', () => {
  it('is undefined for a cluster that does not exist', async () => {
    eks.on(DescribeClusterCommand).rejects(notFound('No cluster found for name: prod-euw1.'));
    expect(await inventory.clusterAccess('eu-west-1', 'prod-euw1', [HANDLERS])).toBeUndefined();
    expect(eks.commandCalls(ListAccessEntriesCommand)).toHaveLength(0);
  });

  it('asks nothing about access entries of a CONFIG_MAP cluster: it has none', async () => {
    activeCluster('CONFIG_MAP');
    expect(await inventory.clusterAccess('eu-west-1', 'prod-euw1', [HANDLERS])).toEqual({
      status: 'ACTIVE',
      authenticationMode: 'CONFIG_MAP',
      entries: [],
    });
    expect(eks.commandCalls(ListAccessEntriesCommand)).toHaveLength(0);
  });

  it('lists no access entries when no principal is asked about', async () => {
    activeCluster('API');
    expect(await inventory.clusterAccess('eu-west-1', 'prod-euw1', [])).toEqual({
      status: 'ACTIVE',
      authenticationMode: 'API',
      entries: [],
    });
    expect(eks.commandCalls(ListAccessEntriesCommand)).toHaveLength(0);
  });

  it('pages through the access entries and each asked entry’s policies, with their scopes', async () => {
    activeCluster();
    // The traffic role's entry was created with its path; the caller knows the role without it.
    const trafficWithPath = `arn:aws:iam::${ACCOUNT}:role/platform/deploy/switchyard-traffic`;
    eks
      .on(ListAccessEntriesCommand)
      .resolvesOnce({
        accessEntries: [`arn:aws:iam::${ACCOUNT}:role/eks-node`, `arn:aws:iam::${ACCOUNT}:user/alice`],
        nextToken: 'page-2',
      })
      .resolvesOnce({ accessEntries: [trafficWithPath], nextToken: 'page-3' })
      .resolvesOnce({ accessEntries: [HANDLERS] });
    eks.on(DescribeAccessEntryCommand).callsFake((input: { principalArn: string }) => ({
      accessEntry: {
        clusterName: 'prod-euw1',
        principalArn: input.principalArn,
        kubernetesGroups: input.principalArn === HANDLERS ? ['switchyard-deployers'] : [],
        type: 'STANDARD',
      },
    }));
    eks
      .on(ListAssociatedAccessPoliciesCommand, { principalArn: HANDLERS })
      .resolvesOnce({
        associatedAccessPolicies: [
          { policyArn: EDIT, accessScope: { type: 'namespace', namespaces: ['shop', 'payments'] } },
        ],
        nextToken: 'policies-2',
      })
      .resolvesOnce({ associatedAccessPolicies: [{ policyArn: VIEW, accessScope: { type: 'cluster' } }] });
    eks.on(ListAssociatedAccessPoliciesCommand, { principalArn: trafficWithPath }).resolves({
      associatedAccessPolicies: [
        { policyArn: EDIT, accessScope: { type: 'namespace', namespaces: ['edge'] } },
      ],
    });
    const absent = `arn:aws:iam::${ACCOUNT}:role/someone-else`;

    const view = await inventory.clusterAccess('eu-west-1', 'prod-euw1', [
      HANDLERS,
      TRAFFIC,
      absent,
      HANDLERS,
    ]);

    expect(view).toEqual({
      status: 'ACTIVE',
      authenticationMode: 'API_AND_CONFIG_MAP',
      entries: [
        {
          principalArn: HANDLERS,
          kubernetesGroups: ['switchyard-deployers'],
          accessPolicies: [
            { policyArn: EDIT, scope: { type: 'namespace', namespaces: ['shop', 'payments'] } },
            { policyArn: VIEW, scope: { type: 'cluster' } },
          ],
        },
        {
          principalArn: TRAFFIC,
          kubernetesGroups: [],
          accessPolicies: [{ policyArn: EDIT, scope: { type: 'namespace', namespaces: ['edge'] } }],
        },
      ],
    });
    const listed = eks.commandCalls(ListAccessEntriesCommand).map((call) => call.args[0].input);
    expect(listed).toEqual([
      { clusterName: 'prod-euw1', maxResults: 100, nextToken: undefined },
      { clusterName: 'prod-euw1', maxResults: 100, nextToken: 'page-2' },
      { clusterName: 'prod-euw1', maxResults: 100, nextToken: 'page-3' },
    ]);
    // The entry is read under the ARN EKS holds it by, path included.
    const described = eks.commandCalls(DescribeAccessEntryCommand).map((call) => call.args[0].input);
    expect(described.map((input) => input.principalArn).sort()).toEqual([HANDLERS, trafficWithPath].sort());
    const policyCalls = eks
      .commandCalls(ListAssociatedAccessPoliciesCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.principalArn === HANDLERS);
    expect(policyCalls.map((input) => [input.maxResults, input.nextToken])).toEqual([
      [100, undefined],
      [100, 'policies-2'],
    ]);
  });

  it('finds an entry created without the path of the role asked about', async () => {
    activeCluster('API');
    eks.on(ListAccessEntriesCommand).resolves({ accessEntries: [TRAFFIC] });
    eks.on(DescribeAccessEntryCommand).resolves({ accessEntry: { principalArn: TRAFFIC } });
    eks.on(ListAssociatedAccessPoliciesCommand).resolves({ associatedAccessPolicies: [] });
    const withPath = `arn:aws:iam::${ACCOUNT}:role/platform/switchyard-traffic`;

    const view = await inventory.clusterAccess('eu-west-1', 'prod-euw1', [withPath]);

    expect(view?.entries).toEqual([{ principalArn: withPath, kubernetesGroups: [], accessPolicies: [] }]);
    expect(eks.commandCalls(DescribeAccessEntryCommand)[0]?.args[0].input.principalArn).toBe(TRAFFIC);
  });

  it('leaves out an entry deleted between listing and reading it', async () => {
    activeCluster();
    eks.on(ListAccessEntriesCommand).resolves({ accessEntries: [HANDLERS] });
    eks.on(DescribeAccessEntryCommand).rejects(notFound('The specified principalArn could not be found.'));
    eks.on(ListAssociatedAccessPoliciesCommand).resolves({ associatedAccessPolicies: [] });

    expect((await inventory.clusterAccess('eu-west-1', 'prod-euw1', [HANDLERS]))?.entries).toEqual([]);
  });

  it('reads a scope of no known type as granting no namespace', async () => {
    activeCluster();
    eks.on(ListAccessEntriesCommand).resolves({ accessEntries: [HANDLERS] });
    eks.on(DescribeAccessEntryCommand).resolves({ accessEntry: { principalArn: HANDLERS } });
    eks.on(ListAssociatedAccessPoliciesCommand).resolves({ associatedAccessPolicies: [{ policyArn: EDIT }] });

    const view = await inventory.clusterAccess('eu-west-1', 'prod-euw1', [HANDLERS]);

    expect(view?.entries[0]?.accessPolicies).toEqual([
      { policyArn: EDIT, scope: { type: 'namespace', namespaces: [] } },
    ]);
  });

  it('turns throttling into TransientAwsError', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 429 },
    });
    eks.on(DescribeClusterCommand).rejects(throttled);
    await expectRejection(
      inventory.clusterAccess('eu-west-1', 'prod-euw1', [HANDLERS]),
      TransientAwsError,
      /ThrottlingException/,
    );
  });
});

describe('withoutIamPath', () => {
  it('drops the path of role and user ARNs and keeps every other ARN', () => {
    expect(withoutIamPath('arn:aws:iam::111122223333:role/a/b/deployer')).toBe(
      'arn:aws:iam::111122223333:role/deployer',
    );
    expect(withoutIamPath('arn:aws-cn:iam::111122223333:user/ops/alice')).toBe(
      'arn:aws-cn:iam::111122223333:user/alice',
    );
    expect(withoutIamPath(HANDLERS)).toBe(HANDLERS);
    const session = 'arn:aws:sts::111122223333:assumed-role/deployer/session';
    expect(withoutIamPath(session)).toBe(session);
  });
});

describe('targetGroups', () => {
  const arnOf = (name: string) =>
    `arn:aws:elasticloadbalancing:eu-west-1:${ACCOUNT}:targetgroup/${name}/0123456789abcdef`;
  const groupOf = (arn: string) => ({
    TargetGroupArn: arn,
    TargetGroupName: arn.split('/')[1],
    VpcId: 'vpc-0abc',
    Protocol: 'HTTP' as const,
    Port: 8080,
    TargetType: 'ip' as const,
  });

  it('asks 20 ARNs at a time and answers in the order asked', async () => {
    const arns = Array.from({ length: 45 }, (_, index) => arnOf(`tg-${index}`));
    elbv2.on(DescribeTargetGroupsCommand).callsFake((input: { TargetGroupArns: string[] }) => ({
      TargetGroups: [...input.TargetGroupArns].reverse().map(groupOf),
    }));

    const groups = await inventory.targetGroups('eu-west-1', [...arns, arns[0]!]);

    const calls = elbv2.commandCalls(DescribeTargetGroupsCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.TargetGroupArns?.length)).toEqual([20, 20, 5]);
    expect(groups.map((group) => group.arn)).toEqual(arns);
    expect(groups[0]).toEqual({
      arn: arns[0],
      name: 'tg-0',
      vpcId: 'vpc-0abc',
      protocol: 'HTTP',
      port: 8080,
      targetType: 'ip',
    });
  });

  it('asks for each ARN alone when one of them does not exist, and returns those that do', async () => {
    const [a, missing, b] = [arnOf('a'), arnOf('missing'), arnOf('b')];
    const groupNotFound = () =>
      new TargetGroupNotFoundException({
        message: 'One or more target groups not found',
        $metadata: { httpStatusCode: 400 },
      });
    elbv2.on(DescribeTargetGroupsCommand).callsFake((input: { TargetGroupArns: string[] }) => {
      if (input.TargetGroupArns.includes(missing)) throw groupNotFound();
      return { TargetGroups: input.TargetGroupArns.map(groupOf) };
    });

    const groups = await inventory.targetGroups('eu-west-1', [a, missing, b]);

    expect(groups.map((group) => group.name)).toEqual(['a', 'b']);
    const calls = elbv2.commandCalls(DescribeTargetGroupsCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.TargetGroupArns)).toEqual([[a, missing, b], [a], [missing], [b]]);
  });

  it('follows NextMarker', async () => {
    const [a, b] = [arnOf('a'), arnOf('b')];
    elbv2
      .on(DescribeTargetGroupsCommand)
      .resolvesOnce({ TargetGroups: [groupOf(a)], NextMarker: 'm1' })
      .resolvesOnce({ TargetGroups: [groupOf(b)] });

    expect((await inventory.targetGroups('eu-west-1', [a, b])).map((group) => group.name)).toEqual([
      'a',
      'b',
    ]);
    const markers = elbv2.commandCalls(DescribeTargetGroupsCommand).map((call) => call.args[0].input.Marker);
    expect(markers).toEqual([undefined, 'm1']);
  });

  it('asks nothing for no ARNs', async () => {
    expect(await inventory.targetGroups('eu-west-1', [])).toEqual([]);
    expect(elbv2.commandCalls(DescribeTargetGroupsCommand)).toHaveLength(0);
  });
});

describe('existingAlarms', () => {
  it('returns the names that are alarms, metric or composite, in the order asked', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'checkout-5xx', StateValue: 'OK' }],
      CompositeAlarms: [{ AlarmName: 'checkout-health', StateValue: 'ALARM' }],
    });

    expect(
      await inventory.existingAlarms('eu-west-1', ['checkout-health', 'gone', 'checkout-5xx', 'gone']),
    ).toEqual(['checkout-health', 'checkout-5xx']);
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input).toMatchObject({
      AlarmNames: ['checkout-health', 'gone', 'checkout-5xx'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
  });
});

describe('mayI', () => {
  it('is the injected access review', async () => {
    const question = { namespace: 'shop', verb: 'patch', group: 'apps', resource: 'deployments' };
    expect(await inventory.mayI({ region: 'eu-west-1', cluster: 'prod-euw1' }, question)).toEqual({
      allowed: false,
      reason: 'no RBAC rule allows it',
    });
    expect(asked).toEqual([{ location: { region: 'eu-west-1', cluster: 'prod-euw1' }, question }]);
  });
});
