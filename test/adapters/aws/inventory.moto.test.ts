/**
 * AwsInventory against moto: EKS DescribeCluster of a cluster made with CreateCluster (and of one
 * that does not exist), ELBv2 target groups made with CreateTargetGroup asked for together with an
 * ARN that names none, CloudWatch alarms made with PutMetricAlarm asked for with names of none.
 *
 * What moto does not emulate, left to inventory.test.ts (aws-sdk-client-mock): EKS access entries
 * and access policies (moto 5.2 has no CreateAccessEntry, ListAccessEntries, DescribeAccessEntry,
 * AssociateAccessPolicy or ListAssociatedAccessPolicies, nor accessConfig in DescribeCluster's
 * answer: its clusters report no authentication mode), paging of those, and DescribeTargetGroups'
 * limit of 20 ARNs a call (moto takes any number).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import {
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsInventory } from '../../../lambdas/adapters/aws/inventory';
import {
  createMotoAlarm,
  createMotoVpc,
  MOTO_ACCOUNT_ID,
  MOTO_REGION,
  motoClient,
  uniqueName,
} from '../../support/moto';

let eks: EKSClient;
let elbv2: ElasticLoadBalancingV2Client;
let cloudWatch: CloudWatchClient;
let inventory: AwsInventory;

beforeAll(() => {
  eks = motoClient(EKSClient);
  elbv2 = motoClient(ElasticLoadBalancingV2Client);
  cloudWatch = motoClient(CloudWatchClient);
  inventory = new AwsInventory({
    clusterRoleArns: [],
    eks: () => eks,
    elbv2: () => elbv2,
    cloudWatch: () => cloudWatch,
    mayI: async () => {
      throw new Error('no Kubernetes API in these tests');
    },
  });
});
afterAll(() => {
  eks?.destroy();
  elbv2?.destroy();
  cloudWatch?.destroy();
});

describe('clusterAccess', () => {
  it('is undefined for a cluster that does not exist', async () => {
    expect(
      await inventory.clusterAccess(MOTO_REGION, uniqueName('absent'), [
        `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/switchyard-cluster-handlers`,
      ]),
    ).toBeUndefined();
  });

  it("reads an existing cluster's status", async () => {
    const name = uniqueName('prod-use1');
    await eks.send(
      new CreateClusterCommand({
        name,
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/eks-cluster`,
        resourcesVpcConfig: { subnetIds: [] },
      }),
    );
    // No principals asked: moto could not answer ListAccessEntries.
    expect(await inventory.clusterAccess(MOTO_REGION, name, [])).toEqual({ status: 'ACTIVE', entries: [] });
  });
});

describe('targetGroups', () => {
  it('returns the target groups that exist among the ARNs asked', async () => {
    const { vpcId } = await createMotoVpc();
    const create = async (prefix: string, port: number) => {
      const { TargetGroups } = await elbv2.send(
        new CreateTargetGroupCommand({
          Name: uniqueName(prefix),
          Protocol: 'HTTP',
          Port: port,
          VpcId: vpcId,
          TargetType: 'ip',
        }),
      );
      return TargetGroups![0]!;
    };
    const stable = await create('shop-stable', 8080);
    const canary = await create('shop-canary', 8081);
    const missing = `arn:aws:elasticloadbalancing:${MOTO_REGION}:${MOTO_ACCOUNT_ID}:targetgroup/${uniqueName('gone')}/0123456789abcdef`;

    const groups = await inventory.targetGroups(MOTO_REGION, [
      canary.TargetGroupArn!,
      missing,
      stable.TargetGroupArn!,
    ]);

    expect(groups).toEqual([
      {
        arn: canary.TargetGroupArn,
        name: canary.TargetGroupName,
        vpcId,
        protocol: 'HTTP',
        port: 8081,
        targetType: 'ip',
      },
      {
        arn: stable.TargetGroupArn,
        name: stable.TargetGroupName,
        vpcId,
        protocol: 'HTTP',
        port: 8080,
        targetType: 'ip',
      },
    ]);
    expect(await inventory.targetGroups(MOTO_REGION, [missing])).toEqual([]);
  });
});

describe('existingAlarms', () => {
  it('returns the names that are alarms and leaves out the others', async () => {
    const present = uniqueName('checkout-5xx');
    await createMotoAlarm(cloudWatch, present);
    const absent = uniqueName('never-made');

    expect(await inventory.existingAlarms(MOTO_REGION, [absent, present])).toEqual([present]);
    expect(await inventory.existingAlarms(MOTO_REGION, [absent])).toEqual([]);
  });
});
