/**
 * Switchyard in one construct: the store (DynamoDB), one Lambda function per handler plus the
 * API's, the six state machines from statemachines/, Switchyard's event bus with the alarm
 * rule, the REST API, the orchestrator's dashboard and alarms, and EKS access for the handlers.
 *
 * State machine ARNs are built from their explicit names, not referenced: the functions need
 * them in their environment and IAM, while the state machines need the functions' ARNs, and
 * references both ways would be a circular dependency in CloudFormation (switchyard-arns.ts).
 * Its props and their checks are in switchyard-props.ts. The state machines
 * (switchyard-state-machines.ts) are added directly to this construct, not to a construct of
 * their own, so that their logical ids stay as they were.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, CfnOutput, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { KeyAttributeType } from '../lambdas/adapters/dynamodb/table-definition';
import { STORE_TABLE } from '../lambdas/adapters/dynamodb/table-definition';
import { ENVIRONMENT } from '../lambdas/handlers/aws/environment';
import type { PortName } from '../lambdas/handlers/define';
import type { MachineName } from '../lambdas/ports';
import { AlarmForwarding, alarmEventPattern, deadLetterQueue } from './alarm-forwarding';
import { ClusterAccess } from './cluster-access';
import { GithubDeployRole } from './github-deploy-role';
import { API_FUNCTION, type DeployedFunction, handlerFunctions } from './handler-catalog';
import { writeHandlerEntry } from './handler-entries';
import { HANDLER_TIMEOUT, HandlerFunction } from './handler-function';
import { Monitoring } from './monitoring';
import { acknowledgeWildcardResources } from './nag';
import { SwitchyardNotifications } from './notifications';
import { portPolicyStatements } from './port-permissions';
import { MACHINE_NAMES, type MachineDefinition, readMachineDefinition } from './state-machine-files';
import { API_STAGE, SwitchyardApi } from './switchyard-api';
import { switchyardArns, wildcardReason } from './switchyard-arns';
import { type SwitchyardProps, validateSwitchyardProps } from './switchyard-props';
import { addStateMachines, constructId } from './switchyard-state-machines';

export type { SwitchyardCluster } from './cluster-access';
export type { SwitchyardProps } from './switchyard-props';

/** The repository this file is in: lambdas/ and statemachines/ are found from here. */
export const DEFAULT_PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One function per handler, plus the API. */
export type SwitchyardFunctionName = string;

/** The handler the API invokes for POST /plans/preflight. */
const PREFLIGHT_FUNCTION = 'preflightPlan';
/** The handler EventBridge invokes with ALARM state changes. */
const ALARM_FUNCTION = 'onAlarm';
/** The handler an EventBridge schedule invokes each minute: the release queue's sweep. */
const QUEUE_SWEEP_FUNCTION = 'sweepReleaseQueue';

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
  /** Each minute, the release queue's sweep (handlers/release-queue.ts). */
  readonly queueSweepRule: Rule;
  readonly alarmDeadLetterQueue: Queue;
  readonly homeAlarmForwarding: AlarmForwarding;
  readonly monitoring: Monitoring;
  readonly clusterAccess: ClusterAccess;
  /** Present when the notifications prop turns them on. */
  readonly notifications?: SwitchyardNotifications;
  readonly githubDeployRole?: GithubDeployRole;

  constructor(scope: Construct, id: string, props: SwitchyardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const namePrefix = props.namePrefix ?? 'switchyard';
    const alarmNamePrefix = props.alarmNamePrefix ?? 'switchyard-rollback-';
    const projectRoot = props.projectRoot ?? DEFAULT_PROJECT_ROOT;
    const logRetention = props.logRetention ?? RetentionDays.SIX_MONTHS;
    const clusters = props.clusters ?? [];
    validateSwitchyardProps(props, { namePrefix, alarmNamePrefix, clusters });

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
    if ((props.hostedZoneIds ?? []).length === 0) {
      Annotations.of(this).addWarningV2(
        'switchyard:noHostedZones',
        'No hostedZoneIds: Switchyard may read and change no Route 53 record, so plans with a dns record fail at preflight and failover cannot move DNS weights.',
      );
    }
    const functions: Record<string, HandlerFunction> = {};
    const arns = switchyardArns(stack, props, {
      namePrefix,
      clusters,
      tableArn: this.table.tableArn,
      eventBusArn: this.eventBus.eventBusArn,
      preflightFunctionArn: () => functions[PREFLIGHT_FUNCTION]?.function.functionArn ?? '',
    });
    const { stateMachineArn, resourceArns } = arns;

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
    this.stateMachines = addStateMachines(this, { definitions, functions, arns, logRetention });

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

    // ── the release queue's sweep ───────────────────────────────────────────
    const sweep = functions[QUEUE_SWEEP_FUNCTION];
    if (!sweep) throw new Error(`the ${QUEUE_SWEEP_FUNCTION} handler is not registered`);
    // Each place that lets the release lock go dispatches the queue itself; this starts what they
    // missed. The next minute's sweep is its retry, so neither EventBridge nor Lambda retries one.
    sweep.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    this.queueSweepRule = new Rule(this, 'QueueSweepRule', {
      description: 'Each minute: start the queued release whose turn has come, if nothing started it',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(sweep.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
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

    // ── notifications and CI ────────────────────────────────────────────────
    if (props.notifications) {
      this.notifications = new SwitchyardNotifications(this, 'Notifications', {
        topic: props.notifications === true ? undefined : props.notifications.topic,
        namePrefix,
        eventBus: this.eventBus,
        releaseStateMachineArn: stateMachineArn('release'),
        rollbackStateMachineArn: stateMachineArn('rollback'),
        apiUrl: this.api.url,
      });
      new CfnOutput(this, 'NotificationTopicArn', {
        value: this.notifications.topic.topicArn,
        description:
          'Release notifications: subscribe a chat channel (Amazon Q Developer) or an email address',
      });
    }
    if (props.githubDeployRole) {
      const restApi = this.api.restApi;
      this.githubDeployRole = new GithubDeployRole(this, 'GithubDeployRole', {
        ...props.githubDeployRole,
        methodArn: (method, path) => restApi.arnForExecuteApi(method, path, API_STAGE),
      });
      new CfnOutput(this, 'GithubDeployRoleArn', {
        value: this.githubDeployRole.deployRole.roleArn,
        description: 'role-to-assume of the workflow that starts releases',
      });
      if (this.githubDeployRole.preflightRole) {
        new CfnOutput(this, 'GithubPreflightRoleArn', {
          value: this.githubDeployRole.preflightRole.roleArn,
          description: "role-to-assume of the pull requests' preflight",
        });
      }
    }

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
