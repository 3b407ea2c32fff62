/** The inventory port's grants: each action on the resource type IAM authorizes it by. */
import { describe, expect, it } from 'vitest';
import { type HandlerResourceArns, portPolicyStatements } from '../../lib/port-permissions';

const arns: HandlerResourceArns = {
  tableArn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/switchyard',
  stateMachineArns: [],
  executionArns: [],
  eventBusArn: 'arn:aws:events:eu-west-1:111122223333:event-bus/switchyard',
  clusterArns: ['arn:aws:eks:eu-west-1:111122223333:cluster/prod-euw1'],
  accessEntryArns: ['arn:aws:eks:eu-west-1:111122223333:access-entry/prod-euw1/*'],
  listenerArns: [],
  listenerRuleArns: [],
  hostedZoneArns: [],
  route53ChangeArn: 'arn:aws:route53:::change/*',
  alarmArns: ['arn:aws:cloudwatch:eu-west-1:111122223333:alarm:*'],
  hookFunctionArns: [],
  preflightFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:switchyard-preflight',
};

describe('inventory port permissions', () => {
  it('scope cluster reads to clusters, entry reads to access entries, alarms to alarms', () => {
    const statements = portPolicyStatements('inventory', arns).map((statement) =>
      statement.toStatementJson(),
    );
    const resourcesOf = (action: string) =>
      statements.find((statement) => [statement.Action].flat().includes(action))?.Resource;
    expect(resourcesOf('eks:DescribeCluster')).toBe(arns.clusterArns[0]);
    expect(resourcesOf('eks:ListAccessEntries')).toBe(arns.clusterArns[0]);
    expect(resourcesOf('eks:DescribeAccessEntry')).toBe(arns.accessEntryArns[0]);
    expect(resourcesOf('eks:ListAssociatedAccessPolicies')).toBe(arns.accessEntryArns[0]);
    expect(resourcesOf('elasticloadbalancing:DescribeTargetGroups')).toBe('*');
    expect(resourcesOf('cloudwatch:DescribeAlarms')).toBe(arns.alarmArns[0]);
    expect(statements).toHaveLength(4);
  });
});
