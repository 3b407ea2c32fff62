/**
 * Dependency graphs: `dependencies.get(a)` lists what `a` depends on. Iterative algorithms
 * throughout, because plans with thousands of services would overflow a recursive walk.
 */

/** Every dependency cycle, one per strongly connected component, members in dependency order. */
export function findCycles(dependencies: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  for (const root of dependencies.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    lowLink.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = dependencies.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const target = edges[frame.next++]!;
        if (!dependencies.has(target)) continue;
        if (!index.has(target)) {
          index.set(target, counter);
          lowLink.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) lowLink.set(parent.node, Math.min(lowLink.get(parent.node)!, lowLink.get(frame.node)!));
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = (dependencies.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  // Declaration positions once: finding each component's first member by scanning every node
  // would make many small cycles quadratic.
  const declared = new Map([...dependencies.keys()].map((node, position) => [node, position]));
  return components.map((component) => cycleWithin(component, dependencies, declared));
}

/** A simple cycle through the component, starting at its first-declared member. */
function cycleWithin(
  component: string[],
  dependencies: ReadonlyMap<string, readonly string[]>,
  declared: ReadonlyMap<string, number>,
): string[] {
  const members = new Set(component);
  const start = component.reduce((first, node) =>
    declared.get(node)! < declared.get(first)! ? node : first,
  );
  // Breadth-first from start's dependencies back to start gives the shortest cycle through it.
  const previous = new Map<string, string>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const next of dependencies.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        // Back along the search to start, then reversed (unshift would make long cycles quadratic).
        const cycle = [node];
        while (cycle[cycle.length - 1] !== start) cycle.push(previous.get(cycle[cycle.length - 1]!)!);
        return cycle.reverse();
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

/** Kahn's algorithm, stable with respect to declaration order. Assumes no cycles. */
export function topologicalOrder(dependencies: ReadonlyMap<string, readonly string[]>): string[] {
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const [node, deps] of dependencies) {
    remaining.set(node, deps.length);
    for (const dep of deps) {
      const list = dependents.get(dep);
      if (list) list.push(node);
      else dependents.set(dep, [node]);
    }
  }
  const order = [...dependencies.keys()].filter((node) => remaining.get(node) === 0);
  for (let head = 0; head < order.length; head++) {
    for (const dependent of dependents.get(order[head]!) ?? []) {
      const left = remaining.get(dependent)! - 1;
      remaining.set(dependent, left);
      if (left === 0) order.push(dependent);
    }
  }
  return order;
}

/** Topological levels: 0 for no dependencies, else one more than the deepest dependency. */
export function topologicalLevels(
  dependencies: ReadonlyMap<string, readonly string[]>,
  order: readonly string[] = topologicalOrder(dependencies),
): Map<string, number> {
  const level = new Map<string, number>();
  for (const node of order) {
    let deepest = -1;
    for (const dep of dependencies.get(node) ?? []) deepest = Math.max(deepest, level.get(dep) ?? 0);
    level.set(node, deepest + 1);
  }
  return level;
}

/** Dependents of each node and every node's transitive dependents, for rollback ordering. */
export function dependentsOf(dependencies: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const dependents = new Map<string, string[]>([...dependencies.keys()].map((node) => [node, []]));
  for (const [node, deps] of dependencies) for (const dep of deps) dependents.get(dep)?.push(node);
  return dependents;
}
