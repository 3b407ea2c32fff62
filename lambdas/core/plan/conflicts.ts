/**
 * What two services of one region cannot both own: a Deployment, a target group, a listener rule
 * or a listener's default action. Each would undo what the other writes, so a plan that gives one
 * of them to two services is refused. Regions decide which services meet: a region's `services`
 * list, or every service when it has none.
 */
import type { PathSegment } from './check';
import { asArray, asRecord, asString, type Problem, type Raw } from './validate';

export function findConflicts(plan: Raw): Problem[] {
  const services = asArray(plan.services).map(asRecord);
  // What each service claims does not depend on the region: worked out once.
  const claims = services.map((service, index) => (service ? claimsOf(service, index) : []));
  const found = new Map<string, { earlier: number; regions: string[]; clash: Clash }>();
  for (const region of regionsWithMembers(plan, services)) {
    const holders = new Map<string, number>();
    for (const index of region.members) {
      for (const claim of claims[index]!) {
        const clashing = firstClash(claim, holders, index);
        for (const key of claim.holds) if (!holders.has(key)) holders.set(key, index);
        if (!clashing) continue;
        const { clash, earlier } = clashing;
        // One problem per pair and path, naming every region it happens in.
        const key = JSON.stringify([earlier, clash.path]);
        const known = found.get(key);
        if (known) known.regions.push(region.name);
        else found.set(key, { earlier, regions: [region.name], clash });
      }
    }
  }
  return [
    ...sameServiceProblems(services),
    ...[...found.values()].map(({ earlier, regions, clash }) => ({
      path: clash.path,
      message: clash.message(describeService(services, earlier), regions.join(', '), services[earlier]),
    })),
  ];
}

/**
 * What a service holds in a region (keys), and what it clashes with: keys an earlier service of
 * the region holds. The first clash found is the one reported.
 */
interface Claim {
  holds: string[];
  clashes: Clash[];
}

interface Clash {
  keys: string[];
  path: PathSegment[];
  message: (earlier: string, regions: string, earlierService: Raw | undefined) => string;
}

/** The first of a claim's clashes with a key another service holds, and that service. */
function firstClash(
  claim: Claim,
  holders: ReadonlyMap<string, number>,
  index: number,
): { clash: Clash; earlier: number } | undefined {
  for (const clash of claim.clashes) {
    for (const key of clash.keys) {
      const earlier = holders.get(key);
      if (earlier !== undefined && earlier !== index) return { clash, earlier };
    }
  }
  return undefined;
}

/** A claim two services clash on when both hold it. */
const exclusive = (key: string, path: PathSegment[], message: Clash['message']): Claim => ({
  holds: [key],
  clashes: [{ keys: [key], path, message }],
});

function claimsOf(service: Raw, index: number): Claim[] {
  const claims: Claim[] = [];
  // https://kubernetes.io/docs/concepts/overview/working-with-objects/names/: one name per namespace.
  const deployment = asString(service.deployment) ?? asString(service.name);
  const namespace = asString(service.namespace) ?? 'default';
  if (deployment !== undefined) {
    claims.push(
      exclusive(
        `deployment ${namespace}/${deployment}`,
        ['services', index, service.deployment === undefined ? 'name' : 'deployment'],
        (earlier, regions) =>
          `rolls Deployment ${namespace}/${deployment} in ${regions}, which ${earlier} rolls too: each would undo the other's rollout`,
      ),
    );
  }
  const traffic = asRecord(service.traffic);
  if (traffic?.type !== 'alb') return claims;
  // Target group names are unique per account and region, so a name is one target group wherever
  // it is used in that region (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html).
  const targetGroups = new Set<string>();
  for (const field of ['stableTargetGroup', 'canaryTargetGroup'] as const) {
    const name = asString(traffic[field]);
    if (name === undefined || targetGroups.has(name)) continue; // the same group twice: sameServiceProblems
    targetGroups.add(name);
    claims.push(
      exclusive(
        `target group ${name}`,
        ['services', index, 'traffic', field],
        (earlier, regions) =>
          `target group "${name}" is ${earlier}'s too in ${regions}: a name is one target group in a region, so both would set its weights`,
      ),
    );
  }
  const listenerRule = listenerRuleClaim(traffic, ['services', index, 'traffic']);
  if (listenerRule) claims.push(listenerRule);
  return claims;
}

/**
 * A listener's default action, or the rule a selector picks. The adapter picks the one rule that
 * has every condition the selector gives, so when one selector's conditions include all of
 * another's, the two pick the same rule (or the looser one matches two rules and fails). Rule
 * priorities are unique per listener, so one priority is one rule
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html).
 */
function listenerRuleClaim(traffic: Raw, path: PathSegment[]): Claim | undefined {
  const loadBalancer = asString(traffic.loadBalancerName);
  const port = traffic.port;
  if (loadBalancer === undefined || typeof port !== 'number') return undefined;
  const listener = `listener port ${port} of load balancer "${loadBalancer}"`;
  if (traffic.rule === undefined) {
    return exclusive(
      `default action of ${listener}`,
      path,
      (earlier, regions) =>
        `uses the default action of ${listener} in ${regions}, as ${earlier} does: both would set its weights; give one of them a rule`,
    );
  }
  const rule = asRecord(traffic.rule);
  const conditions = rule ? ruleConditions(rule) : [];
  if (conditions.length === 0) return undefined; // selects nothing: unworkable.ts
  const priority = rule!.priority;
  const priorityKey = typeof priority === 'number' ? [`priority ${priority} of ${listener}`] : [];
  // This selector is exactly its conditions, and within each selector that has all of them.
  const key = (subset: readonly string[]) => `rule ${subset.join(', ')} of ${listener}`;
  const subsets = nonEmptySubsets(conditions);
  const ours = conditions.join(', ');
  return {
    holds: [
      ...priorityKey,
      `exactly ${key(conditions)}`,
      ...subsets.map((subset) => `within ${key(subset)}`),
    ],
    clashes: [
      {
        keys: priorityKey,
        path: [...path, 'rule', 'priority'],
        message: (earlier, regions) =>
          `priority ${priority} on ${listener} is ${earlier}'s rule too in ${regions}: a listener has one rule per priority, so both would set its weights`,
      },
      {
        // An earlier selector that has all of this one's conditions, or whose conditions this one has.
        keys: [`within ${key(conditions)}`, ...subsets.map((subset) => `exactly ${key(subset)}`)],
        path: [...path, 'rule'],
        message: (earlier, regions, earlierService) => {
          const theirs = ruleConditions(asRecord(asRecord(earlierService?.traffic)?.rule) ?? {});
          const relation =
            theirs.length === conditions.length
              ? `as ${earlier} does`
              : theirs.length < conditions.length
                ? `which ${earlier}'s selector (${theirs.join(', ')}) matches too`
                : `which also matches the rule ${earlier} selects (${theirs.join(', ')})`;
          return `selects a rule by ${ours} on ${listener} in ${regions}, ${relation}: both would set one rule's weights; give each its own conditions or rule.priority`;
        },
      },
    ],
  };
}

/** A rule selector's conditions in words, in a fixed order; host names compare case-insensitively. */
function ruleConditions(rule: Raw): string[] {
  const host = asString(rule.hostHeader);
  const pathPattern = asString(rule.pathPattern);
  return [
    ...(host === undefined ? [] : [`host header "${host.toLowerCase()}"`]),
    ...(pathPattern === undefined ? [] : [`path pattern "${pathPattern}"`]),
    ...(typeof rule.priority === 'number' ? [`priority ${rule.priority}`] : []),
  ];
}

/** Every non-empty subset of at most three conditions, each in the conditions' order. */
function nonEmptySubsets(conditions: readonly string[]): string[][] {
  const subsets: string[][] = [];
  for (let mask = 1; mask < 1 << conditions.length; mask++) {
    subsets.push(conditions.filter((_, bit) => mask & (1 << bit)));
  }
  return subsets;
}

/** A service cannot split traffic between a target group and itself. */
function sameServiceProblems(services: ReadonlyArray<Raw | undefined>): Problem[] {
  const problems: Problem[] = [];
  services.forEach((service, index) => {
    const traffic = asRecord(service?.traffic);
    if (traffic?.type !== 'alb') return;
    const stable = asString(traffic.stableTargetGroup);
    if (stable !== undefined && stable === traffic.canaryTargetGroup) {
      problems.push({
        path: ['services', index, 'traffic', 'canaryTargetGroup'],
        message: `must differ from stableTargetGroup ("${stable}"): the weights split traffic between two target groups`,
      });
    }
  });
  return problems;
}

/** Each region's name and the services it rolls (first of each name), in declaration order. */
function regionsWithMembers(
  plan: Raw,
  services: ReadonlyArray<Raw | undefined>,
): Array<{ name: string; members: number[] }> {
  const indexByName = new Map<string, number>();
  services.forEach((service, index) => {
    const name = asString(service?.name);
    if (name !== undefined && !indexByName.has(name)) indexByName.set(name, index);
  });
  const all = [...indexByName.values()];
  return asArray(plan.regions).flatMap((value) => {
    const region = asRecord(value);
    const name = asString(region?.name);
    if (!region || name === undefined) return [];
    if (!Array.isArray(region.services)) return [{ name, members: all }];
    const members = new Set<number>();
    for (const service of region.services) {
      const index = typeof service === 'string' ? indexByName.get(service) : undefined;
      if (index !== undefined) members.add(index);
    }
    return [{ name, members: [...members].sort((a, b) => a - b) }];
  });
}

function describeService(services: ReadonlyArray<Raw | undefined>, index: number): string {
  const name = asString(services[index]?.name);
  return name === undefined ? `services[${index}]` : `services[${index}] ("${name}")`;
}
