/** Port grants: each action on the resource type IAM authorizes it by, reads apart from writes. */
import { describe, expect, it } from 'vitest';
import {
  type HandlerResourceArns,
  MANAGED_TAG_CONDITION,
  portPolicyStatements,
  recordChangeConditions,
} from '../../lib/port-permissions';

const LISTENER = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/shop/*';
const RULE = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener-rule/app/shop/*';
const ZONE = 'arn:aws:route53:::hostedzone/Z0123456789';
const ABORT_ALARMS = 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:switchyard-abort-*';

const arns: HandlerResourceArns = {
  tableArn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/switchyard',
  stateMachineArns: [],
  executionArns: [],
  eventBusArn: 'arn:aws:events:eu-west-1:111122223333:event-bus/switchyard',
  clusterArns: ['arn:aws:eks:eu-west-1:111122223333:cluster/prod-euw1'],
  accessEntryArns: ['arn:aws:eks:eu-west-1:111122223333:access-entry/prod-euw1/*'],
  listenerArns: [LISTENER],
  listenerRuleArns: [RULE],
  hostedZoneArns: [ZONE],
  recordChangeConditions: recordChangeConditions(['api.example.com']),
  route53ChangeArn: 'arn:aws:route53:::change/*',
  alarmArns: ['arn:aws:cloudwatch:eu-west-1:111122223333:alarm:*'],
  abortAlarmArns: [ABORT_ALARMS],
  hookFunctionArns: [],
  preflightFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:switchyard-preflight',
};

type StatementJson = { Action: string | string[]; Resource: string | string[]; Condition?: unknown };

function statementsOf(port: Parameters<typeof portPolicyStatements>[0], given = arns): StatementJson[] {
  return portPolicyStatements(port, given).map((statement) => statement.toStatementJson() as StatementJson);
}
const statementOf = (statements: StatementJson[], action: string) =>
  statements.find((statement) => [statement.Action].flat().includes(action));
const actionsIn = (statements: StatementJson[]) =>
  statements.flatMap((statement) => [statement.Action].flat());

describe('inventory port permissions', () => {
  it('scope cluster reads to clusters, entry reads to access entries, alarms to alarms', () => {
    const statements = statementsOf('inventory');
    const resourcesOf = (action: string) => statementOf(statements, action)?.Resource;
    expect(resourcesOf('eks:DescribeCluster')).toBe(arns.clusterArns[0]);
    expect(resourcesOf('eks:ListAccessEntries')).toBe(arns.clusterArns[0]);
    expect(resourcesOf('eks:DescribeAccessEntry')).toBe(arns.accessEntryArns[0]);
    expect(resourcesOf('eks:ListAssociatedAccessPolicies')).toBe(arns.accessEntryArns[0]);
    expect(resourcesOf('elasticloadbalancing:DescribeTargetGroups')).toBe('*');
    expect(resourcesOf('cloudwatch:DescribeAlarms')).toBe(arns.alarmArns[0]);
    expect(statements).toHaveLength(4);
  });
});

describe('traffic port permissions', () => {
  it('give the reader Describe* and cluster discovery, and nothing that modifies', () => {
    const actions = actionsIn(statementsOf('trafficReader'));
    expect(actions.filter((action) => action.startsWith('elasticloadbalancing:')).sort()).toEqual([
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeLoadBalancers',
      'elasticloadbalancing:DescribeRules',
      'elasticloadbalancing:DescribeTags',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth',
    ]);
    expect(actions).toContain('eks:DescribeCluster');
  });

  it('give the writer the same reads, and ModifyListener and ModifyRule on the listeners and rules given', () => {
    const statements = statementsOf('traffic');
    expect(actionsIn(statements)).toEqual(expect.arrayContaining(actionsIn(statementsOf('trafficReader'))));
    expect(statementOf(statements, 'elasticloadbalancing:ModifyListener')).toEqual({
      Action: 'elasticloadbalancing:ModifyListener',
      Effect: 'Allow',
      Resource: LISTENER,
    });
    expect(statementOf(statements, 'elasticloadbalancing:ModifyRule')).toEqual({
      Action: 'elasticloadbalancing:ModifyRule',
      Effect: 'Allow',
      Resource: RULE,
    });
  });

  it('put the tag condition on both modifications when listeners are not named by load balancer', () => {
    const statements = statementsOf('traffic', {
      ...arns,
      listenerArns: ['arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/*'],
      listenerRuleArns: ['arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener-rule/app/*'],
      listenerChangeConditions: MANAGED_TAG_CONDITION,
    });
    const tagged = { StringEquals: { 'aws:ResourceTag/switchyard.dev/managed': 'true' } };
    expect(statementOf(statements, 'elasticloadbalancing:ModifyListener')?.Condition).toEqual(tagged);
    expect(statementOf(statements, 'elasticloadbalancing:ModifyRule')?.Condition).toEqual(tagged);
    expect(statementOf(statements, 'elasticloadbalancing:DescribeRules')?.Condition).toBeUndefined();
  });
});

describe('dns port permissions', () => {
  it('let the reader list records and follow changes, never change them', () => {
    const statements = statementsOf('dnsReader');
    expect(actionsIn(statements).sort()).toEqual(['route53:GetChange', 'route53:ListResourceRecordSets']);
    expect(statementOf(statements, 'route53:ListResourceRecordSets')?.Resource).toBe(ZONE);
  });

  it('let the writer change records in the zones given, by DELETE and CREATE, of the names given', () => {
    expect(statementOf(statementsOf('dns'), 'route53:ChangeResourceRecordSets')).toEqual({
      Action: 'route53:ChangeResourceRecordSets',
      Effect: 'Allow',
      Resource: ZONE,
      Condition: {
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsActions': ['DELETE', 'CREATE'],
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['api.example.com'],
        },
      },
    });
  });

  it('grant no record action at all when no zone is configured', () => {
    for (const port of ['dns', 'dnsReader'] as const) {
      expect(actionsIn(statementsOf(port, { ...arns, hostedZoneArns: [] }))).toEqual(['route53:GetChange']);
    }
  });

  it('compare record names as IAM normalizes them: lower case, no final dot, octal escapes', () => {
    expect(
      recordChangeConditions([
        'API.Example.com.',
        'api.example.com',
        '*.edge.example.com',
        'a+b.example.com',
      ]),
    ).toEqual({
      'ForAllValues:StringEquals': {
        'route53:ChangeResourceRecordSetsActions': ['DELETE', 'CREATE'],
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': [
          'api.example.com',
          '\\052.edge.example.com',
          'a\\053b.example.com',
        ],
      },
    });
    expect(recordChangeConditions(undefined)).toEqual({
      'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsActions': ['DELETE', 'CREATE'] },
    });
  });
});

describe('abort alarm port permissions', () => {
  it("make, tag, read and delete only alarms under Switchyard's abort prefix", () => {
    const statements = statementsOf('abortAlarms');
    expect(actionsIn(statements).sort()).toEqual([
      'cloudwatch:DeleteAlarms',
      'cloudwatch:DescribeAlarms',
      'cloudwatch:ListTagsForResource',
      'cloudwatch:PutMetricAlarm',
      'cloudwatch:TagResource',
    ]);
    for (const statement of statements) expect([statement.Resource].flat()).toEqual([ABORT_ALARMS]);
  });

  it('give no other port a CloudWatch write', () => {
    for (const port of ['signals', 'inventory', 'traffic'] as const) {
      expect(
        actionsIn(statementsOf(port)).filter((action) => /^cloudwatch:(Put|Delete|Tag)/.test(action)),
      ).toEqual([]);
    }
  });
});
