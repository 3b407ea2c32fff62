/**
 * The deployable stack, from one synth shared by every test (bundling skipped): resources and
 * their key properties, IAM exactly as the adapters declare, state machine definitions equal
 * to the files, and cdk-nag clean (synth throws on an unacknowledged finding).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { STORE_TABLE } from '../../lambdas/adapters/dynamodb/table-definition';
import { substitutePlaceholders } from '../../lambdas/core/asl-placeholders';
import { handlers } from '../../lambdas/handlers/index';
import { addSwitchyardStacks, type SwitchyardAppStacks } from '../../lib/app';
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
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const HOME = 'us-east-1';
const OTHER = 'eu-west-1';
const ACCOUNT = '111111111111';

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
    hostedZoneIds: ['Z0123456789'],
    createClusterAccessEntries: true,
  });
  // Throws when cdk-nag reports a finding nobody acknowledged.
  template = Template.fromStack(stacks.home);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const logicalIdOf = (construct: { node: { defaultChild?: unknown } }) =>
  stacks.home.getLogicalId(construct.node.defaultChild as never);

/** The statements of every IAM policy attached to a role, by policy logical id. */
function policiesOfRole(roleLogicalId: string): Record<string, Statement[]> {
  return Object.fromEntries(
    ofType('AWS::IAM::Policy')
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
