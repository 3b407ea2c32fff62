/**
 * IAM for the handlers, from what their adapters declare: a function's role gets exactly the
 * actions of the ports its handler uses, each scoped to the resources it acts on. Every
 * declared action must have a scope here, so an adapter that starts calling a new API fails
 * synth until someone decides what the new action may touch.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { ABORT_ALARMS_IAM_ACTIONS } from '../lambdas/adapters/aws/cloudwatch-abort-alarms';
import { SIGNALS_IAM_ACTIONS } from '../lambdas/adapters/aws/cloudwatch-signals';
import { EVENTS_IAM_ACTIONS } from '../lambdas/adapters/aws/eventbridge-events';
import { INVENTORY_IAM_ACTIONS } from '../lambdas/adapters/aws/inventory';
import { PREFLIGHT_IAM_ACTIONS } from '../lambdas/adapters/aws/lambda-preflight';
import {
  DNS_CHANGE_ACTIONS,
  DNS_IAM_ACTIONS,
  DNS_READER_IAM_ACTIONS,
} from '../lambdas/adapters/aws/route53-dns';
import { WORKFLOW_IAM_ACTIONS } from '../lambdas/adapters/aws/stepfunctions-workflow';
import { TRAFFIC_IAM_ACTIONS, TRAFFIC_READER_IAM_ACTIONS } from '../lambdas/adapters/aws/traffic';
import { STORE_IAM_ACTIONS } from '../lambdas/adapters/dynamodb/store';
import { CLUSTER_IAM_ACTIONS } from '../lambdas/adapters/kubernetes/iam';
import { iamRecordName } from '../lambdas/core/dns-names';
import type { PortName } from '../lambdas/handlers/define';

/** What each port's adapter calls (the clock calls nothing). */
export const PORT_IAM_ACTIONS: { readonly [Port in PortName]: readonly string[] } = {
  store: STORE_IAM_ACTIONS,
  workflow: WORKFLOW_IAM_ACTIONS,
  events: EVENTS_IAM_ACTIONS,
  cluster: CLUSTER_IAM_ACTIONS,
  traffic: TRAFFIC_IAM_ACTIONS,
  trafficReader: TRAFFIC_READER_IAM_ACTIONS,
  dns: DNS_IAM_ACTIONS,
  dnsReader: DNS_READER_IAM_ACTIONS,
  signals: SIGNALS_IAM_ACTIONS,
  abortAlarms: ABORT_ALARMS_IAM_ACTIONS,
  preflight: PREFLIGHT_IAM_ACTIONS,
  inventory: INVENTORY_IAM_ACTIONS,
  clock: [],
};

/**
 * Actions granted on `*` because the service has no resource-level permissions for them:
 * Elastic Load Balancing's Describe* calls and CloudWatch GetMetricData.
 */
export const ACTIONS_WITHOUT_RESOURCE_SCOPE: ReadonlySet<string> = new Set([
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
  'cloudwatch:GetMetricData',
]);

/** IAM condition blocks: operator → condition key → value or values. */
export type Conditions = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

/**
 * The tag that lets Switchyard change a listener's default actions or a rule's actions when no
 * load balancer names are configured. It goes on the listener or the rule itself: ModifyListener
 * and ModifyRule take aws:ResourceTag/${TagKey} on listener/app and listener-rule/app
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html).
 */
export const MANAGED_TAG = { key: 'switchyard.dev/managed', value: 'true' } as const;

export const MANAGED_TAG_CONDITION: Conditions = {
  StringEquals: { [`aws:ResourceTag/${MANAGED_TAG.key}`]: MANAGED_TAG.value },
};

/**
 * What a ChangeResourceRecordSets call must hold: only the change actions the DNS adapter makes
 * and, when names are configured, only records of those names
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonroute53.html).
 * No record-type condition: the adapter changes every weighted record at the name, whatever its
 * type (A and AAAA of a dual-stack name, CNAME, ...).
 */
export function recordChangeConditions(recordNames: readonly string[] | undefined): Conditions {
  return {
    'ForAllValues:StringEquals': {
      'route53:ChangeResourceRecordSetsActions': [...DNS_CHANGE_ACTIONS],
      ...(recordNames !== undefined && {
        'route53:ChangeResourceRecordSetsNormalizedRecordNames': [...new Set(recordNames.map(iamRecordName))],
      }),
    },
  };
}

/** The ARNs (or ARN patterns) the handlers act on, and conditions where ARNs cannot narrow enough. */
export interface HandlerResourceArns {
  readonly tableArn: string;
  readonly stateMachineArns: readonly string[];
  /** `…:execution:<machine>:*` for each state machine. */
  readonly executionArns: readonly string[];
  readonly eventBusArn: string;
  /** EKS clusters the handlers may look up. */
  readonly clusterArns: readonly string[];
  /**
   * The access entries of those clusters, `…:access-entry/<cluster>/*`: preflight reads which
   * roles may act on them (DescribeAccessEntry and ListAssociatedAccessPolicies take an access
   * entry, whose ARN ends in the principal's type, account, name and an id).
   */
  readonly accessEntryArns: readonly string[];
  /**
   * ALB listeners (default actions) and listener rules whose forward weights the handlers may
   * change: `listener/app/<name>/*` and `listener-rule/app/<name>/*` of the configured load
   * balancers, or `app/*` with `listenerChangeConditions`.
   */
  readonly listenerArns: readonly string[];
  readonly listenerRuleArns: readonly string[];
  /** Conditions on changing them (MANAGED_TAG_CONDITION when no load balancer is named). */
  readonly listenerChangeConditions?: Conditions;
  /** Hosted zones whose records the handlers may read and change; none when none are configured. */
  readonly hostedZoneArns: readonly string[];
  /** Conditions on changing records in them: recordChangeConditions. */
  readonly recordChangeConditions: Conditions;
  /** `arn:<partition>:route53:::change/*`: GetChange takes change ids, which are not known ahead. */
  readonly route53ChangeArn: string;
  /** CloudWatch alarms analysis may read (`alarm:*` per workload region). */
  readonly alarmArns: readonly string[];
  /**
   * The abort alarms Switchyard makes: `alarm:switchyard-abort-*` per workload region. Every
   * CloudWatch alarm action takes the alarm ARN as its resource
   * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html).
   */
  readonly abortAlarmArns: readonly string[];
  /** Lambda functions analysis hooks may invoke. */
  readonly hookFunctionArns: readonly string[];
  /** The preflight function the API invokes (known once it exists: a lazy token in the stack). */
  readonly preflightFunctionArn: string;
}

/** The resources an action may act on, and what the request must meet there. */
interface Grant {
  readonly resources: readonly string[];
  readonly conditions?: Conditions | undefined;
}

type Scopes = Readonly<Record<string, readonly string[] | Grant>>;

/** For each port, the resources each of its actions may act on. */
function scopesOf(port: PortName, arns: HandlerResourceArns): Scopes {
  const everything = ['*'];
  // A reader port's scopes are its full port's, less every write.
  const trafficReads: Scopes = {
    'elasticloadbalancing:DescribeLoadBalancers': everything,
    'elasticloadbalancing:DescribeListeners': everything,
    'elasticloadbalancing:DescribeRules': everything,
    'elasticloadbalancing:DescribeTags': everything,
    'elasticloadbalancing:DescribeTargetGroups': everything,
    'elasticloadbalancing:DescribeTargetHealth': everything,
    // albIngress: the Ingress is read (and patched) through the cluster's Kubernetes API.
    'eks:DescribeCluster': arns.clusterArns,
  };
  const dnsReads: Scopes = {
    'route53:ListResourceRecordSets': arns.hostedZoneArns,
    'route53:GetChange': [arns.route53ChangeArn],
  };
  switch (port) {
    case 'store': {
      const table = [arns.tableArn, `${arns.tableArn}/index/*`];
      return {
        'dynamodb:ConditionCheckItem': table,
        'dynamodb:GetItem': table,
        'dynamodb:PutItem': table,
        'dynamodb:UpdateItem': table,
        'dynamodb:DeleteItem': table,
        'dynamodb:Query': table,
      };
    }
    case 'workflow':
      return {
        'states:StartExecution': arns.stateMachineArns,
        'states:DescribeExecution': arns.executionArns,
        'states:StopExecution': arns.executionArns,
        'states:SendTaskSuccess': arns.stateMachineArns,
        'states:SendTaskFailure': arns.stateMachineArns,
        'states:SendTaskHeartbeat': arns.stateMachineArns,
      };
    case 'events':
      return { 'events:PutEvents': [arns.eventBusArn] };
    case 'cluster':
      return { 'eks:DescribeCluster': arns.clusterArns };
    case 'trafficReader':
      return trafficReads;
    case 'traffic':
      return {
        ...trafficReads,
        'elasticloadbalancing:ModifyListener': {
          resources: arns.listenerArns,
          conditions: arns.listenerChangeConditions,
        },
        'elasticloadbalancing:ModifyRule': {
          resources: arns.listenerRuleArns,
          conditions: arns.listenerChangeConditions,
        },
      };
    case 'dnsReader':
      return dnsReads;
    case 'dns':
      return {
        ...dnsReads,
        'route53:ChangeResourceRecordSets': {
          resources: arns.hostedZoneArns,
          conditions: arns.recordChangeConditions,
        },
      };
    case 'signals':
      return {
        'cloudwatch:DescribeAlarms': arns.alarmArns,
        'cloudwatch:GetMetricData': everything,
        'lambda:InvokeFunction': arns.hookFunctionArns,
      };
    case 'abortAlarms':
      // TagResource: PutMetricAlarm with Tags needs it as well.
      return {
        'cloudwatch:DescribeAlarms': arns.abortAlarmArns,
        'cloudwatch:ListTagsForResource': arns.abortAlarmArns,
        'cloudwatch:PutMetricAlarm': arns.abortAlarmArns,
        'cloudwatch:TagResource': arns.abortAlarmArns,
        'cloudwatch:DeleteAlarms': arns.abortAlarmArns,
      };
    case 'preflight':
      return { 'lambda:InvokeFunction': [arns.preflightFunctionArn] };
    case 'inventory':
      return {
        'eks:DescribeCluster': arns.clusterArns,
        'eks:ListAccessEntries': arns.clusterArns,
        'eks:DescribeAccessEntry': arns.accessEntryArns,
        'eks:ListAssociatedAccessPolicies': arns.accessEntryArns,
        'elasticloadbalancing:DescribeTargetGroups': everything,
        'cloudwatch:DescribeAlarms': arns.alarmArns,
      };
    case 'clock':
      return {};
  }
}

/**
 * The statements granting a port's declared actions: one statement per distinct resource list
 * and conditions. An action scoped to no resource (hosted zones, when none are configured) is
 * not granted. Throws when a declared action has no scope, or a scope names an undeclared action.
 */
export function portPolicyStatements(port: PortName, arns: HandlerResourceArns): PolicyStatement[] {
  const scopes = scopesOf(port, arns);
  const declared = new Set(PORT_IAM_ACTIONS[port]);
  const unscoped = [...declared].filter((action) => !(action in scopes));
  const undeclared = Object.keys(scopes).filter((action) => !declared.has(action));
  if (unscoped.length > 0 || undeclared.length > 0) {
    throw new Error(
      `IAM scopes of the ${port} port are out of step with its adapter: ` +
        [
          unscoped.length > 0 ? `no scope for ${unscoped.join(', ')}` : '',
          undeclared.length > 0 ? `scope for undeclared ${undeclared.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; '),
    );
  }
  const byGrant = new Map<string, { actions: string[]; grant: Grant }>();
  for (const [action, scope] of Object.entries(scopes)) {
    const grant: Grant = isResourceList(scope) ? { resources: scope } : scope;
    if (grant.resources.includes('*') && !ACTIONS_WITHOUT_RESOURCE_SCOPE.has(action)) {
      throw new Error(`${action} (${port} port) supports resource-level permissions: scope it`);
    }
    if (grant.resources.length === 0) continue;
    const key = JSON.stringify([grant.resources, grant.conditions ?? {}]);
    const group = byGrant.get(key) ?? { actions: [], grant };
    group.actions.push(action);
    byGrant.set(key, group);
  }
  return [...byGrant.values()].map(
    ({ actions, grant }) =>
      new PolicyStatement({
        actions,
        resources: [...grant.resources],
        ...(grant.conditions !== undefined && { conditions: structuredClone(grant.conditions) }),
      }),
  );
}

function isResourceList(scope: readonly string[] | Grant): scope is readonly string[] {
  return Array.isArray(scope);
}
