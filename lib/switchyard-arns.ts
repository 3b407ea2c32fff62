/**
 * The names and ARNs of Switchyard's resources, known before anything exists: the functions'
 * grants and environment name the state machines by ARN, while the state machines reference the
 * functions, so one side must be built from names (see switchyard.ts).
 */
import { ArnFormat, Lazy, type Stack } from 'aws-cdk-lib';
import { ABORT_ALARM_PREFIX } from '../lambdas/core/naming';
import type { MachineName } from '../lambdas/ports';
import type { SwitchyardCluster } from './cluster-access';
import {
  type HandlerResourceArns,
  MANAGED_TAG,
  MANAGED_TAG_CONDITION,
  recordChangeConditions,
} from './port-permissions';
import { MACHINE_FILES, MACHINE_NAMES } from './state-machine-files';
import type { SwitchyardProps } from './switchyard-props';

export interface SwitchyardArns {
  stateMachineName(machine: MachineName): string;
  stateMachineArn(machine: MachineName): string;
  /** `…:execution:<machine>:*`: execution names are chosen at run time. */
  executionArn(machine: MachineName): string;
  /** What the handlers' port grants are scoped to. */
  resourceArns: HandlerResourceArns;
}

export function switchyardArns(
  stack: Stack,
  props: SwitchyardProps,
  resolved: {
    namePrefix: string;
    clusters: readonly SwitchyardCluster[];
    tableArn: string;
    eventBusArn: string;
    preflightFunctionArn: () => string;
  },
): SwitchyardArns {
  const stateMachineName = (machine: MachineName) =>
    `${resolved.namePrefix}-${MACHINE_FILES[machine].replace(/\.asl\.json$/, '')}`;
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
  const inWorkloadRegions = (service: string, resource: string, resourceName: string, arnFormat: ArnFormat) =>
    props.workloadRegions.map((region) =>
      stack.formatArn({ service, region, resource, resourceName, arnFormat }),
    );
  const partition = stack.partition;
  const loadBalancerPatterns = props.loadBalancerNames?.map((name) => `app/${name}/*`) ?? ['app/*'];
  const resourceArns: HandlerResourceArns = {
    // Filled in once the functions exist; the API's role names the preflight function's ARN.
    preflightFunctionArn: Lazy.string({ produce: resolved.preflightFunctionArn }),
    tableArn: resolved.tableArn,
    stateMachineArns: MACHINE_NAMES.map(stateMachineArn),
    executionArns: MACHINE_NAMES.map(executionArn),
    eventBusArn: resolved.eventBusArn,
    clusterArns:
      resolved.clusters.length > 0
        ? resolved.clusters.map((cluster) =>
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
      resolved.clusters.length > 0
        ? resolved.clusters.map((cluster) =>
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
    abortAlarmArns: inWorkloadRegions(
      'cloudwatch',
      'alarm',
      `${ABORT_ALARM_PREFIX}*`,
      ArnFormat.COLON_RESOURCE_NAME,
    ),
    hookFunctionArns: inWorkloadRegions(
      'lambda',
      'function',
      props.hookFunctionNamePattern ?? `${resolved.namePrefix}-hook-*`,
      ArnFormat.COLON_RESOURCE_NAME,
    ),
  };
  return { stateMachineName, stateMachineArn, executionArn, resourceArns };
}

/** Why a handler's port grant names a wildcard resource. */
export function wildcardReason(
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
  if (arns.abortAlarmArns.includes(resource)) {
    return `The abort alarms Switchyard makes for canaries (${ABORT_ALARM_PREFIX}<release>-<region>-<service>), in the workload regions only; the adapter deletes only those carrying its tag.`;
  }
  if (arns.hookFunctionArns.includes(resource)) {
    return 'Analysis hook functions, limited to the hook name pattern in the workload regions.';
  }
  return undefined;
}
