/**
 * The deployable stack, from one synth shared by every test (bundling skipped): state machine
 * definitions equal to the files and their grants, alarm routing, the API, the dashboard, and
 * cluster access.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { substitutePlaceholders } from '../../lambdas/core/asl-placeholders';
import { handlerFunctions } from '../../lib/handler-catalog';
import { HANDLER_TIMEOUT } from '../../lib/handler-function';
import { releasePlanDraft4Schema } from '../../lib/plan-model';
import { MACHINE_FILES, MACHINE_NAMES, readMachineDefinition } from '../../lib/state-machine-files';
import { DEFAULT_PROJECT_ROOT } from '../../lib/switchyard';
import { API_ROUTES } from '../../lib/switchyard-api';
import {
  ACCOUNT,
  asList,
  HOME,
  logicalIdOf,
  OTHER,
  ofType,
  policiesOfRole,
  resources,
  stacks,
  synthesizeSwitchyard,
  template,
} from './switchyard-support';

beforeAll(synthesizeSwitchyard);

describe('the Switchyard stack', () => {
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
        alarmName: [
          { prefix: 'switchyard-rollback-' },
          { suffix: '-canary-errors' },
          { prefix: 'switchyard-abort-' },
        ],
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

  it('sweeps the release queue each minute: a schedule invokes the sweep handler alone, which acts on the store and the workflow only', () => {
    const sweep = stacks.home.switchyard.functions.sweepReleaseQueue!;
    const functionArn = { 'Fn::GetAtt': [logicalIdOf(sweep.function), 'Arn'] };
    template.hasResourceProperties('AWS::Events::Rule', {
      // Schedules run on the default bus.
      EventBusName: Match.absent(),
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Arn: functionArn,
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        }),
      ],
    });
    // Only that rule may invoke it.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: functionArn,
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [logicalIdOf(stacks.home.switchyard.queueSweepRule), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(sweep.function) },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
    expect(handlerFunctions().find((deployed) => deployed.name === 'sweepReleaseQueue')?.ports).toEqual([
      'store',
      'workflow',
      'clock',
    ]);
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
    // The alarm handler reads stable's rollout status before it returns a canary's traffic.
    const alarmRole = logicalIdOf(stacks.home.switchyard.functions.onAlarm!.role);
    expect(
      entries.filter(([, entry]) => JSON.stringify(entry.Properties.PrincipalArn).includes(alarmRole)),
    ).toHaveLength(1);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const commands = Object.entries(outputs).filter(([id]) => /Cluster\dAccess/.test(id));
    expect(commands).toHaveLength(2);
    expect(JSON.stringify(commands.map(([, output]) => output.Value))).toContain(
      'aws eks create-access-entry --region eu-west-1 --cluster-name prod-euw1',
    );
  });
});
