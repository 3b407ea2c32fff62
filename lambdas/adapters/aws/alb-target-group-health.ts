/** What DescribeTargetHealth reports of a target group, as the traffic ports return it. */
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { TARGET_HEALTH_STATES, type TargetHealthState } from '../../core/target-health';
import type { TargetHealthSummary } from '../../ports/index';
import { callAws } from './errors';

/**
 * Every registered target of a group with its state and reason, as DescribeTargetHealth reports
 * them; `undefined` (no target group yet) has none.
 */
export async function targetGroupHealth(
  client: ElasticLoadBalancingV2Client,
  targetGroupArn: string | undefined,
  name: string,
): Promise<TargetHealthSummary> {
  if (targetGroupArn === undefined) return { name, targets: [] };
  const { TargetHealthDescriptions } = await callAws(
    client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
  );
  return {
    name,
    targets: (TargetHealthDescriptions ?? []).map((description) => ({
      id: description.Target?.Id ?? '',
      ...(description.Target?.Port !== undefined && { port: description.Target.Port }),
      state: knownState(description.TargetHealth?.State),
      ...(description.TargetHealth?.Reason !== undefined && { reason: description.TargetHealth.Reason }),
      ...(description.TargetHealth?.Description !== undefined && {
        description: description.TargetHealth.Description,
      }),
    })),
  };
}

/** A state this code does not know yet is judged as `unavailable`: it proves nothing healthy. */
function knownState(state: string | undefined): TargetHealthState {
  return (TARGET_HEALTH_STATES as readonly string[]).includes(state ?? '')
    ? (state as TargetHealthState)
    : 'unavailable';
}
