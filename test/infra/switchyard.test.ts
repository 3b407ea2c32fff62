/**
 * The deployable stack, from one synth shared by every test (bundling skipped): resources and
 * their key properties, IAM exactly as the adapters declare, state machine definitions equal
 * to the files, and cdk-nag clean (synth throws on an unacknowledged finding).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { type CfnFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { STORE_TABLE } from '../../lambdas/adapters/dynamodb/table-definition';
import { substitutePlaceholders } from '../../lambdas/core/asl-placeholders';
import { handlers } from '../../lambdas/handlers/index';
import { addSwitchyardStacks, type SwitchyardAppStacks, settingsFromContext } from '../../lib/app';
import { API_FUNCTION, handlerFunctions } from '../../lib/handler-catalog';
import { handlerEntrySource } from '../../lib/handler-entries';
import { HANDLER_BUNDLING, HANDLER_RUNTIME, HANDLER_TIMEOUT } from '../../lib/handler-function';
import { releasePlanDraft4Schema } from '../../lib/plan-model';
import { ACTIONS_WITHOUT_RESOURCE_SCOPE, PORT_IAM_ACTIONS } from '../../lib/port-permissions';
import {
  MACHINE_FILES,
  MACHINE_NAMES,
  readMachineDefinition,
  substitutionsFor,
} from '../../lib/state-machine-files';
import { DEFAULT_PROJECT_ROOT, Switchyard, type SwitchyardProps } from '../../lib/switchyard';
import { API_ROUTES } from '../../lib/switchyard-api';

// asl-validator ships no type declarations.
const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText: (separator?: string) => string;
};

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

const HOME = 'us-east-1';
const OTHER = 'eu-west-1';
const ACCOUNT = '111111111111';
const LOAD_BALANCERS = ['shop-public', 'shop-internal'];
/** The handlers that move traffic, and some that only look at it. */
const TRAFFIC_WRITERS = ['prepareCanary', 'promoteCanary', 'returnTrafficToStable', 'shiftTraffic'];
const TRAFFIC_READERS = [
  'startServiceRollout',
  'verifyRollout',
  'runAnalysis',
  'verifyRestored',
  'preflightRelease',
  'preflightPlan',
];

let stacks: SwitchyardAppStacks;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  process.env.CDK_DEFAULT_ACCOUNT = ACCOUNT;
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    // CloudFormation's own template checks load a large WASM module (~15 s); `cdk synth` runs them.
    builtinCloudFormationValidation: false,
  });
  stacks = addSwitchyardStacks(app, {
    homeRegion: HOME,
    workloadRegions: [HOME, OTHER],
    clusters: [
      { region: HOME, clusterName: 'prod-use1', namespaces: ['shop', 'payments'] },
      { region: OTHER, clusterName: 'prod-euw1', namespaces: ['shop'] },
    ],
    loadBalancerNames: LOAD_BALANCERS,
    hostedZoneIds: ['Z0123456789'],
    dnsRecordNames: ['API.shop.example.com.', '*.edge.example.com'],
    createClusterAccessEntries: true,
  });
  // Throws when cdk-nag reports a finding nobody acknowledged.
  template = Template.fromStack(stacks.home);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

const ofType = (type: string, from = resources) =>
  Object.entries(from).filter(([, resource]) => resource.Type === type);
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const logicalIdOf = (construct: { node: { defaultChild?: unknown } }) =>
  stacks.home.getLogicalId(construct.node.defaultChild as never);

/** The statements of every IAM policy attached to a role, by policy logical id. */
function policiesOfRole(roleLogicalId: string, from = resources): Record<string, Statement[]> {
  return Object.fromEntries(
    ofType('AWS::IAM::Policy', from)
      .filter(([, policy]) =>
        (policy.Properties.Roles as unknown[]).some(
          (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
        ),
      )
      .map(([id, policy]) => [
        id,
        (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      ]),
  );
}
const actionsOf = (statements: Statement[]) =>
  new Set(statements.flatMap((statement) => asList(statement.Action)));

interface Synth {
  stacks: SwitchyardAppStacks;
  resources: Record<string, Resource>;
}

/** Every statement of every policy on a function's role. */
function statementsOfFunction(name: string, synth: Synth = { stacks, resources }): Statement[] {
  const fn = synth.stacks.home.switchyard.functions[name]!;
  const roleId = synth.stacks.home.getLogicalId(fn.role.node.defaultChild as never);
  return Object.values(policiesOfRole(roleId, synth.resources)).flat();
}

/** The functions whose roles may call `action`. */
function functionsAllowed(action: string, synth: Synth = { stacks, resources }): string[] {
  return Object.keys(synth.stacks.home.switchyard.functions)
    .filter((name) => actionsOf(statementsOfFunction(name, synth)).has(action))
    .sort();
}

/** The statements of all functions granting `action`. */
function statementsGranting(action: string, synth: Synth = { stacks, resources }): Statement[] {
  return Object.keys(synth.stacks.home.switchyard.functions)
    .flatMap((name) => statementsOfFunction(name, synth))
    .filter((statement) => asList(statement.Action).includes(action));
}

/** An ARN as the template builds it, with the partition read as `aws`. */
function arnText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (JSON.stringify(value) === JSON.stringify({ Ref: 'AWS::Partition' })) return 'aws';
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(arnText).join(join[0]);
  throw new Error(`not an ARN: ${JSON.stringify(value)}`);
}
const resourceTexts = (statements: Statement[]) =>
  [...new Set(statements.flatMap((statement) => asList(statement.Resource).map(arnText)))].sort();

/** Reserved concurrency of each function that has one. */
function reservedConcurrency(synth: Synth = { stacks, resources }): Record<string, number> {
  return Object.fromEntries(
    Object.entries(synth.stacks.home.switchyard.functions).flatMap(([name, fn]) => {
      const id = synth.stacks.home.getLogicalId(fn.function.node.defaultChild as never);
      const reserved = synth.resources[id]!.Properties.ReservedConcurrentExecutions;
      return reserved === undefined ? [] : [[name, reserved as number]];
    }),
  );
}

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

  it('lets only failover change Route 53 records: in the configured zones, of the configured names, by DELETE and CREATE', () => {
    expect(functionsAllowed('route53:ChangeResourceRecordSets')).toEqual(['shiftDnsWeights']);
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

  it('runs six STANDARD state machines from the files, logging everything to their own log groups, traced', () => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(MACHINE_NAMES.length);
    for (const machine of MACHINE_NAMES) {
      const id = logicalIdOf(stacks.home.switchyard.stateMachines[machine]);
      const properties = resources[id]!.Properties;
      expect(properties).toMatchObject({
        StateMachineName: `switchyard-${MACHINE_FILES[machine].replace('.asl.json', '')}`,
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      });
      const destination = JSON.stringify(
        (properties.LoggingConfiguration as { Destinations: unknown[] }).Destinations,
      );
      const logGroups = ofType('AWS::Logs::LogGroup').filter(([logGroupId]) =>
        destination.includes(logGroupId),
      );
      expect(logGroups).toHaveLength(1);
      expect(logGroups[0]?.[1].Properties.LogGroupName).toBe(
        `/aws/vendedlogs/states/${properties.StateMachineName}`,
      );
    }
  });

  it('deploys definitions equal to the files after substitution, with nothing left unsubstituted', () => {
    const dir = join(DEFAULT_PROJECT_ROOT, 'statemachines');
    // Render every intrinsic the same way on both sides, so definitions compare as text.
    const render = (value: unknown) => `<${encodeURIComponent(JSON.stringify(stacks.home.resolve(value)))}>`;
    for (const machine of MACHINE_NAMES) {
      const properties = resources[logicalIdOf(stacks.home.switchyard.stateMachines[machine])]!.Properties;
      const substitutions = properties.DefinitionSubstitutions as Record<string, unknown>;
      const deployed = (properties.DefinitionString as string).replace(
        /\$\{(\w+)\}/g,
        (placeholder, key: string) => {
          expect(substitutions, `${machine}: ${placeholder}`).toHaveProperty(key);
          return render(substitutions[key]);
        },
      );
      const file = JSON.parse(readFileSync(join(dir, MACHINE_FILES[machine]), 'utf8'));
      const expected = substitutePlaceholders(file, {
        functionArn: (handler) =>
          render({ 'Fn::GetAtt': [logicalIdOf(stacks.home.switchyard.functions[handler]!.function), 'Arn'] }),
        stateMachineArn: (child) => render(arnOf(child)),
      });
      expect(JSON.parse(deployed), machine).toEqual(expected);
    }

    function arnOf(child: string) {
      // Built from the name, never a Ref to the child: functions and machines would otherwise form a cycle.
      const name = `switchyard-${MACHINE_FILES[child as keyof typeof MACHINE_FILES].replace('.asl.json', '')}`;
      return {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, `:states:${HOME}:${ACCOUNT}:stateMachine:${name}`],
        ],
      };
    }
  });

  it('lets each state machine invoke only its own functions and start only its own children', () => {
    const dir = join(DEFAULT_PROJECT_ROOT, 'statemachines');
    for (const machine of MACHINE_NAMES) {
      const definition = readMachineDefinition(dir, machine);
      const stateMachine = stacks.home.switchyard.stateMachines[machine];
      const statements = Object.values(policiesOfRole(logicalIdOf(stateMachine.role))).flat();
      const resourcesOf = (action: string) =>
        statements
          .filter((statement) => asList(statement.Action).includes(action))
          .flatMap((statement) => asList(statement.Resource));
      expect(resourcesOf('lambda:InvokeFunction'), machine).toEqual(
        definition.functions.map((handler) => ({
          'Fn::GetAtt': [logicalIdOf(stacks.home.switchyard.functions[handler]!.function), 'Arn'],
        })),
      );
      const started = JSON.stringify(resourcesOf('states:StartExecution'));
      for (const other of MACHINE_NAMES) {
        const name = `:stateMachine:switchyard-${MACHINE_FILES[other].replace('.asl.json', '')}"`;
        expect(started.includes(name), `${machine} starts ${other}`).toBe(
          definition.children.includes(other),
        );
      }
      if (definition.children.length > 0) {
        expect(JSON.stringify(resourcesOf('events:PutRule'))).toContain(
          `:events:${HOME}:${ACCOUNT}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`,
        );
        expect(resourcesOf('states:StopExecution')).toHaveLength(definition.children.length);
      }
    }
  });

  it('times functions out before the Task states that call them do', () => {
    const dir = join(DEFAULT_PROJECT_ROOT, 'statemachines');
    for (const machine of MACHINE_NAMES) {
      const text = readMachineDefinition(dir, machine).text;
      const lambdaTasks = [
        ...text.matchAll(/"Resource": "\$\{\w+FunctionArn\}"[^}]*?"TimeoutSeconds": (\d+)/g),
      ];
      for (const [, seconds] of lambdaTasks)
        expect(Number(seconds)).toBeGreaterThan(HANDLER_TIMEOUT.toSeconds());
    }
  });

  it('routes ALARM state changes of prefixed alarms, from its bus, to the alarm handler with a DLQ and retries', () => {
    const busId = logicalIdOf(stacks.home.switchyard.eventBus);
    const pattern = {
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: {
        alarmName: [{ prefix: 'switchyard-rollback-' }, { suffix: '-canary-errors' }],
        state: { value: ['ALARM'] },
      },
    };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: pattern,
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(stacks.home.switchyard.functions.onAlarm!.function), 'Arn'] },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [logicalIdOf(stacks.home.switchyard.alarmDeadLetterQueue), 'Arn'] },
          },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
    // The home region's own alarms reach the bus through the same forwarding as other regions'.
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.absent(),
      EventPattern: pattern,
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [busId, 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalIdOf(stacks.home.switchyard.alarmDeadLetterQueue), 'Arn'] },
        },
      },
    });
  });

  it("forwards each other workload region's alarms to the home bus", () => {
    const forwarding = Template.fromStack(stacks.forwarding[OTHER]!);
    expect(Object.keys(stacks.forwarding)).toEqual([OTHER]);
    forwarding.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.cloudwatch'] }),
      Targets: [
        Match.objectLike({
          Arn: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, `:events:${HOME}:${ACCOUNT}:event-bus/switchyard-events`],
            ],
          },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
    forwarding.resourceCountIs('AWS::CloudWatch::Alarm', 1);
  });

  it('serves the API with IAM auth on every route, plan validation on submit, throttling and access logs', () => {
    const methods = ofType('AWS::ApiGateway::Method');
    expect(methods).toHaveLength(API_ROUTES.length);
    for (const [, method] of methods) {
      expect(method.Properties).toMatchObject({
        AuthorizationType: 'AWS_IAM',
        Integration: { Type: 'AWS_PROXY' },
      });
    }
    const validated = methods.filter(([, method]) => method.Properties.RequestValidatorId !== undefined);
    expect(validated).toHaveLength(1);
    expect(validated[0]?.[1].Properties).toMatchObject({
      HttpMethod: 'POST',
      RequestModels: { 'application/json': expect.anything() },
    });
    const [, model] = ofType('AWS::ApiGateway::Model')[0]!;
    expect(model.Properties.Schema).toEqual(releasePlanDraft4Schema());
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: [
        Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20, LoggingLevel: 'ERROR' }),
      ],
    });
  });

  it('watches the orchestrator: a dashboard and alarms on failed executions, handler errors and dead letters', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const alarmNames = ofType('AWS::CloudWatch::Alarm').map(
      ([, alarm]) => alarm.Properties.AlarmName as string,
    );
    expect(alarmNames.sort()).toEqual(
      [
        'switchyard-orchestrator-release-executions-failed',
        'switchyard-orchestrator-rollback-executions-failed',
        'switchyard-orchestrator-failover-executions-failed',
        'switchyard-orchestrator-handler-errors',
        'switchyard-orchestrator-alarm-handler-dlq',
        'switchyard-orchestrator-alarm-forwarding-dlq',
        `switchyard-orchestrator-alarm-forwarding-dlq-${HOME}`,
        'switchyard-orchestrator-api-5xx',
      ].sort(),
    );
    for (const name of alarmNames) expect(name.startsWith('switchyard-rollback-')).toBe(false);
  });

  it('gives the cluster handlers namespaced access to same-region clusters and says what to run for the others', () => {
    // The traffic ports' handlers read and patch albIngress Ingresses through the same Kubernetes API.
    const clusterRoles = handlerFunctions().filter(
      (deployed) =>
        deployed.ports.includes('cluster') ||
        deployed.ports.includes('traffic') ||
        deployed.ports.includes('trafficReader'),
    );
    expect(clusterRoles.some((deployed) => !deployed.ports.includes('cluster'))).toBe(true);
    const entries = ofType('AWS::EKS::AccessEntry');
    expect(entries).toHaveLength(clusterRoles.length);
    for (const [, entry] of entries) {
      expect(entry.Properties).toMatchObject({
        ClusterName: 'prod-use1',
        Type: 'STANDARD',
        AccessPolicies: [{ AccessScope: { Type: 'namespace', Namespaces: ['shop', 'payments'] } }],
      });
    }
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const commands = Object.entries(outputs).filter(([id]) => /Cluster\dAccess/.test(id));
    expect(commands).toHaveLength(2);
    expect(JSON.stringify(commands.map(([, output]) => output.Value))).toContain(
      'aws eks create-access-entry --region eu-west-1 --cluster-name prod-euw1',
    );
  });
});

describe('the Switchyard stack with no load balancers, zones or concurrency configured', () => {
  let unconfigured: Synth;
  let warnings: string[];

  beforeAll(() => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    });
    const unconfiguredStacks = addSwitchyardStacks(app, {
      homeRegion: HOME,
      workloadRegions: [HOME, OTHER],
      clusters: [],
      createClusterAccessEntries: false,
      rollbackReservedConcurrency: 3,
      alarmReservedConcurrency: 2,
      apiReservedConcurrency: 7,
    });
    // Throws when cdk-nag reports a finding nobody acknowledged.
    const synthesized = Template.fromStack(unconfiguredStacks.home);
    unconfigured = {
      stacks: unconfiguredStacks,
      resources: synthesized.toJSON().Resources as Record<string, Resource>,
    };
    warnings = Annotations.fromStack(unconfiguredStacks.home)
      .findWarning('*', Match.anyValue())
      .map((warning) => JSON.stringify(warning.entry.data));
  });

  it('lets the traffic writers modify only listeners and rules tagged switchyard.dev/managed=true', () => {
    expect(functionsAllowed('elasticloadbalancing:ModifyRule', unconfigured)).toEqual(TRAFFIC_WRITERS);
    const listener = statementsGranting('elasticloadbalancing:ModifyListener', unconfigured);
    const rule = statementsGranting('elasticloadbalancing:ModifyRule', unconfigured);
    const everywhere = (type: string) =>
      [HOME, OTHER].map((region) => `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:${type}/app/*`).sort();
    expect(resourceTexts(listener)).toEqual(everywhere('listener'));
    expect(resourceTexts(rule)).toEqual(everywhere('listener-rule'));
    for (const statement of [...listener, ...rule]) {
      expect(statement.Condition).toEqual({
        StringEquals: { 'aws:ResourceTag/switchyard.dev/managed': 'true' },
      });
    }
  });

  it('lets no function read or change a Route 53 record, and says so when it synthesizes', () => {
    expect(functionsAllowed('route53:ChangeResourceRecordSets', unconfigured)).toEqual([]);
    expect(functionsAllowed('route53:ListResourceRecordSets', unconfigured)).toEqual([]);
    expect(warnings.some((warning) => warning.includes('No hostedZoneIds'))).toBe(true);
  });

  it('reserves the concurrency the settings ask for', () => {
    const rollback = readMachineDefinition(join(DEFAULT_PROJECT_ROOT, 'statemachines'), 'rollback').functions;
    expect(reservedConcurrency(unconfigured)).toEqual({
      ...Object.fromEntries(rollback.map((name) => [name, 3])),
      onAlarm: 2,
      [API_FUNCTION.name]: 7,
    });
  });
});

describe('the state machine files', () => {
  it('pass asl-validator once their placeholders are substituted', () => {
    const dir = join(DEFAULT_PROJECT_ROOT, 'statemachines');
    for (const machine of MACHINE_NAMES) {
      const definition = substitutePlaceholders(
        JSON.parse(readFileSync(join(dir, MACHINE_FILES[machine]), 'utf8')),
        {
          functionArn: (handler) => `arn:aws:lambda:${HOME}:${ACCOUNT}:function:switchyard-${handler}`,
          stateMachineArn: (child) => `arn:aws:states:${HOME}:${ACCOUNT}:stateMachine:switchyard-${child}`,
        },
      );
      const { isValid, errorsText } = aslValidator(definition);
      expect(isValid, `${machine}: ${errorsText('\n')}`).toBe(true);
    }
  });
});

describe('guards', () => {
  it('refuses a definition with a placeholder no function or state machine fills', () => {
    const placeholder = (name: string) => `\${${name}}`;
    const definition = {
      machine: 'rollback' as const,
      text: JSON.stringify({
        StartAt: 'A',
        States: {
          A: {
            Type: 'Task',
            Resource: placeholder('restoreEverythingFunctionArn'),
            End: true,
            Comment: placeholder('region'),
          },
        },
      }),
      functions: ['restoreEverything'],
      children: [],
    };
    expect(() =>
      substitutionsFor(definition, { functionArn: () => undefined, stateMachineArn: () => 'arn' }),
    ).toThrow(/rollback\.asl\.json: no substitution for \$\{restoreEverythingFunctionArn\}, \$\{region\}/);
  });

  it('refuses settings that would misroute alarms or name clusters outside the workload regions', () => {
    const build = (props: Partial<SwitchyardProps>) => () =>
      new Switchyard(new Stack(new App(), 'Guard', { env: { region: HOME } }), 'Switchyard', {
        workloadRegions: [HOME],
        ...props,
      });
    expect(build({ alarmNamePrefix: 'switchyard-' })).toThrow(/overlaps the orchestrator's own alarm names/);
    expect(build({ clusters: [{ region: OTHER, clusterName: 'prod', namespaces: ['shop'] }] })).toThrow(
      /prod is in eu-west-1, which is not a workload region/,
    );
    expect(build({ workloadRegions: [] })).toThrow(/name at least one region/);
  });

  it('refuses names that would widen the grants they narrow, and concurrency that would stop a function', () => {
    const build = (props: Partial<SwitchyardProps>) => () =>
      new Switchyard(new Stack(new App(), 'Guard', { env: { region: HOME } }), 'Switchyard', {
        workloadRegions: [HOME],
        ...props,
      });
    expect(build({ loadBalancerNames: ['shop-*'] })).toThrow(/"shop-\*" is not a load balancer name/);
    expect(build({ hostedZoneIds: ['*'] })).toThrow(/"\*" is not a hosted zone id/);
    expect(build({ dnsRecordNames: ['api.example.com'] })).toThrow(/give the hostedZoneIds they are in/);
    expect(build({ hostedZoneIds: ['Z0123456789'], dnsRecordNames: [] })).toThrow(/name at least one record/);
    expect(build({ rollbackReservedConcurrency: 0 })).toThrow(/rollbackReservedConcurrency: 0 must be/);
    expect(build({ apiReservedConcurrency: 2.5 })).toThrow(/apiReservedConcurrency: 2.5 must be/);
  });

  it('reserves no concurrency when told not to, for accounts whose quota leaves too little', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Unreserved', {
      env: { region: HOME },
    });
    const switchyard = new Switchyard(stack, 'Switchyard', {
      workloadRegions: [HOME],
      reserveConcurrency: false,
    });
    const reserved = Object.values(switchyard.functions).map(
      (fn) => (fn.function.node.defaultChild as CfnFunction).reservedConcurrentExecutions,
    );
    expect(reserved.every((value) => value === undefined)).toBe(true);
  });

  it('reads the load balancers, zones, record names and concurrency from context', () => {
    const settings = settingsFromContext(
      new App({
        context: {
          'switchyard:homeRegion': HOME,
          'switchyard:loadBalancerNames': 'shop-public, shop-internal',
          'switchyard:hostedZoneIds': '["Z0123456789"]',
          'switchyard:dnsRecordNames': ['api.example.com'],
          'switchyard:reserveConcurrency': 'false',
          'switchyard:rollbackReservedConcurrency': '4',
          'switchyard:apiReservedConcurrency': 12,
        },
      }),
    );
    expect(settings).toMatchObject({
      loadBalancerNames: ['shop-public', 'shop-internal'],
      hostedZoneIds: ['Z0123456789'],
      dnsRecordNames: ['api.example.com'],
      reserveConcurrency: false,
      rollbackReservedConcurrency: 4,
      apiReservedConcurrency: 12,
    });
    expect(settings.alarmReservedConcurrency).toBeUndefined();
    expect(() =>
      settingsFromContext(
        new App({ context: { 'switchyard:homeRegion': HOME, 'switchyard:apiReservedConcurrency': 'many' } }),
      ),
    ).toThrow(/switchyard:apiReservedConcurrency: expected a number/);
  });

  it('generates entries that import the handler and only the factories of its declared ports', () => {
    for (const deployed of handlerFunctions()) {
      const source = handlerEntrySource(deployed, '/repo', '/repo/.build/lambda-entries');
      expect(source).toContain(
        `import { ${deployed.exportName} as definition } from '../../${deployed.modulePath}';`,
      );
      const factories = /import \{ ([^}]+) \} from '\.\.\/\.\.\/lambdas\/handlers\/aws\/ports';/.exec(
        source,
      )?.[1];
      expect(factories?.split(', ').sort(), deployed.name).toEqual(
        [...deployed.ports].map((port) => `${port}Port`).sort(),
      );
    }
  });

  it('keeps class names through minification: error names are what Retry and Catch match', () => {
    expect(HANDLER_BUNDLING).toMatchObject({ minify: true, keepNames: true });
  });
});
