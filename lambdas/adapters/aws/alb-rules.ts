/** Finding the listener rule a plan names (`traffic.rule`) by its conditions and priority. */
import type { Rule, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AlbTrafficPlan } from '../../core/plan/schema';

export type RuleSelector = NonNullable<AlbTrafficPlan['rule']>;

export function ruleCriteriaText(rule: RuleSelector): string {
  return [
    rule.hostHeader !== undefined && `host header "${rule.hostHeader}"`,
    rule.pathPattern !== undefined && `path pattern "${rule.pathPattern}"`,
    rule.priority !== undefined && `priority ${rule.priority}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** A rule matches when every criterion the plan gives holds; the default rule never does. */
export function ruleMatches(rule: Rule, wanted: RuleSelector): boolean {
  if (rule.IsDefault) return false;
  if (wanted.priority !== undefined && rule.Priority !== String(wanted.priority)) return false;
  if (wanted.hostHeader !== undefined) {
    // Host names compare case-insensitively on an ALB.
    const host = wanted.hostHeader.toLowerCase();
    const values = conditionValues(rule.Conditions, 'host-header').map((value) => value.toLowerCase());
    if (!values.includes(host)) return false;
  }
  if (wanted.pathPattern !== undefined) {
    if (!conditionValues(rule.Conditions, 'path-pattern').includes(wanted.pathPattern)) return false;
  }
  return true;
}

function conditionValues(
  conditions: RuleCondition[] | undefined,
  field: 'host-header' | 'path-pattern',
): string[] {
  const values = new Set<string>();
  for (const condition of conditions ?? []) {
    if (condition.Field !== field) continue;
    const config = field === 'host-header' ? condition.HostHeaderConfig : condition.PathPatternConfig;
    for (const value of [...(condition.Values ?? []), ...(config?.Values ?? [])]) values.add(value);
  }
  return [...values];
}
