/**
 * What a deployed handler reads from its environment (set by the Switchyard construct).
 * Read lazily, so a handler that does not use a port does not need its settings.
 */
import type { MachineName } from '../../ports';

export function requiredEnvironment(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set: the Switchyard stack sets it`);
  return value;
}

export const ENVIRONMENT = {
  tableName: 'SWITCHYARD_TABLE_NAME',
  eventBusName: 'SWITCHYARD_EVENT_BUS_NAME',
  /** JSON: { "release": "arn:…", "serviceRollout": "arn:…", … } */
  stateMachineArns: 'SWITCHYARD_STATE_MACHINE_ARNS',
  /** The preflight function the API invokes. */
  preflightFunctionName: 'SWITCHYARD_PREFLIGHT_FUNCTION_NAME',
  /** Space-separated: the roles that need an EKS access entry on every cluster. */
  clusterRoleArns: 'SWITCHYARD_CLUSTER_ROLE_ARNS',
  /** Space-separated, each unset when the stack limits it by no name: what Switchyard may change. */
  loadBalancerNames: 'SWITCHYARD_LOAD_BALANCER_NAMES',
  hostedZoneIds: 'SWITCHYARD_HOSTED_ZONE_IDS',
  dnsRecordNames: 'SWITCHYARD_DNS_RECORD_NAMES',
} as const;

/** A space-separated list; undefined when the variable is not set at all (an empty list is ""). */
export function environmentList(name: string): string[] | undefined {
  const value = process.env[name];
  return value === undefined ? undefined : value.split(/\s+/).filter(Boolean);
}

export function stateMachineArns(): Partial<Record<MachineName, string>> {
  return JSON.parse(requiredEnvironment(ENVIRONMENT.stateMachineArns)) as Partial<
    Record<MachineName, string>
  >;
}
