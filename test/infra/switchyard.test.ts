import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { STORE_TABLE } from '../../lambdas/adapters/dynamodb/table-definition';
import { handlers } from '../../lambdas/handlers/index';
import { API_FUNCTION, handlerFunctions } from '../../lib/handler-catalog';
import { HANDLER_RUNTIME } from '../../lib/handler-function';
import { ACTIONS_WITHOUT_RESOURCE_SCOPE, PORT_IAM_ACTIONS } from '../../lib/port-permissions';
import { MACHINE_NAMES, readMachineDefinition } from '../../lib/state-machine-files';
import { DEFAULT_PROJECT_ROOT } from '../../lib/switchyard';
import {
  ACCOUNT,
  actionsOf,
  asList,
  functionsAllowed,
  HOME,
  LOAD_BALANCERS,
  logicalIdOf,
  OTHER,
  ofType,
  policiesOfRole,
  reservedConcurrency,
  resources,
  resourceTexts,
  stacks,
  statementsGranting,
  statementsOfFunction,
  synthesizeSwitchyard,
  TRAFFIC_READERS,
  TRAFFIC_WRITERS,
  template,
} from './switchyard-support';

beforeAll(synthesizeSwitchyard);

describe('the Switchyard stack', () => {
  it('keeps releases in an encrypted, point-in-time-recoverable table shaped like STORE_TABLE', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: STORE_TABLE.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: STORE_TABLE.sortKey.name, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: STORE_TABLE.timeToLiveAttribute, Enabled: true },
        GlobalSecondaryIndexes: STORE_TABLE.globalSecondaryIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    });
  });

  it('deploys every registered handler and the API as its own arm64 function on the newest Node.js runtime, traced', () => {
    const newestNode = Object.values(Runtime)
      .filter(
        (runtime): runtime is Runtime => runtime instanceof Runtime && /^nodejs\d+\.x$/.test(runtime.name),
      )
      .map((runtime) => Number(/\d+/.exec(runtime.name)?.[0]))
      .sort((a, b) => b - a)[0];
    expect(HANDLER_RUNTIME.name).toBe(`nodejs${newestNode}.x`);

    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(Object.keys(handlers).length + 1);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: HANDLER_RUNTIME.name,
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
        Environment: {
          Variables: expect.objectContaining({
            POWERTOOLS_SERVICE_NAME: 'switchyard',
            POWERTOOLS_METRICS_NAMESPACE: 'Switchyard',
            POWERTOOLS_LOG_LEVEL: 'INFO',
          }),
        },
      });
    }
  });

  it('gives each function the settings of the ports it uses, and only those', () => {
    for (const deployed of [...handlerFunctions(), API_FUNCTION]) {
      const fn = stacks.home.switchyard.functions[deployed.name];
      const variables = (
        resources[logicalIdOf(fn!.function)]!.Properties.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      expect('SWITCHYARD_TABLE_NAME' in variables, deployed.name).toBe(deployed.ports.includes('store'));
      expect('SWITCHYARD_EVENT_BUS_NAME' in variables, deployed.name).toBe(deployed.ports.includes('events'));
      expect('SWITCHYARD_STATE_MACHINE_ARNS' in variables, deployed.name).toBe(
        deployed.ports.includes('workflow'),
      );
      expect('SWITCHYARD_CLUSTER_ROLE_ARNS' in variables, deployed.name).toBe(
        deployed.ports.includes('inventory'),
      );
      expect('SWITCHYARD_PREFLIGHT_FUNCTION_NAME' in variables, deployed.name).toBe(
        deployed.ports.includes('preflight'),
      );
      // Preflight refuses what these grants do not cover.
      if (deployed.ports.includes('inventory')) {
        expect(variables, deployed.name).toMatchObject({
          SWITCHYARD_LOAD_BALANCER_NAMES: LOAD_BALANCERS.join(' '),
          SWITCHYARD_HOSTED_ZONE_IDS: 'Z0123456789',
          SWITCHYARD_DNS_RECORD_NAMES: 'API.shop.example.com. *.edge.example.com',
        });
      } else expect('SWITCHYARD_HOSTED_ZONE_IDS' in variables, deployed.name).toBe(false);
    }
  });

  it('lets the API invoke the preflight function and no other', () => {
    const api = stacks.home.switchyard.functions[API_FUNCTION.name]!;
    const preflight = stacks.home.switchyard.functions.preflightPlan!;
    const statements = policiesOfRole(logicalIdOf(api.role))[logicalIdOf(api.portAccess!)]!;
    const invoking = statements.filter((statement) =>
      asList(statement.Action).includes('lambda:InvokeFunction'),
    );
    expect(invoking.flatMap((statement) => asList(statement.Resource))).toEqual([
      { 'Fn::GetAtt': [logicalIdOf(preflight.function), 'Arn'] },
    ]);
  });

  it("grants each function exactly its ports' declared actions, plus only logging and tracing", () => {
    const runtimeActions = [
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
    ];
    const asyncFailureActions = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
    for (const deployed of [...handlerFunctions(), API_FUNCTION]) {
      const fn = stacks.home.switchyard.functions[deployed.name]!;
      const policies = policiesOfRole(logicalIdOf(fn.role));
      const portPolicyId = fn.portAccess ? logicalIdOf(fn.portAccess) : undefined;
      const declared = new Set(deployed.ports.flatMap((port) => PORT_IAM_ACTIONS[port]));
      expect(actionsOf(portPolicyId ? (policies[portPolicyId] ?? []) : []), deployed.name).toEqual(declared);

      const others = Object.entries(policies)
        .filter(([id]) => id !== portPolicyId)
        .flatMap(([, statements]) => statements);
      const allowedOthers = new Set([
        ...runtimeActions,
        ...(deployed.name === 'onAlarm' ? asyncFailureActions : []),
      ]);
      expect(actionsOf(others), deployed.name).toEqual(allowedOthers);
      expect(
        ofType('AWS::IAM::Role').find(([id]) => id === logicalIdOf(fn.role))?.[1].Properties
          .ManagedPolicyArns,
      ).toBeUndefined();

      // `*` only for actions that have no resource-level permissions.
      for (const statement of portPolicyId ? (policies[portPolicyId] ?? []) : []) {
        if (asList(statement.Resource).includes('*')) {
          for (const action of asList(statement.Action))
            expect(ACTIONS_WITHOUT_RESOURCE_SCOPE.has(action), action).toBe(true);
        }
      }
    }
  });

  it('scopes the store to the table and its indexes, and the workflow to its own state machines', () => {
    const fn = stacks.home.switchyard.functions.onAlarm!;
    const statements = policiesOfRole(logicalIdOf(fn.role))[logicalIdOf(fn.portAccess!)]!;
    const tableId = logicalIdOf(stacks.home.switchyard.table);
    const store = statements.find((statement) => asList(statement.Action).includes('dynamodb:Query'))!;
    expect(store.Resource).toEqual([
      { 'Fn::GetAtt': [tableId, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/*']] },
    ]);
    const start = statements.find((statement) => asList(statement.Action).includes('states:StartExecution'))!;
    expect(JSON.stringify(start.Resource)).toContain(':stateMachine:switchyard-rollback');
    expect(JSON.stringify(start.Resource)).not.toContain(':execution:');
    const describe = statements.find((statement) =>
      asList(statement.Action).includes('states:DescribeExecution'),
    )!;
    expect(asList(describe.Resource)).toHaveLength(MACHINE_NAMES.length);
    expect(JSON.stringify(describe.Resource)).toContain(':execution:switchyard-release:*');
  });

  it('lets only the handlers that move traffic modify listeners and rules: readers get Describe* alone', () => {
    expect(functionsAllowed('elasticloadbalancing:ModifyRule')).toEqual(TRAFFIC_WRITERS);
    expect(functionsAllowed('elasticloadbalancing:ModifyListener')).toEqual(TRAFFIC_WRITERS);
    for (const reader of TRAFFIC_READERS) {
      const loadBalancing = [...actionsOf(statementsOfFunction(reader))].filter((action) =>
        action.startsWith('elasticloadbalancing:'),
      );
      expect(loadBalancing, reader).toContain('elasticloadbalancing:DescribeRules');
      expect(
        loadBalancing.filter((action) => !action.startsWith('elasticloadbalancing:Describe')),
        reader,
      ).toEqual([]);
    }
  });

  it('limits ModifyListener and ModifyRule to the listeners and rules of the configured load balancers', () => {
    const expected = (type: string) =>
      [HOME, OTHER]
        .flatMap((region) =>
          LOAD_BALANCERS.map(
            (name) => `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:${type}/app/${name}/*`,
          ),
        )
        .sort();
    const listener = statementsGranting('elasticloadbalancing:ModifyListener');
    const rule = statementsGranting('elasticloadbalancing:ModifyRule');
    expect(resourceTexts(listener)).toEqual(expected('listener'));
    expect(resourceTexts(rule)).toEqual(expected('listener-rule'));
    // By name, nothing else is needed: no tag condition.
    for (const statement of [...listener, ...rule]) expect(statement.Condition).toBeUndefined();
  });

  it("lets only failover and a region's drain change Route 53 records: in the configured zones, of the configured names, by DELETE and CREATE", () => {
    expect(functionsAllowed('route53:ChangeResourceRecordSets')).toEqual([
      'removeRegionWeight',
      'restoreDrainedRegion',
      'restoreRegionWeight',
      'shiftDnsWeights',
    ]);
    const changes = statementsGranting('route53:ChangeResourceRecordSets');
    expect(resourceTexts(changes)).toEqual(['arn:aws:route53:::hostedzone/Z0123456789']);
    for (const statement of changes) {
      expect(statement.Condition).toEqual({
        'ForAllValues:StringEquals': {
          'route53:ChangeResourceRecordSetsActions': ['DELETE', 'CREATE'],
          'route53:ChangeResourceRecordSetsNormalizedRecordNames': [
            'api.shop.example.com',
            '\\052.edge.example.com',
          ],
        },
      });
    }
    expect(resourceTexts(statementsGranting('route53:ListResourceRecordSets'))).toEqual([
      'arn:aws:route53:::hostedzone/Z0123456789',
    ]);
  });

  it('reserves concurrency for the alarm handler and each rollback function, and bounds the API function', () => {
    const rollback = readMachineDefinition(join(DEFAULT_PROJECT_ROOT, 'statemachines'), 'rollback').functions;
    expect(rollback).toEqual(
      expect.arrayContaining(['beginRollback', 'returnTrafficToStable', 'finishRollback']),
    );
    expect(reservedConcurrency()).toEqual({
      ...Object.fromEntries(rollback.map((name) => [name, 10])),
      onAlarm: 5,
      [API_FUNCTION.name]: 20,
    });
  });

  it('creates no notification topic, rules or GitHub roles unless asked (cdk.json leaves them off)', () => {
    expect(stacks.home.switchyard.notifications).toBeUndefined();
    expect(stacks.home.switchyard.githubDeployRole).toBeUndefined();
    expect(ofType('AWS::SNS::Topic')).toEqual([]);
    // The alarm rules and the queue's sweep alone.
    expect(ofType('AWS::Events::Rule').map(([id]) => id)).toEqual([
      logicalIdOf(stacks.home.switchyard.alarmRule),
      logicalIdOf(stacks.home.switchyard.homeAlarmForwarding.rule),
      logicalIdOf(stacks.home.switchyard.queueSweepRule),
    ]);
  });
});
