/**
 * Switchyard in one construct: the store (DynamoDB), one Lambda function per handler plus the
 * API's, the six state machines from statemachines/, Switchyard's event bus with the alarm
 * rule, the REST API, the orchestrator's dashboard and alarms, and EKS access for the handlers.
 *
 * State machine ARNs are built from their explicit names, not referenced: the functions need
 * them in their environment and IAM, while the state machines need the functions' ARNs, and
 * references both ways would be a circular dependency in CloudFormation.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Annotations,
  ArnFormat,
  CfnOutput,
  type CfnResource,
  Duration,
  Fn,
  Lazy,
  RemovalPolicy,
  Stack,
  Token,
} from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { KeyAttributeType } from '../lambdas/adapters/dynamodb/table-definition';
import { STORE_TABLE } from '../lambdas/adapters/dynamodb/table-definition';
import { ENVIRONMENT } from '../lambdas/handlers/aws/environment';
import type { PortName } from '../lambdas/handlers/define';
import type { MachineName } from '../lambdas/ports';
import { AlarmForwarding, alarmEventPattern, deadLetterQueue } from './alarm-forwarding';
import { ClusterAccess, type SwitchyardCluster } from './cluster-access';
import { API_FUNCTION, type DeployedFunction, handlerFunctions } from './handler-catalog';
import { writeHandlerEntry } from './handler-entries';
import { HANDLER_TIMEOUT, HandlerFunction } from './handler-function';
import { Monitoring } from './monitoring';
import { acknowledge, acknowledgeWildcardResources } from './nag';
import {
  type HandlerResourceArns,
  MANAGED_TAG,
  MANAGED_TAG_CONDITION,
  portPolicyStatements,
  recordChangeConditions,
} from './port-permissions';
import {
  MACHINE_FILES,
  MACHINE_NAMES,
  type MachineDefinition,
  readMachineDefinition,
  substitutionsFor,
} from './state-machine-files';
import { API_STAGE, SwitchyardApi } from './switchyard-api';

export type { SwitchyardCluster } from './cluster-access';

/** The repository this file is in: lambdas/ and statemachines/ are found from here. */
export const DEFAULT_PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface SwitchyardProps {
  /** Regions whose EKS clusters, load balancers and alarms Switchyard acts on. */
  readonly workloadRegions: readonly string[];
  /**
   * The EKS clusters Switchyard deploys to, with the namespaces it may change.
   * @default - none: the handlers may describe any cluster in the workload regions, and no
   *   access entry is created or described
   */
  readonly clusters?: readonly SwitchyardCluster[];
  /**
   * Application Load Balancers whose listener default actions and listener rules Switchyard may
   * change (their forward weights), by name, in every workload region.
   * @default - none by name: only listeners and rules tagged `switchyard.dev/managed: true`
   */
  readonly loadBalancerNames?: readonly string[];
  /**
   * Route 53 hosted zones whose weighted records Switchyard may read, and failover change.
   * @default - none: a plan with a `dns` record fails at preflight, and failover cannot move DNS
   */
  readonly hostedZoneIds?: readonly string[];
  /**
   * The record names in those zones failover may change (e.g. `api.example.com`).
   * @default - any record in the hosted zones
   */
  readonly dnsRecordNames?: readonly string[];
  /**
   * Reserve concurrency for the rollback path (the alarm handler and the rollback state
   * machine's functions) and cap the API function's, so that a flood of API requests or of
   * releases cannot leave a rollback without capacity. Reserved concurrency comes out of the
   * account's regional pool, whose unreserved part must stay at 100 or more: a deploy into an
   * account whose concurrency quota is too low fails (new accounts may have a quota of 10);
   * there, set this to false.
   * @default true
   */
  readonly reserveConcurrency?: boolean;
  /**
   * Concurrent executions reserved for each function the rollback state machine invokes (one
   * rollback runs its regions in parallel, so about one per workload region is used).
   * @default 10
   */
  readonly rollbackReservedConcurrency?: number;
  /**
   * Concurrent executions reserved for the alarm handler (EventBridge invokes it asynchronously:
   * events beyond it wait and are retried).
   * @default 5
   */
  readonly alarmReservedConcurrency?: number;
  /**
   * Concurrent executions reserved for, and the most allowed to, the API function.
   * @default 20 (the API stage's default burst limit)
   */
  readonly apiReservedConcurrency?: number;
  /**
   * Only alarms whose name starts with this can trigger a rollback (and only for releases
   * whose plan watches them).
   * @default 'switchyard-rollback-'
   */
  readonly alarmNamePrefix?: string;
  /**
   * Prefix of the names Switchyard gives its resources (state machines, event bus, API,
   * dashboard, alarms). Unique per account and region.
   * @default 'switchyard'
   */
  readonly namePrefix?: string;
  /**
   * Lambda functions that analysis hooks (checks of type `lambda`) may invoke, as a function
   * name pattern, in the workload regions.
   * @default '<namePrefix>-hook-*'
   */
  readonly hookFunctionNamePattern?: string;
  /**
   * Create the EKS access entries of the cluster handlers' roles for clusters in this stack's
   * region and account. Others are described in the stack's outputs.
   * @default false
   */
  readonly createClusterAccessEntries?: boolean;
  /** @default RetentionDays.SIX_MONTHS */
  readonly logRetention?: RetentionDays;
  /**
   * Powertools log level of the handlers.
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** @default 512 */
  readonly handlerMemorySize?: number;
  /**
   * Steady-state requests per second the API stage accepts.
   * @default 10
   */
  readonly apiThrottlingRateLimit?: number;
  /** @default 20 */
  readonly apiThrottlingBurstLimit?: number;
  /**
   * Create API Gateway's account-level CloudWatch role, which execution logging needs. Set to
   * false when the account already has one.
   * @default true
   */
  readonly apiGatewayCloudWatchRole?: boolean;
  /**
   * A regional WAFv2 web ACL to associate with the API stage.
   * @default - none
   */
  readonly webAclArn?: string;
  /**
   * Where the orchestrator's alarms notify (alarm and OK).
   * @default - no notification: the alarms show on the dashboard and console
   */
  readonly alarmTopic?: ITopic;
  /**
   * What happens to the table (releases, audit) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * Bundle the AWS SDK into each function (the versions the tests ran) instead of using the
   * Lambda runtime's copy. The runtime's copy keeps bundles small (about 0.5 MB less each, and
   * NodejsFunction's own default); bundling pins the exact versions the tests ran.
   * @default false
   */
  readonly bundleAwsSdk?: boolean;
  /**
   * The Switchyard sources (lambdas/, statemachines/, package-lock.json).
   * @default - the repository this construct is in
   */
  readonly projectRoot?: string;
}

/** One function per handler, plus the API. */
export type SwitchyardFunctionName = string;

/** The handler the API invokes for POST /plans/preflight. */
const PREFLIGHT_FUNCTION = 'preflightPlan';
/** The handler EventBridge invokes with ALARM state changes. */
const ALARM_FUNCTION = 'onAlarm';

/** Reserved concurrency when the props do not say (see reserveConcurrency and the numbers' props). */
const RESERVED_CONCURRENCY_DEFAULTS = { rollback: 10, alarm: 5, api: 20 } as const;

export class Switchyard extends Construct {
  readonly table: Table;
  readonly eventBus: EventBus;
  /** Every function, by handler name; the API's is `api`. */
  readonly functions: Readonly<Record<SwitchyardFunctionName, HandlerFunction>>;
  readonly stateMachines: Readonly<Record<MachineName, StateMachine>>;
  readonly api: SwitchyardApi;
  readonly alarmRule: Rule;
  readonly alarmDeadLetterQueue: Queue;
  readonly homeAlarmForwarding: AlarmForwarding;
  readonly monitoring: Monitoring;
  readonly clusterAccess: ClusterAccess;

  constructor(scope: Construct, id: string, props: SwitchyardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const namePrefix = props.namePrefix ?? 'switchyard';
    const alarmNamePrefix = props.alarmNamePrefix ?? 'switchyard-rollback-';
    const projectRoot = props.projectRoot ?? DEFAULT_PROJECT_ROOT;
    const logRetention = props.logRetention ?? RetentionDays.SIX_MONTHS;
    const clusters = props.clusters ?? [];
    validate(props, { namePrefix, alarmNamePrefix, clusters });

    // ── store and events ────────────────────────────────────────────────────
    this.table = new Table(this, 'Table', {
      partitionKey: keyAttribute(STORE_TABLE.partitionKey),
      sortKey: keyAttribute(STORE_TABLE.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: STORE_TABLE.timeToLiveAttribute,
      removalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    for (const index of STORE_TABLE.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: keyAttribute(index.partitionKey),
        sortKey: keyAttribute(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }
    this.eventBus = new EventBus(this, 'Events', {
      eventBusName: eventBusName(namePrefix),
      description: "Switchyard's own events (source switchyard) and forwarded CloudWatch alarm events",
    });

    // ── names and ARNs known before anything exists ─────────────────────────
    const stateMachineName = (machine: MachineName) =>
      `${namePrefix}-${MACHINE_FILES[machine].replace(/\.asl\.json$/, '')}`;
    const stateMachineArn = (machine: MachineName) =>
      stack.formatArn({
        service: 'states',
        resource: 'stateMachine',
        resourceName: stateMachineName(machine),
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const executionArn = (machine: MachineName) =>
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${stateMachineName(machine)}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const inWorkloadRegions = (
      service: string,
      resource: string,
      resourceName: string,
      arnFormat: ArnFormat,
    ) =>
      props.workloadRegions.map((region) =>
        stack.formatArn({ service, region, resource, resourceName, arnFormat }),
      );
    const partition = stack.partition;
    const loadBalancerPatterns = props.loadBalancerNames?.map((name) => `app/${name}/*`) ?? ['app/*'];
    if ((props.hostedZoneIds ?? []).length === 0) {
      Annotations.of(this).addWarningV2(
        'switchyard:noHostedZones',
        'No hostedZoneIds: Switchyard may read and change no Route 53 record, so plans with a dns record fail at preflight and failover cannot move DNS weights.',
      );
    }
    // Filled in once the functions exist; the API's role names the preflight function's ARN.
    const functions: Record<string, HandlerFunction> = {};
    const resourceArns: HandlerResourceArns = {
      preflightFunctionArn: Lazy.string({
        produce: () => functions[PREFLIGHT_FUNCTION]?.function.functionArn ?? '',
      }),
      tableArn: this.table.tableArn,
      stateMachineArns: MACHINE_NAMES.map(stateMachineArn),
      executionArns: MACHINE_NAMES.map(executionArn),
      eventBusArn: this.eventBus.eventBusArn,
      clusterArns:
        clusters.length > 0
          ? clusters.map((cluster) =>
              stack.formatArn({
                service: 'eks',
                region: cluster.region,
                resource: 'cluster',
                resourceName: cluster.clusterName,
              }),
            )
          : inWorkloadRegions('eks', 'cluster', '*', ArnFormat.SLASH_RESOURCE_NAME),
      // arn:<partition>:eks:<region>:<account>:access-entry/<cluster>/<type>/<account>/<name>/<id>
      // (Service Authorization Reference, Amazon Elastic Kubernetes Service: resource types).
      accessEntryArns:
        clusters.length > 0
          ? clusters.map((cluster) =>
              stack.formatArn({
                service: 'eks',
                region: cluster.region,
                resource: 'access-entry',
                resourceName: `${cluster.clusterName}/*`,
              }),
            )
          : inWorkloadRegions('eks', 'access-entry', '*', ArnFormat.SLASH_RESOURCE_NAME),
      // listener/app/<lb-name>/<lb-id>/<listener-id> and listener-rule/app/<lb-name>/<lb-id>/<listener-id>/<rule-id>
      // (Service Authorization Reference, Elastic Load Balancing V2: resource types).
      listenerArns: loadBalancerPatterns.flatMap((pattern) =>
        inWorkloadRegions('elasticloadbalancing', 'listener', pattern, ArnFormat.SLASH_RESOURCE_NAME),
      ),
      listenerRuleArns: loadBalancerPatterns.flatMap((pattern) =>
        inWorkloadRegions('elasticloadbalancing', 'listener-rule', pattern, ArnFormat.SLASH_RESOURCE_NAME),
      ),
      ...(props.loadBalancerNames === undefined && { listenerChangeConditions: MANAGED_TAG_CONDITION }),
      hostedZoneArns: (props.hostedZoneIds ?? []).map(
        (zoneId) => `arn:${partition}:route53:::hostedzone/${zoneId}`,
      ),
      recordChangeConditions: recordChangeConditions(props.dnsRecordNames),
      route53ChangeArn: `arn:${partition}:route53:::change/*`,
      alarmArns: inWorkloadRegions('cloudwatch', 'alarm', '*', ArnFormat.COLON_RESOURCE_NAME),
      hookFunctionArns: inWorkloadRegions(
        'lambda',
        'function',
        props.hookFunctionNamePattern ?? `${namePrefix}-hook-*`,
        ArnFormat.COLON_RESOURCE_NAME,
      ),
    };

    // ── functions ───────────────────────────────────────────────────────────
    const stateMachineArnsJson = stack.toJsonString(
      Object.fromEntries(MACHINE_NAMES.map((machine) => [machine, stateMachineArn(machine)])),
    );
    const environmentFor = (ports: readonly PortName[]): Record<string, string> => ({
      POWERTOOLS_SERVICE_NAME: 'switchyard',
      POWERTOOLS_METRICS_NAMESPACE: 'Switchyard',
      POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
      ...(ports.includes('store') ? { [ENVIRONMENT.tableName]: this.table.tableName } : {}),
      ...(ports.includes('events') ? { [ENVIRONMENT.eventBusName]: this.eventBus.eventBusName } : {}),
      ...(ports.includes('workflow') ? { [ENVIRONMENT.stateMachineArns]: stateMachineArnsJson } : {}),
    });
    const deployedFunctions: DeployedFunction[] = [...handlerFunctions(), API_FUNCTION];
    const statemachinesDir = join(projectRoot, 'statemachines');
    const definitions = Object.fromEntries(
      MACHINE_NAMES.map((machine) => [machine, readMachineDefinition(statemachinesDir, machine)]),
    ) as Record<MachineName, MachineDefinition>;
    const reservedConcurrency = reservedConcurrencyOf(props, new Set(definitions.rollback.functions));
    for (const deployed of deployedFunctions) {
      const entry = deployed.isDefinition
        ? writeHandlerEntry(deployed, projectRoot)
        : join(projectRoot, `${deployed.modulePath}.ts`);
      if (!existsSync(entry))
        throw new Error(`the ${deployed.name} function's entry ${entry} does not exist`);
      const portStatements = [...new Set(deployed.ports)].flatMap((port) =>
        portPolicyStatements(port, resourceArns),
      );
      const fn = new HandlerFunction(this, `${constructId(deployed.name)}Function`, {
        handlerName: deployed.name,
        entry,
        projectRoot,
        environment: environmentFor(deployed.ports),
        portStatements,
        timeout: deployed === API_FUNCTION ? Duration.seconds(29) : HANDLER_TIMEOUT,
        memorySize: props.handlerMemorySize ?? 512,
        reservedConcurrentExecutions: reservedConcurrency(deployed.name),
        logRetention,
        bundleAwsSdk: props.bundleAwsSdk ?? false,
      });
      if (fn.portAccess) {
        acknowledgeWildcardResources(fn.portAccess, portStatements, (resource, actions) =>
          wildcardReason(resource, actions, resourceArns),
        );
      }
      functions[deployed.name] = fn;
    }
    this.functions = functions;

    // ── state machines ──────────────────────────────────────────────────────
    const machines: Partial<Record<MachineName, StateMachine>> = {};
    for (const machine of MACHINE_NAMES) {
      const definition = definitions[machine];
      const substitutions = substitutionsFor(definition, {
        functionArn: (handler) => functions[handler]?.function.functionArn,
        stateMachineArn,
      });
      const id = `${constructId(machine)}StateMachine`;
      const logGroup = new LogGroup(this, `${id}Logs`, {
        logGroupName: `/aws/vendedlogs/states/${stateMachineName(machine)}`,
        retention: logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const stateMachine = new StateMachine(this, id, {
        stateMachineName: stateMachineName(machine),
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromString(definition.text),
        definitionSubstitutions: substitutions,
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
        tracingEnabled: true,
      });
      const statements = orchestrationStatements(
        definition.functions.map((handler) => functions[handler]?.function.functionArn ?? ''),
        definition.children.map((child) => ({
          arn: stateMachineArn(child),
          executions: executionArn(child),
        })),
        stack.formatArn({
          service: 'events',
          resource: 'rule',
          resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule',
        }),
      );
      const orchestration = new Policy(this, `${id}Orchestration`, {
        roles: [stateMachine.role],
        statements,
      });
      // The machine must not start before its grants exist (its Role is a sibling, not the machine).
      (stateMachine.node.defaultChild as CfnResource).addResourceDependency(
        orchestration.node.defaultChild as CfnResource,
      );
      acknowledgeWildcardResources(orchestration, statements, (resource) =>
        definition.children.some((child) => resource === executionArn(child))
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
    this.stateMachines = machines as Record<MachineName, StateMachine>;

    // ── alarms in, through the bus, to the alarm handler ────────────────────
    const onAlarm = functions[ALARM_FUNCTION];
    if (!onAlarm) throw new Error(`the ${ALARM_FUNCTION} handler is not registered`);
    this.alarmDeadLetterQueue = deadLetterQueue(
      this,
      'AlarmDeadLetters',
      'the alarm rule and the alarm handler',
    );
    onAlarm.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.alarmDeadLetterQueue),
    });
    this.alarmRule = new Rule(this, 'AlarmRule', {
      eventBus: this.eventBus,
      description: `ALARM state changes of alarms named ${alarmNamePrefix}*, from every workload region, to the alarm handler`,
      eventPattern: alarmEventPattern(alarmNamePrefix),
      targets: [
        new LambdaFunction(onAlarm.function, {
          deadLetterQueue: this.alarmDeadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
    this.homeAlarmForwarding = new AlarmForwarding(this, 'HomeAlarmForwarding', {
      targetEventBusArn: this.eventBus.eventBusArn,
      alarmNamePrefix,
      namePrefix,
    });

    // ── API ─────────────────────────────────────────────────────────────────
    const apiFunction = functions[API_FUNCTION.name];
    if (!apiFunction) throw new Error('the API function was not created');
    this.api = new SwitchyardApi(this, 'Api', {
      handler: apiFunction.function,
      namePrefix,
      throttlingRateLimit: props.apiThrottlingRateLimit ?? 10,
      throttlingBurstLimit: props.apiThrottlingBurstLimit ?? 20,
      logRetention,
      cloudWatchRole: props.apiGatewayCloudWatchRole ?? true,
      webAclArn: props.webAclArn,
    });

    // ── watching the orchestrator ───────────────────────────────────────────
    this.monitoring = new Monitoring(this, 'Monitoring', {
      namePrefix,
      stateMachines: this.stateMachines,
      functions: Object.values(functions).map((fn) => fn.function),
      deadLetterQueues: {
        'alarm-handler': this.alarmDeadLetterQueue,
        'alarm-forwarding': this.homeAlarmForwarding.deadLetterQueue,
      },
      apiName: `${namePrefix}-api`,
      apiStage: API_STAGE,
      alarmTopic: props.alarmTopic,
    });

    // ── EKS access ──────────────────────────────────────────────────────────
    this.clusterAccess = new ClusterAccess(this, 'ClusterAccess', {
      clusters,
      roles: deployedFunctions
        // The traffic ports read and patch Ingresses (albIngress) through the same Kubernetes API.
        .filter((deployed) =>
          deployed.ports.some((port) => port === 'cluster' || port === 'traffic' || port === 'trafficReader'),
        )
        .map((deployed) => functions[deployed.name]?.role)
        .filter((role) => role !== undefined),
      createAccessEntries: props.createClusterAccessEntries ?? false,
    });
    // Preflight judges each of those roles by its access entries, and the API invokes preflight.
    const clusterRoleArns = Fn.join(
      ' ',
      this.clusterAccess.roles.map((role) => role.roleArn),
    );
    for (const deployed of deployedFunctions) {
      const fn = functions[deployed.name]?.function;
      if (deployed.ports.includes('inventory')) {
        fn?.addEnvironment(ENVIRONMENT.clusterRoleArns, clusterRoleArns);
        // Preflight refuses a plan whose changes these grants do not allow (see the IAM above).
        fn?.addEnvironment(ENVIRONMENT.hostedZoneIds, (props.hostedZoneIds ?? []).join(' '));
        if (props.loadBalancerNames !== undefined)
          fn?.addEnvironment(ENVIRONMENT.loadBalancerNames, props.loadBalancerNames.join(' '));
        if (props.dnsRecordNames !== undefined)
          fn?.addEnvironment(ENVIRONMENT.dnsRecordNames, props.dnsRecordNames.join(' '));
      }
      if (deployed.ports.includes('preflight')) {
        const preflight = functions[PREFLIGHT_FUNCTION]?.function;
        if (!preflight) throw new Error(`the ${PREFLIGHT_FUNCTION} function was not created`);
        fn?.addEnvironment(ENVIRONMENT.preflightFunctionName, preflight.functionName);
      }
    }

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URL of the Switchyard API (SigV4)',
    });
    new CfnOutput(this, 'ApiInvokeArn', {
      value: this.api.invokeArn,
      description: 'Grant execute-api:Invoke on this to the people and pipelines that use the API',
    });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'ReleaseStateMachineArn', { value: this.stateMachines.release.stateMachineArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
  }
}

/** The name of Switchyard's event bus for a name prefix (the forwarding stacks need it). */
export function eventBusName(namePrefix: string): string {
  return `${namePrefix}-events`;
}

const ATTRIBUTE_TYPES: Readonly<Record<KeyAttributeType, AttributeType>> = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
};

function keyAttribute(key: { name: string; type: KeyAttributeType }) {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

/** `validateRelease` → `ValidateRelease`: construct ids read like the names they hold. */
function constructId(name: string): string {
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

/**
 * Reserved concurrency by function name. It is both what the function is guaranteed and the most
 * it may run at once, and it is taken from the account's unreserved pool, which must keep 100
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
 */
function reservedConcurrencyOf(
  props: SwitchyardProps,
  rollbackFunctions: ReadonlySet<string>,
): (name: string) => number | undefined {
  if (props.reserveConcurrency === false) return () => undefined;
  return (name) => {
    if (name === API_FUNCTION.name) return props.apiReservedConcurrency ?? RESERVED_CONCURRENCY_DEFAULTS.api;
    if (name === ALARM_FUNCTION) return props.alarmReservedConcurrency ?? RESERVED_CONCURRENCY_DEFAULTS.alarm;
    if (rollbackFunctions.has(name)) {
      return props.rollbackReservedConcurrency ?? RESERVED_CONCURRENCY_DEFAULTS.rollback;
    }
    return undefined;
  };
}

/** Why a handler's port grant names a wildcard resource. */
function wildcardReason(
  resource: string,
  actions: readonly string[],
  arns: HandlerResourceArns,
): string | undefined {
  if (resource === '*') {
    return `${actions.join(', ')} have no resource-level permissions (Elastic Load Balancing Describe* and CloudWatch GetMetricData).`;
  }
  if (resource === `${arns.tableArn}/index/*`)
    return "Queries on the Switchyard table's own global secondary indexes.";
  if (arns.executionArns.includes(resource)) {
    return "Executions of Switchyard's own state machines: execution names (release ids) are chosen at run time.";
  }
  if (arns.clusterArns.includes(resource))
    return 'Any EKS cluster in a workload region (no clusters were configured).';
  if (arns.accessEntryArns.includes(resource)) {
    return "Access entries of Switchyard's EKS clusters (read-only): preflight checks which roles may act on them; entry ARNs end in an id EKS assigns.";
  }
  if (arns.listenerArns.includes(resource) || arns.listenerRuleArns.includes(resource)) {
    return arns.listenerChangeConditions === undefined
      ? 'Listeners and listener rules of the configured load balancers only (listener/app/<name>/* and listener-rule/app/<name>/*), in the workload regions: ELB assigns the load balancer, listener and rule ids. The handler changes only forward weights.'
      : `ALB listeners and listener rules in the workload regions, only those tagged ${MANAGED_TAG.key}=${MANAGED_TAG.value} (an aws:ResourceTag condition on ModifyListener and ModifyRule): no loadBalancerNames were configured. The handler changes only forward weights.`;
  }
  if (resource === arns.route53ChangeArn)
    return 'Route 53 change ids are returned by ChangeResourceRecordSets at run time.';
  if (arns.alarmArns.includes(resource)) {
    return 'CloudWatch alarms named by release plans for analysis, in the workload regions only (read-only).';
  }
  if (arns.hookFunctionArns.includes(resource)) {
    return 'Analysis hook functions, limited to the hook name pattern in the workload regions.';
  }
  return undefined;
}

function validate(
  props: SwitchyardProps,
  resolved: { namePrefix: string; alarmNamePrefix: string; clusters: readonly SwitchyardCluster[] },
): void {
  const problems: string[] = [];
  if (props.workloadRegions.length === 0) problems.push('workloadRegions: name at least one region');
  for (const region of props.workloadRegions) {
    if (Token.isUnresolved(region) || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
      problems.push(`workloadRegions: "${region}" is not a region name`);
    }
  }
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(resolved.namePrefix)) {
    problems.push(`namePrefix: "${resolved.namePrefix}" must be 1–31 lowercase letters, digits or hyphens`);
  }
  if (resolved.alarmNamePrefix.length === 0)
    problems.push('alarmNamePrefix: must not be empty (every alarm would match)');
  const ownAlarms = `${resolved.namePrefix}-orchestrator-`;
  if (ownAlarms.startsWith(resolved.alarmNamePrefix) || resolved.alarmNamePrefix.startsWith(ownAlarms)) {
    problems.push(
      `alarmNamePrefix: "${resolved.alarmNamePrefix}" overlaps the orchestrator's own alarm names (${ownAlarms}…)`,
    );
  }
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      problems.push(
        `${name}: ${value} must be a whole number of at least 1 (0 would stop the function running)`,
      );
    }
  };
  positive('rollbackReservedConcurrency', props.rollbackReservedConcurrency);
  positive('alarmReservedConcurrency', props.alarmReservedConcurrency);
  positive('apiReservedConcurrency', props.apiReservedConcurrency);
  // A name or id with a wildcard in it would widen the grant it is meant to narrow.
  for (const name of props.loadBalancerNames ?? []) {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(name)) {
      problems.push(
        `loadBalancerNames: "${name}" is not a load balancer name (1–32 letters, digits or inner hyphens)`,
      );
    }
  }
  for (const zoneId of props.hostedZoneIds ?? []) {
    if (!/^[A-Z0-9]{1,32}$/.test(zoneId)) {
      problems.push(`hostedZoneIds: "${zoneId}" is not a hosted zone id (like Z0123456789ABCDEFGHIJ)`);
    }
  }
  if (props.dnsRecordNames !== undefined) {
    if (props.dnsRecordNames.length === 0)
      problems.push('dnsRecordNames: name at least one record, or leave it out');
    if ((props.hostedZoneIds ?? []).length === 0)
      problems.push('dnsRecordNames: give the hostedZoneIds they are in');
    for (const name of props.dnsRecordNames) {
      if (!/^\S+$/.test(name)) problems.push(`dnsRecordNames: "${name}" is not a record name`);
    }
  }
  for (const cluster of resolved.clusters) {
    if (!props.workloadRegions.includes(cluster.region)) {
      problems.push(
        `clusters: ${cluster.clusterName} is in ${cluster.region}, which is not a workload region`,
      );
    }
    if (cluster.namespaces.length === 0) problems.push(`clusters: ${cluster.clusterName} names no namespace`);
  }
  if (problems.length > 0) throw new Error(`Switchyard: ${problems.join('; ')}`);
}
