/**
 * Weights in an ALB forward action: reading the stable and canary target groups' weights out of
 * it, and writing new ones in, refusing any other weighted group (someone else's traffic).
 */
import type { Action, TargetGroupTuple } from '@aws-sdk/client-elastic-load-balancing-v2';
import { InvalidInputError } from '../../core/errors';
import type { ResolvedTraffic, Weights } from '../../ports/index';

/** An ALB forward action holds at most this many target groups (weights 0–999 each). */
const MAX_TARGET_GROUPS_PER_FORWARD = 5;
/** A tuple read without a weight carries the API's default. */
const DEFAULT_TARGET_GROUP_WEIGHT = 1;

export function assertPercentWeights(weights: Weights): void {
  const { stable, canary } = weights;
  const valid = (value: number) => Number.isInteger(value) && value >= 0 && value <= 100;
  if (!valid(stable) || !valid(canary) || stable + canary !== 100) {
    throw new InvalidInputError(
      `weights must be whole percents from 0 to 100 adding up to 100 (got stable ${stable}, canary ${canary})`,
    );
  }
}

export function forwardAction(actions: readonly Action[], where: string): Action {
  const forward = actions.find((action) => action.Type === 'forward');
  if (forward === undefined) {
    const types = actions.map((action) => action.Type).join(', ') || 'none';
    throw new InvalidInputError(`${where} does not forward to target groups (its actions: ${types})`);
  }
  return forward;
}

/** The forward action's groups; a plain TargetGroupArn forward is one group with all the weight. */
export function forwardGroups(forward: Action): TargetGroupTuple[] {
  const groups = forward.ForwardConfig?.TargetGroups ?? [];
  if (groups.length > 0) return groups;
  return forward.TargetGroupArn === undefined
    ? []
    : [{ TargetGroupArn: forward.TargetGroupArn, Weight: DEFAULT_TARGET_GROUP_WEIGHT }];
}

function weightOf(group: TargetGroupTuple): number {
  return group.Weight ?? DEFAULT_TARGET_GROUP_WEIGHT;
}

/**
 * Other target groups on the same forward action would take traffic the stable/canary split
 * does not account for; with weight 0 they are harmless and left in place.
 */
function assertNoOtherWeightedGroups(
  groups: readonly TargetGroupTuple[],
  resolved: WeightedGroups,
  where: string,
) {
  const ours = new Set([resolved.stableTargetGroupArn, resolved.canaryTargetGroupArn]);
  const others = groups.filter((group) => !ours.has(group.TargetGroupArn ?? '') && weightOf(group) > 0);
  if (others.length > 0) {
    throw new InvalidInputError(
      `${where} also forwards to ${others.map((group) => group.TargetGroupArn).join(', ')}; ` +
        'only the stable and canary target groups may carry weight',
    );
  }
}

/** The stable and canary target groups of a split; a canary group not made yet carries no weight. */
export type WeightedGroups = Pick<ResolvedTraffic, 'stableTargetGroupArn'> & {
  canaryTargetGroupArn?: string;
};

export function weightsOf(forward: Action, resolved: WeightedGroups, where: string): Weights {
  const groups = forwardGroups(forward);
  assertNoOtherWeightedGroups(groups, resolved, where);
  const sum = (arn: string) =>
    groups
      .filter((group) => group.TargetGroupArn === arn)
      .reduce((total, group) => total + weightOf(group), 0);
  const stable = sum(resolved.stableTargetGroupArn);
  const canary = resolved.canaryTargetGroupArn === undefined ? 0 : sum(resolved.canaryTargetGroupArn);
  if (stable + canary === 0) {
    throw new InvalidInputError(`${where} sends no traffic to the stable or canary target group`);
  }
  const stablePercent = Math.round((stable * 100) / (stable + canary));
  return { stable: stablePercent, canary: 100 - stablePercent };
}

/**
 * The actions to write back: the same actions in the same order, with the forward action's
 * stable and canary weights replaced. A multi-group forward must not also carry TargetGroupArn.
 */
export function withWeights(
  actions: readonly Action[],
  resolved: ResolvedTraffic,
  weights: Weights,
  where: string,
): Action[] {
  const forward = forwardAction(actions, where);
  const groups = forwardGroups(forward);
  assertNoOtherWeightedGroups(groups, resolved, where);

  // Whole percents are valid ALB weights (0–999) as they are.
  const wanted = new Map([
    [resolved.stableTargetGroupArn, weights.stable],
    [resolved.canaryTargetGroupArn, weights.canary],
  ]);
  const targetGroups: TargetGroupTuple[] = groups.map((group) => ({
    TargetGroupArn: group.TargetGroupArn,
    Weight: wanted.get(group.TargetGroupArn ?? '') ?? weightOf(group),
  }));
  for (const [arn, weight] of wanted) {
    if (!groups.some((group) => group.TargetGroupArn === arn)) {
      targetGroups.push({ TargetGroupArn: arn, Weight: weight });
    }
  }
  if (targetGroups.length > MAX_TARGET_GROUPS_PER_FORWARD) {
    throw new InvalidInputError(
      `${where} would forward to ${targetGroups.length} target groups; an ALB forward action holds at most ${MAX_TARGET_GROUPS_PER_FORWARD}`,
    );
  }

  const stickiness = forward.ForwardConfig?.TargetGroupStickinessConfig;
  const weightedForward: Action = {
    Type: 'forward',
    ...(forward.Order !== undefined && { Order: forward.Order }),
    ForwardConfig: {
      TargetGroups: targetGroups,
      ...(stickiness !== undefined && { TargetGroupStickinessConfig: stickiness }),
    },
  };
  return actions.map((action) => (action === forward ? weightedForward : writable(action)));
}

/** An action as read, made acceptable to Modify*: Describe never returns an OIDC client secret. */
export function writable(action: Action): Action {
  const oidc = action.AuthenticateOidcConfig;
  if (action.Type === 'authenticate-oidc' && oidc !== undefined && oidc.ClientSecret === undefined) {
    return { ...action, AuthenticateOidcConfig: { ...oidc, UseExistingClientSecret: true } };
  }
  return action;
}
