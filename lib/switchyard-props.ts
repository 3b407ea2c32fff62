/** What a Switchyard construct is given, and the checks that refuse a wrong configuration early. */
import { type RemovalPolicy, Token } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { SwitchyardCluster } from './cluster-access';
import { type GithubDeployRoleOptions, githubDeployRoleProblems } from './github-deploy-role';

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
   * Send release started, succeeded, failed, rolled back and refused, and approval needed, as
   * messages for people (Amazon Q Developer in chat applications' custom format) to an SNS topic:
   * `true` (or `{}`) creates a KMS-encrypted topic; `{ topic }` uses yours, whose resource policy
   * this construct extends (an imported topic's owner must allow the rules, and its key must let
   * EventBridge use it).
   * @default false
   */
  readonly notifications?: boolean | { readonly topic?: ITopic };
  /**
   * An IAM role GitHub Actions assume through OIDC to start releases from one branch of one
   * repository (execute-api:Invoke on POST /releases and GET /releases/* only), and optionally a
   * role its pull requests assume to preflight plans.
   * @default - none
   */
  readonly githubDeployRole?: GithubDeployRoleOptions;
  /**
   * What happens to the table (releases, audit) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * Bundle the AWS SDK into each function (the versions the tests ran) instead of using the
   * Lambda runtime's copy. The runtime's copy keeps bundles small (about 0.5 MB less each, and
   * NodejsFunction's own default) and takes the runtime's SDK updates; bundling pins the exact
   * versions the tests ran and initialises faster: one minified file instead of each SDK
   * package loaded from node_modules (a cluster handler about 320 ms down to 220 ms, measured
   * with the project's own copy standing in for the runtime's: test/bench/synth.bench.ts).
   * @default false
   */
  readonly bundleAwsSdk?: boolean;
  /**
   * The Switchyard sources (lambdas/, statemachines/, package-lock.json).
   * @default - the repository this construct is in
   */
  readonly projectRoot?: string;
}

export function validateSwitchyardProps(
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
  if (props.githubDeployRole) problems.push(...githubDeployRoleProblems(props.githubDeployRole));
  if (problems.length > 0) throw new Error(`Switchyard: ${problems.join('; ')}`);
}
