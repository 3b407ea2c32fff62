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
  const conflicts = new Conflicts(services);
  for (const region of regionsWithMembers(plan, services)) {
    const claims = new Map<string, number>();
    /** The service that claimed `key` first in this region; the claim is `index`'s if none did. */
    const claim = (key: string, index: number): number | undefined => {
      const first = claims.get(key);
      if (first === undefined) claims.set(key, index);
      return first === index ? undefined : first;
    };
    for (const index of region.members) {
      const service = services[index]!;
      claimDeployment(service, index, region.name, claim, conflicts);
      const traffic = asRecord(service.traffic);
      if (traffic?.type !== 'alb') continue;
      claimTargetGroups(traffic, index, region.name, claim, conflicts);
      claimListenerRule(services, traffic, index, region.name, claims, claim, conflicts);
    }
  }
  return [...sameServiceProblems(services), ...conflicts.problems()];
}

type Claim = (key: string, index: number) => number | undefined;

/** https://kubernetes.io/docs/concepts/overview/working-with-objects/names/: one name per namespace. */
function claimDeployment(service: Raw, index: number, region: string, claim: Claim, conflicts: Conflicts) {
  const name = asString(service.name);
  const deployment = asString(service.deployment) ?? name;
  if (deployment === undefined) return;
  const namespace = asString(service.namespace) ?? 'default';
  const first = claim(`deployment ${namespace}/${deployment}`, index);
  if (first === undefined) return;
  conflicts.add(first, region, {
    path: ['services', index, service.deployment === undefined ? 'name' : 'deployment'],
    message: (owner, regions) =>
      `rolls Deployment ${namespace}/${deployment} in ${regions}, which ${owner} rolls too: each would undo the other's rollout`,
  });
}

/**
 * Target group names are unique per account and region, so a name is one target group wherever
 * it is used in that region (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html).
 */
function claimTargetGroups(traffic: Raw, index: number, region: string, claim: Claim, conflicts: Conflicts) {
  for (const field of ['stableTargetGroup', 'canaryTargetGroup'] as const) {
    const name = asString(traffic[field]);
    if (name === undefined) continue;
    const first = claim(`target group ${name}`, index);
    if (first === undefined) continue;
    conflicts.add(first, region, {
      path: ['services', index, 'traffic', field],
      message: (owner, regions) =>
        `target group "${name}" is ${owner}'s too in ${regions}: a name is one target group in a region, so both would set its weights`,
    });
  }
}

/**
 * A listener's default action, or the rule a selector picks. The adapter picks the one rule that
 * has every condition the selector gives, so when one selector's conditions include all of
 * another's, the two pick the same rule (or the looser one matches two rules and fails). Rule
 * priorities are unique per listener, so one priority is one rule
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html).
 */
function claimListenerRule(
  services: ReadonlyArray<Raw | undefined>,
  traffic: Raw,
  index: number,
  region: string,
  claims: ReadonlyMap<string, number>,
  claim: Claim,
  conflicts: Conflicts,
) {
  const loadBalancer = asString(traffic.loadBalancerName);
  const port = traffic.port;
  if (loadBalancer === undefined || typeof port !== 'number') return;
  const listener = `listener port ${port} of load balancer "${loadBalancer}"`;
  const path = ['services', index, 'traffic'];
  if (traffic.rule === undefined) {
    const first = claim(`default action of ${listener}`, index);
    if (first === undefined) return;
    conflicts.add(first, region, {
      path,
      message: (owner, regions) =>
        `uses the default action of ${listener} in ${regions}, as ${owner} does: both would set its weights; give one of them a rule`,
    });
    return;
  }
  const rule = asRecord(traffic.rule);
  if (!rule) return;
  const priority = rule.priority;
  const samePriority =
    typeof priority === 'number' ? claim(`priority ${priority} of ${listener}`, index) : undefined;
  const conditions = ruleConditions(rule);
  if (conditions.length === 0) return;
  // An earlier selector whose conditions this one's include, or that includes all of this one's.
  const key = (subset: readonly string[]) => `rule ${subset.join(', ')} of ${listener}`;
  const subsets = nonEmptySubsets(conditions);
  const sameRule = [
    claims.get(`within ${key(conditions)}`),
    ...subsets.map((subset) => claims.get(`exactly ${key(subset)}`)),
  ].find((first) => first !== undefined && first !== index);
  claim(`exactly ${key(conditions)}`, index);
  for (const subset of subsets) claim(`within ${key(subset)}`, index);

  if (samePriority !== undefined) {
    conflicts.add(samePriority, region, {
      path: [...path, 'rule', 'priority'],
      message: (owner, regions) =>
        `priority ${priority} on ${listener} is ${owner}'s rule too in ${regions}: a listener has one rule per priority, so both would set its weights`,
    });
  } else if (sameRule !== undefined) {
    const theirs = ruleConditions(asRecord(asRecord(services[sameRule]?.traffic)?.rule) ?? {});
    const ours = conditions.join(', ');
    const relation = (owner: string) =>
      theirs.length === conditions.length
        ? `as ${owner} does`
        : theirs.length < conditions.length
          ? `which ${owner}'s selector (${theirs.join(', ')}) matches too`
          : `which also matches the rule ${owner} selects (${theirs.join(', ')})`;
    conflicts.add(sameRule, region, {
      path: [...path, 'rule'],
      message: (owner, regions) =>
        `selects a rule by ${ours} on ${listener} in ${regions}, ${relation(owner)}: both would set one rule's weights; give each its own conditions or rule.priority`,
    });
  }
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

/** Conflicts between two services, each reported once with every region it happens in. */
class Conflicts {
  private readonly found = new Map<string, { first: number; regions: string[]; problem: ConflictProblem }>();

  constructor(private readonly services: ReadonlyArray<Raw | undefined>) {}

  /** `first` is the service that claimed it earlier; the problem's path is at the later one. */
  add(first: number, region: string, problem: ConflictProblem): void {
    const key = JSON.stringify([first, problem.path]);
    const known = this.found.get(key);
    if (known) {
      if (!known.regions.includes(region)) known.regions.push(region);
    } else this.found.set(key, { first, regions: [region], problem });
  }

  problems(): Problem[] {
    return [...this.found.values()].map(({ first, regions, problem }) => {
      const name = asString(this.services[first]?.name);
      const owner = name === undefined ? `services[${first}]` : `services[${first}] ("${name}")`;
      return { path: problem.path, message: problem.message(owner, regions.join(', ')) };
    });
  }
}

interface ConflictProblem {
  path: PathSegment[];
  message: (owner: string, regions: string) => string;
}
