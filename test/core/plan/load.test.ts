/**
 * Plan text to plan: YAML syntax errors and every problem with the line and column of the node
 * it is about; the shipped examples, valid and invalid.
 */
import { describe, expect, it } from 'vitest';
import { loadPlan, type PlanProblem } from '../../../lambdas/core/plan/load';
import { positionOf, readExample } from './documents';

function problemsOf(text: string): PlanProblem[] {
  const result = loadPlan(text);
  if (result.ok) throw new Error('expected the plan to be invalid');
  return result.problems;
}

const PLAN = `metadata:
  releaseId: shop-2026-11-22
defaults:
  strategy: { type: recreate }
regions:
  - name: us-east-1
    cluster: shop-use1
    wave: 1
services:
  - name: db
    image: postgres:16.4
  - name: api
    image: registry.example.com/shop/api:2.0.0
    dependsOn: [db]
`;

describe('syntax errors', () => {
  it('reports an unclosed flow sequence with its line and column, and nothing else', () => {
    const text = PLAN.replace('dependsOn: [db]', 'dependsOn: [db\n  - name: web');
    const [problem, ...rest] = problemsOf(text);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ path: '', line: 15, column: 3 });
    expect(problem!.message).toMatch(
      /^syntax error: Flow sequence in block collection must be sufficiently indented/,
    );
  });

  it('reports a key given twice', () => {
    const text = PLAN.replace('    wave: 1\n', '    wave: 1\n    wave: 2\n');
    expect(problemsOf(text)).toEqual([
      { path: '', message: 'syntax error: Map keys must be unique', line: 9, column: 5 },
    ]);
  });

  it('reports a key that is a list or mapping, which no field is (and YAML would stringify)', () => {
    const text = PLAN.replace('    wave: 1\n', '    ? [wave]\n    : 1\n');
    expect(problemsOf(text)).toEqual([
      {
        path: '',
        message: 'syntax error: a key is a list or mapping; keys are names',
        ...positionOf(text, '[wave]'),
      },
    ]);
  });

  it('reports over-indentation at the mapping it breaks', () => {
    const text = PLAN.replace('    cluster: shop-use1', '     cluster: shop-use1');
    expect(problemsOf(text)[0]).toEqual({
      path: '',
      message: 'syntax error: Nested mappings are not allowed in compact mappings',
      ...positionOf(text, 'us-east-1'),
    });
  });

  it('reports a document that expands aliases without bound instead of throwing', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let level = 1; level < 9; level++) {
      text += `a${level}: &a${level} [${Array(10)
        .fill(`*a${level - 1}`)
        .join(', ')}]\n`;
    }
    expect(problemsOf(text)).toEqual([
      {
        path: '',
        message: 'cannot read the document: Excessive alias count indicates a resource exhaustion attack',
      },
    ]);
  });

  it('reports an empty document', () => {
    expect(problemsOf('')).toEqual([{ path: '', message: 'must be an object, not null' }]);
  });
});

describe('positions', () => {
  it('points at the offending node', () => {
    const text = PLAN.replace('dependsOn: [db]', 'dependsOn: [db, cache]')
      .replace('    wave: 1', '    wave: 1\n    services: [api]')
      .replace(
        '  - name: db\n    image: postgres:16.4',
        '  - name: db\n    image: postgres:16.4\n    replica: 1',
      )
      .replace(
        '  strategy: { type: recreate }',
        '  strategy: { type: canary, steps: [{ setWeight: 10 }, { setWeight: 5 }] }',
      );
    expect(problemsOf(text)).toEqual([
      {
        path: 'services[0].replica',
        message: 'unknown field "replica"',
        ...positionOf(text, 'replica: 1', 'replica: '.length),
      },
      {
        path: 'services[1].dependsOn[1]',
        message: '"api" depends on "cache", which is not a service in this plan',
        ...positionOf(text, 'cache'),
      },
      {
        path: 'defaults.strategy.steps[1].setWeight',
        message: 'weight 5 does not increase on 10 at steps[0]: canary weights must rise strictly',
        ...positionOf(text, '{ setWeight: 5 }', '{ setWeight: '.length),
      },
      {
        path: 'defaults.strategy.steps',
        message: 'the canary never reaches 100 % (its highest weight is 10); end with setWeight: 100',
        ...positionOf(text, '[{ setWeight'),
      },
      {
        path: 'regions[0].services[0]',
        message: 'region "us-east-1" includes "api" but not its dependency "db"',
        ...positionOf(text, 'api]'),
      },
    ]);
  });

  it('points at the key of a block collection, and at the parent of a missing field', () => {
    const text = `metadata:
  releaseId: shop
regions:
  - name: us-east-1
    cluster: shop-use1
    wave: 3
services:
  - name: db
    image: postgres:16.4
`;
    expect(problemsOf(text)).toEqual([
      {
        path: 'services[0].strategy',
        message: 'is required: the service has none and defaults.strategy is not set',
        line: 8,
        column: 5,
      },
      {
        path: 'regions',
        message: 'wave 1 has no region: waves are numbered 1, 2, 3… in order (found 3)',
        line: 3,
        column: 1,
      },
      {
        path: 'regions',
        message: 'wave 2 has no region: waves are numbered 1, 2, 3… in order (found 3)',
        line: 3,
        column: 1,
      },
    ]);
  });

  it('gives positions in JSON text too', () => {
    const text = JSON.stringify(
      {
        metadata: { releaseId: 'shop' },
        defaults: { strategy: { type: 'recreate' } },
        regions: [{ name: 'us-east-1', cluster: 'shop-use1', wave: 1 }],
        services: [{ name: 'api', image: 'api:1', dependsOn: ['api'] }],
      },
      null,
      2,
    );
    expect(problemsOf(text)).toEqual([
      {
        path: 'services[0].dependsOn',
        message: 'dependency cycle: api → api',
        ...positionOf(text, '[\n        "api"'),
      },
    ]);
  });
});

describe('the examples', () => {
  it('loads the reference platform', () => {
    const result = loadPlan(readExample('platform.yaml'));
    if (!result.ok) expect.fail(JSON.stringify(result.problems, null, 2));
    expect(result.plan.metadata.releaseId).toBe('platform-2026-11-22');
    expect(result.plan.services.map((service) => service.name)).toHaveLength(13);
    expect(result.plan.regions.map((region) => [region.name, region.wave])).toEqual([
      ['us-east-1', 1],
      ['us-west-2', 2],
      ['eu-west-1', 3],
    ]);
  });

  it('loads the Ingress example, whose shop services go through the AWS Load Balancer Controller', () => {
    const result = loadPlan(readExample('ingress.yaml'));
    if (!result.ok) expect.fail(JSON.stringify(result.problems, null, 2));
    expect(result.plan.services.map((service) => [service.name, service.traffic.type])).toEqual([
      ['storefront', 'albIngress'],
      ['checkout', 'albIngress'],
      ['search', 'alb'],
    ]);
  });

  it('cycle.yaml: names the cycle by its members at its line', () => {
    const text = readExample('invalid/cycle.yaml');
    expect(problemsOf(text)).toEqual([
      {
        path: 'services[1].dependsOn',
        message: 'dependency cycle: orders → payments → ledger → orders',
        ...positionOf(text, '[catalog, payments]'),
      },
    ]);
  });

  it('bad-weights.yaml: a weight going down, one past 100, and no step reaching 100', () => {
    const text = readExample('invalid/bad-weights.yaml');
    // A weight past 100 is a shape problem (the JSON Schema bounds it too): listed first.
    expect(problemsOf(text)).toEqual([
      {
        path: 'services[1].strategy.steps[6].setWeight',
        message: 'weight 150 is outside 1..100 (a whole percentage)',
        ...positionOf(text, 'setWeight: 150', 'setWeight: '.length),
      },
      {
        path: 'services[1].strategy.steps[4].setWeight',
        message: 'weight 20 does not increase on 25 at steps[2]: canary weights must rise strictly',
        ...positionOf(text, 'setWeight: 20', 'setWeight: '.length),
      },
      {
        path: 'services[1].strategy.steps',
        message: 'the canary never reaches 100 % (its highest weight is 25); end with setWeight: 100',
        ...positionOf(text, 'steps:\n        - setWeight: 10'),
      },
    ]);
  });

  it('region-subset.yaml: an unknown service, missing dependencies and a wave gap', () => {
    const text = readExample('invalid/region-subset.yaml');
    expect(problemsOf(text)).toEqual([
      {
        path: 'regions[1].services[0]',
        message: 'region "us-west-2" includes "web" but not its dependency "recommender"',
        ...positionOf(text, 'web, checkout'),
      },
      {
        path: 'regions[1].services[1]',
        message: 'region "us-west-2" includes "checkout" but not its dependency "payments"',
        ...positionOf(text, 'checkout, recommendations'),
      },
      {
        path: 'regions[1].services[2]',
        message: 'region "us-west-2" names "recommendations", which is not a service in this plan',
        ...positionOf(text, 'recommendations]'),
      },
      {
        path: 'regions',
        message: 'wave 2 has no region: waves are numbered 1, 2, 3… in order (found 1, 3)',
        ...positionOf(text, 'regions:'),
      },
    ]);
  });
});
