/**
 * Every rule of the plan language, each with the exact path and message a user reads: a valid document,
 * dependencies, canary weights, regions and waves. Documents are plain data (as the API receives them)
 * through checkPlan; fields and durations are in validate-fields.test.ts, albIngress traffic in
 * validate-alb-ingress.test.ts, positions in YAML text in load.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../../lambdas/core/plan/load';
import { canaryWithWeights, problemsOf, service, validDocument } from './documents';
import { withServices } from './validate-support';

describe('a valid document', () => {
  it('has no problems and comes back with its defaults applied', () => {
    const result = checkPlan(validDocument());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.defaults.concurrency).toBe(4);
    expect(result.plan.waves.bake).toBe('0s');
    expect(result.plan.services[0]).toMatchObject({
      namespace: 'default',
      traffic: { type: 'replicaRatio' },
    });
  });
});

describe('dependency cycles', () => {
  it('names a 2-cycle by its members, at the first member declared', () => {
    expect(problemsOf(withServices(service('a', ['b']), service('b', ['a'])))).toEqual([
      { path: 'services[0].dependsOn', message: 'dependency cycle: a → b → a' },
    ]);
  });

  it('names a 3-cycle in dependency order', () => {
    const document = withServices(
      service('catalog'),
      service('orders', ['catalog', 'payments']),
      service('payments', ['ledger']),
      service('ledger', ['orders']),
    );
    expect(problemsOf(document)).toEqual([
      { path: 'services[1].dependsOn', message: 'dependency cycle: orders → payments → ledger → orders' },
    ]);
  });

  it('starts the cycle at the member declared first, whichever member the search reaches first', () => {
    const document = withServices(
      service('x', ['c']),
      service('c', ['a']),
      service('a', ['b']),
      service('b', ['c']),
    );
    expect(problemsOf(document)).toEqual([
      { path: 'services[1].dependsOn', message: 'dependency cycle: c → a → b → c' },
    ]);
  });

  it('names a self-dependency', () => {
    expect(problemsOf(withServices(service('db'), service('api', ['db', 'api'])))).toEqual([
      { path: 'services[1].dependsOn', message: 'dependency cycle: api → api' },
    ]);
  });

  it('reports each separate cycle', () => {
    const document = withServices(
      service('a', ['b']),
      service('b', ['a']),
      service('c', ['d']),
      service('d', ['e']),
      service('e', ['c']),
    );
    expect(problemsOf(document)).toEqual([
      { path: 'services[0].dependsOn', message: 'dependency cycle: a → b → a' },
      { path: 'services[2].dependsOn', message: 'dependency cycle: c → d → e → c' },
    ]);
  });
});

describe('service names and dependencies', () => {
  it('reports a dependency on a service that is not in the plan, at the list item', () => {
    expect(problemsOf(withServices(service('db'), service('api', ['db', 'cache'])))).toEqual([
      {
        path: 'services[1].dependsOn[1]',
        message: '"api" depends on "cache", which is not a service in this plan',
      },
    ]);
  });

  it('reports a duplicate service name at the second definition', () => {
    expect(problemsOf(withServices(service('db'), service('api', ['db']), service('api')))).toEqual([
      { path: 'services[2].name', message: 'duplicate service name "api" (first defined at services[1])' },
    ]);
  });

  it('requires Kubernetes names', () => {
    expect(problemsOf(withServices(service('Auth_Service')))).toEqual([
      { path: 'services[0].name', message: 'must be a Kubernetes name: lowercase letters, digits and "-"' },
    ]);
  });
});

describe('canary weights', () => {
  const withCanary = (weights: number[]) =>
    withServices({ ...service('api'), strategy: canaryWithWeights(weights) });

  it('accepts weights that rise strictly to 100', () => {
    expect(problemsOf(withCanary([1, 5, 50, 100]))).toEqual([]);
  });

  it('reports a weight that goes down or stays level, naming the step it is compared to', () => {
    expect(problemsOf(withCanary([10, 50, 25, 50, 100]))).toEqual([
      {
        path: 'services[0].strategy.steps[2].setWeight',
        message: 'weight 25 does not increase on 50 at steps[1]: canary weights must rise strictly',
      },
      {
        path: 'services[0].strategy.steps[3].setWeight',
        message: 'weight 50 does not increase on 50 at steps[1]: canary weights must rise strictly',
      },
    ]);
  });

  it.each([
    [0, 'weight 0 is outside 1..100 (a whole percentage)'],
    [101, 'weight 101 is outside 1..100 (a whole percentage)'],
    [-5, 'weight -5 is outside 1..100 (a whole percentage)'],
    [12.5, 'weight 12.5 is outside 1..100 (a whole percentage)'],
  ])('reports weight %s as outside 1..100', (weight, message) => {
    expect(problemsOf(withCanary([weight, 100]))).toEqual([
      { path: 'services[0].strategy.steps[0].setWeight', message },
    ]);
  });

  it('does not compare later weights with one that is out of range', () => {
    expect(problemsOf(withCanary([10, 150, 100]))).toEqual([
      {
        path: 'services[0].strategy.steps[1].setWeight',
        message: 'weight 150 is outside 1..100 (a whole percentage)',
      },
    ]);
  });

  it('reports a canary that never reaches 100, with its highest weight', () => {
    expect(problemsOf(withCanary([10, 50]))).toEqual([
      {
        path: 'services[0].strategy.steps',
        message: 'the canary never reaches 100 % (its highest weight is 50); end with setWeight: 100',
      },
    ]);
  });

  it('reports a canary that sets no weight at all', () => {
    const document = withServices({
      ...service('api'),
      strategy: { type: 'canary', steps: [{ pause: { duration: '5m' } }] },
    });
    expect(problemsOf(document)).toEqual([
      {
        path: 'services[0].strategy.steps',
        message: 'the canary never sets a weight; add setWeight steps ending at 100',
      },
    ]);
  });

  it('checks the default strategy where it is written', () => {
    const document = validDocument();
    document.defaults.strategy = canaryWithWeights([20, 10]);
    document.services = [service('db')];
    expect(problemsOf(document)).toEqual([
      {
        path: 'defaults.strategy.steps[1].setWeight',
        message: 'weight 10 does not increase on 20 at steps[0]: canary weights must rise strictly',
      },
      {
        path: 'defaults.strategy.steps',
        message: 'the canary never reaches 100 % (its highest weight is 20); end with setWeight: 100',
      },
    ]);
  });
});

describe('regions and waves', () => {
  const region = (name: string, wave: number, services?: string[]) => ({
    name,
    cluster: `shop-${name}`,
    wave,
    ...(services && { services }),
  });

  it('reports a wave with no region when the numbers have a gap', () => {
    const document = { ...validDocument(), regions: [region('us-east-1', 1), region('eu-west-1', 3)] };
    expect(problemsOf(document)).toEqual([
      {
        path: 'regions',
        message: 'wave 2 has no region: waves are numbered 1, 2, 3… in order (found 1, 3)',
      },
    ]);
  });

  it('reports a missing first wave', () => {
    const document = { ...validDocument(), regions: [region('us-east-1', 2), region('eu-west-1', 2)] };
    expect(problemsOf(document)).toEqual([
      { path: 'regions', message: 'wave 1 has no region: waves are numbered 1, 2, 3… in order (found 2)' },
    ]);
  });

  it('reports a region subset that names an unknown service', () => {
    const document = {
      ...validDocument(),
      regions: [region('us-east-1', 1), region('us-west-2', 2, ['db', 'dbb'])],
    };
    expect(problemsOf(document)).toEqual([
      {
        path: 'regions[1].services[1]',
        message: 'region "us-west-2" names "dbb", which is not a service in this plan',
      },
    ]);
  });

  it('reports a region subset that leaves out a dependency of a service it includes', () => {
    const document = { ...validDocument(), regions: [region('us-east-1', 1, ['web', 'api'])] };
    expect(problemsOf(document)).toEqual([
      {
        path: 'regions[0].services[1]',
        message: 'region "us-east-1" includes "api" but not its dependency "db"',
      },
    ]);
  });

  it('names every dependency a region leaves out in one problem per service, the first five by name', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const document = {
      ...validDocument(),
      services: [
        ...names.map((name) => service(name)),
        service('hub', names),
        service('pair', ['a', 'b', 'a']),
      ],
      regions: [region('us-east-1', 1, ['hub', 'pair'])],
    };
    expect(problemsOf(document)).toEqual([
      {
        path: 'regions[0].services[0]',
        message:
          'region "us-east-1" includes "hub" but not its dependencies "a", "b", "c", "d", "e" and 2 more',
      },
      {
        path: 'regions[0].services[1]',
        message: 'region "us-east-1" includes "pair" but not its dependencies "a" and "b"',
      },
    ]);
  });

  it('accepts a subset closed under dependencies', () => {
    const document = {
      ...validDocument(),
      regions: [region('us-east-1', 1), region('us-west-2', 2, ['api', 'db'])],
    };
    expect(problemsOf(document)).toEqual([]);
  });

  it('reports a service listed twice in a region, and an empty subset', () => {
    const document = {
      ...validDocument(),
      regions: [region('us-east-1', 1, ['db', 'db']), region('us-west-2', 2, [])],
    };
    expect(problemsOf(document)).toEqual([
      { path: 'regions[0].services[1]', message: 'region "us-east-1" lists "db" more than once' },
      { path: 'regions[1].services', message: 'region "us-west-2" lists no services' },
    ]);
  });

  it('reports a region listed twice', () => {
    const document = { ...validDocument(), regions: [region('us-east-1', 1), region('us-east-1', 2)] };
    expect(problemsOf(document)).toEqual([
      { path: 'regions[1].name', message: 'duplicate region "us-east-1" (first at regions[0])' },
    ]);
  });

  it('requires DNS weights and the plan DNS record together', () => {
    const withRecord = {
      ...validDocument(),
      dns: { hostedZoneId: 'Z0EXAMPLE', recordName: 'api.example.com' },
    };
    expect(problemsOf(withRecord)).toEqual([
      {
        path: 'regions[0]',
        message:
          'region "us-east-1" has no dns weight, but the plan has a dns record: give dns.setIdentifier and dns.weight',
      },
    ]);
    const withWeight = {
      ...validDocument(),
      regions: [{ ...region('us-east-1', 1), dns: { setIdentifier: 'use1', weight: 100 } }],
    };
    expect(problemsOf(withWeight)).toEqual([
      { path: 'regions[0].dns', message: 'a region DNS weight needs the plan-level dns record' },
    ]);
  });

  it('requires AWS region names', () => {
    const document = { ...validDocument(), regions: [region('virginia', 1)] };
    expect(problemsOf(document)).toEqual([
      { path: 'regions[0].name', message: 'must be an AWS region name such as us-east-1' },
    ]);
  });
});
