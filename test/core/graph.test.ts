import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dependentsOf, findCycles, topologicalLevels, topologicalOrder } from '../../lambdas/core/graph';

const graph = (entries: Record<string, string[]>) => new Map(Object.entries(entries));

describe('findCycles', () => {
  it('finds none in a DAG', () => {
    expect(findCycles(graph({ a: [], b: ['a'], c: ['a', 'b'], d: ['c', 'b'] }))).toEqual([]);
  });

  it('names a 2-cycle, a 3-cycle and a self-dependency by their members in dependency order', () => {
    expect(findCycles(graph({ a: ['b'], b: ['a'] }))).toEqual([['a', 'b']]);
    expect(findCycles(graph({ a: ['b'], b: ['c'], c: ['a'] }))).toEqual([['a', 'b', 'c']]);
    expect(findCycles(graph({ a: [], b: ['a', 'b'] }))).toEqual([['b']]);
  });

  it('gives one cycle per tangle, starting at its first-declared member, the shortest through it', () => {
    // b, c, d form one strongly connected component with two cycles through b: b→c→b and b→d→c→b.
    const cycles = findCycles(graph({ x: ['b'], b: ['d', 'c'], c: ['b'], d: ['c'], e: ['f'], f: ['e'] }));
    expect(cycles).toHaveLength(2);
    expect(cycles).toContainEqual(['b', 'c']);
    expect(cycles).toContainEqual(['e', 'f']);
  });

  it('ignores edges to nodes that are not in the graph', () => {
    expect(findCycles(graph({ a: ['missing'], b: ['a'] }))).toEqual([]);
  });

  it('walks a chain of 50,000 without overflowing the stack', () => {
    const chain = new Map<string, string[]>();
    for (let i = 0; i < 50_000; i++) chain.set(`n${i}`, i === 0 ? ['n49999'] : [`n${i - 1}`]);
    const cycles = findCycles(chain);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(50_000);
  });
});

describe('topological order and levels', () => {
  const diamond = graph({ top: ['left', 'right'], left: ['base'], right: ['base'], base: [], lone: [] });

  it('puts every node after its dependencies, ties in declaration order', () => {
    expect(topologicalOrder(diamond)).toEqual(['base', 'lone', 'left', 'right', 'top']);
  });

  it('levels a node one deeper than its deepest dependency', () => {
    expect(Object.fromEntries(topologicalLevels(diamond))).toEqual({
      base: 0,
      lone: 0,
      left: 1,
      right: 1,
      top: 2,
    });
  });

  it('lists the dependents of every node', () => {
    expect(Object.fromEntries(dependentsOf(diamond))).toEqual({
      top: [],
      left: ['top'],
      right: ['top'],
      base: ['left', 'right'],
      lone: [],
    });
  });
});

/** A random DAG: each node depends only on nodes declared before it in `names`, shuffled. */
const randomDag = fc
  .integer({ min: 1, max: 40 })
  .chain((size) =>
    fc.record({
      size: fc.constant(size),
      edges: fc.array(fc.tuple(fc.nat(size - 1), fc.nat(size - 1)), { maxLength: size * 3 }),
      order: fc.shuffledSubarray([...Array(size).keys()], { minLength: size, maxLength: size }),
    }),
  )
  .map(({ size, edges, order }) => {
    const dependencies = new Map<string, string[]>();
    for (const node of order) dependencies.set(`n${node}`, []);
    for (const [a, b] of edges) {
      if (a === b) continue;
      const [earlier, later] = a < b ? [a, b] : [b, a];
      const deps = dependencies.get(`n${later}`)!;
      if (!deps.includes(`n${earlier}`)) deps.push(`n${earlier}`);
    }
    return { size, dependencies };
  });

describe('properties on random DAGs', () => {
  it('finds no cycle, and orders every node after its dependencies', () => {
    fc.assert(
      fc.property(randomDag, ({ size, dependencies }) => {
        expect(findCycles(dependencies)).toEqual([]);
        const order = topologicalOrder(dependencies);
        expect(order).toHaveLength(size);
        const position = new Map(order.map((node, index) => [node, index]));
        for (const [node, deps] of dependencies) {
          for (const dep of deps) expect(position.get(dep)!).toBeLessThan(position.get(node)!);
        }
      }),
    );
  });

  it('finds exactly one real cycle once a back-edge closes a dependency chain', () => {
    fc.assert(
      fc.property(randomDag, fc.nat(), fc.array(fc.nat()), ({ dependencies }, pickTop, walk) => {
        const withDeps = [...dependencies].filter(([, deps]) => deps.length > 0);
        fc.pre(withDeps.length > 0);
        // Walk down from a node along its dependencies; the bottom then depends on the top.
        const [top] = withDeps[pickTop % withDeps.length]!;
        let bottom = top;
        for (const step of [0, ...walk]) {
          const deps = dependencies.get(bottom)!;
          if (deps.length === 0) break;
          bottom = deps[step % deps.length]!;
        }
        dependencies.get(bottom)!.push(top);
        const cycles = findCycles(dependencies);
        expect(cycles).toHaveLength(1);
        const cycle = cycles[0]!;
        cycle.forEach((member, index) => {
          const next = cycle[(index + 1) % cycle.length]!;
          expect(dependencies.get(member)).toContain(next);
        });
        expect(new Set(cycle).size).toBe(cycle.length);
      }),
    );
  });
});
