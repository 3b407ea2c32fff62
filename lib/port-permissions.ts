/**
 * IAM for the handlers, from what their adapters declare: a function's role gets exactly the
 * actions of the ports its handler uses, each scoped to the resources it acts on. Every
 * declared action must have a scope here, so an adapter that starts calling a new API fails
 * synth until someone decides what the new action may touch.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SIGNALS_IAM_ACTIONS } from '../lambdas/adapters/aws/cloudwatch-signals';
import { EVENTS_IAM_ACTIONS } from '../lambdas/adapters/aws/eventbridge-events';
import { INVENTORY_IAM_ACTIONS } from '../lambdas/adapters/aws/inventory';
import { PREFLIGHT_IAM_ACTIONS } from '../lambdas/adapters/aws/lambda-preflight';
import { DNS_IAM_ACTIONS } from '../lambdas/adapters/aws/route53-dns';
import { WORKFLOW_IAM_ACTIONS } from '../lambdas/adapters/aws/stepfunctions-workflow';
import { TRAFFIC_IAM_ACTIONS } from '../lambdas/adapters/aws/traffic';
import { STORE_IAM_ACTIONS } from '../lambdas/adapters/dynamodb/store';
import { CLUSTER_IAM_ACTIONS } from '../lambdas/adapters/kubernetes/iam';
import type { PortName } from '../lambdas/handlers/define';

/** What each port's adapter calls (the clock calls nothing). */
export const PORT_IAM_ACTIONS: { readonly [Port in PortName]: readonly string[] } = {
  store: STORE_IAM_ACTIONS,
  workflow: WORKFLOW_IAM_ACTIONS,
  events: EVENTS_IAM_ACTIONS,
  cluster: CLUSTER_IAM_ACTIONS,
  traffic: TRAFFIC_IAM_ACTIONS,
  dns: DNS_IAM_ACTIONS,
  signals: SIGNALS_IAM_ACTIONS,
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

/** The ARNs (or ARN patterns) the handlers act on. */
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
  /** ALB listeners and listener rules whose forward weights the handlers may change. */
  readonly listenerArns: readonly string[];
  readonly listenerRuleArns: readonly string[];
  readonly hostedZoneArns: readonly string[];
  /** `arn:<partition>:route53:::change/*`: GetChange takes change ids, which are not known ahead. */
  readonly route53ChangeArn: string;
  /** CloudWatch alarms analysis may read (`alarm:*` per workload region). */
  readonly alarmArns: readonly string[];
  /** Lambda functions analysis hooks may invoke. */
  readonly hookFunctionArns: readonly string[];
  /** The preflight function the API invokes (known once it exists: a lazy token in the stack). */
  readonly preflightFunctionArn: string;
}

type Scopes = Readonly<Record<string, readonly string[]>>;

/** For each port, the resources each of its actions may act on. */
function scopesOf(port: PortName, arns: HandlerResourceArns): Scopes {
  const everything = ['*'];
  switch (port) {
    case 'store': {
      const table = [arns.tableArn, `${arns.tableArn}/index/*`];
      return {
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
    case 'traffic':
      return {
        'elasticloadbalancing:DescribeLoadBalancers': everything,
        'elasticloadbalancing:DescribeListeners': everything,
        'elasticloadbalancing:DescribeRules': everything,
        'elasticloadbalancing:DescribeTags': everything,
        'elasticloadbalancing:DescribeTargetGroups': everything,
        'elasticloadbalancing:DescribeTargetHealth': everything,
        'elasticloadbalancing:ModifyListener': arns.listenerArns,
        'elasticloadbalancing:ModifyRule': arns.listenerRuleArns,
        // albIngress: the Ingress is patched through the cluster's Kubernetes API.
        'eks:DescribeCluster': arns.clusterArns,
      };
    case 'dns':
      return {
        'route53:ListResourceRecordSets': arns.hostedZoneArns,
        'route53:ChangeResourceRecordSets': arns.hostedZoneArns,
        'route53:GetChange': [arns.route53ChangeArn],
      };
    case 'signals':
      return {
        'cloudwatch:DescribeAlarms': arns.alarmArns,
        'cloudwatch:GetMetricData': everything,
        'lambda:InvokeFunction': arns.hookFunctionArns,
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
 * The statements granting a port's declared actions: one statement per distinct resource list.
 * Throws when a declared action has no scope, or a scope names an undeclared action.
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
  for (const [action, resources] of Object.entries(scopes)) {
    if (resources.length === 0) throw new Error(`${action} (${port} port) has no resources to act on`);
    if (resources.includes('*') && !ACTIONS_WITHOUT_RESOURCE_SCOPE.has(action)) {
      throw new Error(`${action} (${port} port) supports resource-level permissions: scope it`);
    }
  }
  const byResources = new Map<string, { actions: string[]; resources: readonly string[] }>();
  for (const [action, resources] of Object.entries(scopes)) {
    const key = JSON.stringify(resources);
    const group = byResources.get(key) ?? { actions: [], resources };
    group.actions.push(action);
    byResources.set(key, group);
  }
  return [...byResources.values()].map(
    ({ actions, resources }) => new PolicyStatement({ actions, resources: [...resources] }),
  );
}
