/**
 * The six state machines, from the ASL files in statemachines/, each with its log group and a
 * policy of its own grants (its functions, and the children it starts).
 */
import { type CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { MachineName } from '../lambdas/ports';
import type { HandlerFunction } from './handler-function';
import { acknowledge, acknowledgeWildcardResources } from './nag';
import { MACHINE_NAMES, type MachineDefinition, substitutionsFor } from './state-machine-files';
import type { SwitchyardArns } from './switchyard-arns';

/**
 * Adds the state machines to `scope` (their construct ids are `<Machine>StateMachine…` directly
 * under it, so their logical ids do not depend on this module).
 */
export function addStateMachines(
  scope: Construct,
  {
    definitions,
    functions,
    arns,
    logRetention,
  }: {
    definitions: Readonly<Record<MachineName, MachineDefinition>>;
    functions: Readonly<Record<string, HandlerFunction>>;
    arns: SwitchyardArns;
    logRetention: RetentionDays;
  },
): Record<MachineName, StateMachine> {
  const stack = Stack.of(scope);
  const machines: Partial<Record<MachineName, StateMachine>> = {};
  for (const machine of MACHINE_NAMES) {
    const definition = definitions[machine];
    const substitutions = substitutionsFor(definition, {
      functionArn: (handler) => functions[handler]?.function.functionArn,
      stateMachineArn: arns.stateMachineArn,
    });
    const id = `${constructId(machine)}StateMachine`;
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      logGroupName: `/aws/vendedlogs/states/${arns.stateMachineName(machine)}`,
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stateMachine = new StateMachine(scope, id, {
      stateMachineName: arns.stateMachineName(machine),
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(definition.text),
      definitionSubstitutions: substitutions,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    const statements = orchestrationStatements(
      definition.functions.map((handler) => functions[handler]?.function.functionArn ?? ''),
      definition.children.map((child) => ({
        arn: arns.stateMachineArn(child),
        executions: arns.executionArn(child),
      })),
      stack.formatArn({
        service: 'events',
        resource: 'rule',
        resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule',
      }),
    );
    const orchestration = new Policy(scope, `${id}Orchestration`, {
      roles: [stateMachine.role],
      statements,
    });
    // The machine must not start before its grants exist (its Role is a sibling, not the machine).
    (stateMachine.node.defaultChild as CfnResource).addResourceDependency(
      orchestration.node.defaultChild as CfnResource,
    );
    acknowledgeWildcardResources(orchestration, statements, (resource) =>
      definition.children.some((child) => resource === arns.executionArn(child))
        ? 'Executions of a child state machine this one starts (.sync:2 describes and stops them): execution names are chosen at run time.'
        : undefined,
    );
    const defaultPolicy = stateMachine.role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy) {
      acknowledge(
        defaultPolicy,
        'AwsSolutions-IAM5[Resource::*]',
        'Logging to CloudWatch Logs (logs:CreateLogDelivery and related delivery APIs) and X-Ray tracing have no resource-level permissions.',
      );
    }
    machines[machine] = stateMachine;
  }
  return machines as Record<MachineName, StateMachine>;
}

/** `validateRelease` → `ValidateRelease`: construct ids read like the names they hold. */
export function constructId(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** A state machine's own grants: its functions, and its children with what `.sync:2` needs. */
function orchestrationStatements(
  functionArns: readonly string[],
  children: ReadonlyArray<{ arn: string; executions: string }>,
  managedRuleArn: string,
): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  if (functionArns.length > 0) {
    statements.push(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [...functionArns] }),
    );
  }
  if (children.length > 0) {
    statements.push(
      new PolicyStatement({
        actions: ['states:StartExecution'],
        resources: children.map((child) => child.arn),
      }),
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: children.map((child) => child.executions),
      }),
      // .sync:2 learns that a child finished through this EventBridge rule, which Step Functions manages.
      new PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [managedRuleArn],
      }),
    );
  }
  return statements;
}
