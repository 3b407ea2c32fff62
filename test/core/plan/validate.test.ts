/**
 * Every rule of the plan language, each with the exact path and message a user reads.
 * Documents are plain data (as the API receives them) through checkPlan; positions in YAML
 * text are in load.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan, type PlanProblem } from '../../../lambdas/core/plan/load';
import { canaryWithWeights, type Document, service, validDocument } from './documents';

function problemsOf(document: Document): Array<Pick<PlanProblem, 'path' | 'message'>> {
  const result = checkPlan(document);
  if (result.ok) return [];
  return result.problems.map(({ path, message }) => ({ path, message }));
}

function withServices(...services: Document[]): Document {
  return { ...validDocument(), services };
}

const DURATION_MESSAGE = 'must be a duration such as 30s, 10m, 2h or 1h30m';
const RELEASE_ID_MESSAGE =
  'must be 1 to 80 characters of letters, digits, "-" and "_" (it names the Step Functions execution)';

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

describe('durations', () => {
  it.each(['10 minutes', '5x', '10', '', 'm', '1.5h', '30s10m', '-5m'])('rejects %j', (text) => {
    const document = { ...validDocument(), waves: { bake: text } };
    expect(problemsOf(document)).toEqual([{ path: 'waves.bake', message: DURATION_MESSAGE }]);
  });

  it.each(['0s', '45s', '10m', '2h', '1h30m', '1h0m15s'])('accepts %j', (text) => {
    expect(problemsOf({ ...validDocument(), waves: { bake: text } })).toEqual([]);
  });

  it('checks durations deep in a strategy', () => {
    const document = withServices({
      ...service('api'),
      strategy: {
        type: 'canary',
        steps: [{ setWeight: 50 }, { pause: { duration: '5x' } }, { setWeight: 100 }],
      },
    });
    expect(problemsOf(document)).toEqual([
      { path: 'services[0].strategy.steps[1].pause.duration', message: DURATION_MESSAGE },
    ]);
  });
});

describe('release id', () => {
  const withReleaseId = (releaseId: string) => ({ ...validDocument(), metadata: { releaseId } });

  it.each([
    ['too long', 'r'.repeat(81)],
    ['a space', 'release 1'],
    ['a slash', 'team/release'],
    ['a dot', 'release.1'],
    ['empty', ''],
  ])('rejects an id with %s: it could not name an execution', (_, releaseId) => {
    expect(problemsOf(withReleaseId(releaseId))).toEqual([
      { path: 'metadata.releaseId', message: RELEASE_ID_MESSAGE },
    ]);
  });

  it('accepts 80 letters, digits, "-" and "_"', () => {
    expect(problemsOf(withReleaseId(`Release_2026-11-22_${'x'.repeat(61)}`))).toEqual([]);
  });
});

describe('fields', () => {
  it('reports unknown fields by their own path, at any depth', () => {
    const document = validDocument();
    document.metadata.name = 'shop';
    document.services[0].colour = 'blue';
    document.regions[0].clusterName = 'shop-use1';
    document.services[1].analysis.checks[0].alarm = 'api-5xx';
    expect(problemsOf(document)).toEqual([
      { path: 'metadata.name', message: 'unknown field "name"' },
      { path: 'regions[0].clusterName', message: 'unknown field "clusterName"' },
      { path: 'services[0].colour', message: 'unknown field "colour"' },
      { path: 'services[1].analysis.checks[0].alarm', message: 'unknown field "alarm"' },
    ]);
  });

  it('tells a missing field from a value of the wrong type', () => {
    const document = validDocument();
    delete document.services[0].image;
    document.services[2].replicas = '3';
    document.regions = 5;
    expect(problemsOf(document)).toEqual([
      { path: 'regions', message: 'must be an array, not number 5' },
      { path: 'services[0].image', message: 'is required (string)' },
      { path: 'services[2].replicas', message: 'must be a number, not string "3"' },
    ]);
  });

  it('names the misspelt field of a pause rather than the alternatives it did not match', () => {
    const document = withServices({
      ...service('api'),
      strategy: {
        type: 'canary',
        steps: [{ setWeight: 50 }, { pause: { duraton: '5m' } }, { setWeight: 100 }],
      },
    });
    expect(problemsOf(document)).toEqual([
      { path: 'services[0].strategy.steps[1].pause.duration', message: 'is required (string)' },
      { path: 'services[0].strategy.steps[1].pause.duraton', message: 'unknown field "duraton"' },
    ]);
  });

  it('reports a document that is not a mapping', () => {
    expect(problemsOf(['services'] as unknown as Document)).toEqual([
      { path: '', message: 'must be an object, not a list' },
    ]);
  });
});

describe('strategy and analysis', () => {
  it('requires a strategy when there is no default', () => {
    const document = validDocument();
    delete document.defaults;
    expect(problemsOf(document)).toEqual([
      {
        path: 'services[0].strategy',
        message: 'is required: the service has none and defaults.strategy is not set',
      },
      {
        path: 'services[2].strategy',
        message: 'is required: the service has none and defaults.strategy is not set',
      },
    ]);
  });

  it.each([
    ['canary', { type: 'canary', steps: [{ setWeight: 50 }, { analysis: {} }, { setWeight: 100 }] }],
    ['blueGreen', { type: 'blueGreen' }],
    ['rolling', { type: 'rolling', batch: { size: 1 } }],
  ])('requires an analysis for a %s strategy that analyses', (type, strategy) => {
    expect(problemsOf(withServices({ ...service('api'), strategy }))).toEqual([
      {
        path: 'services[0].analysis',
        message: `is required: the ${type} strategy analyses, and defaults.analysis is not set`,
      },
    ]);
  });

  it('needs no analysis for strategies that do not analyse', () => {
    const document = withServices(
      { ...service('a'), strategy: { type: 'blueGreen', previewAnalysis: false } },
      { ...service('b'), strategy: { type: 'rolling', batch: { percent: 50 }, analysisPerBatch: false } },
      { ...service('c'), strategy: canaryWithWeights([50, 100]) },
      { ...service('d'), strategy: { type: 'recreate' } },
    );
    expect(problemsOf(document)).toEqual([]);
  });

  it('takes the analysis from the defaults', () => {
    const document = validDocument();
    document.defaults.analysis = document.services[1].analysis;
    delete document.services[1].analysis;
    expect(problemsOf(document)).toEqual([]);
  });

  it('reports a compare check on a service without ALB traffic', () => {
    const document = validDocument();
    document.services[1].analysis.checks = [{ type: 'compare' }];
    expect(problemsOf(document)).toEqual([
      {
        path: 'services[1].traffic',
        message:
          'a "compare" check needs ALB traffic (alb or albIngress: stable and canary target groups) to read metrics from',
      },
    ]);
    document.services[1].traffic = {
      type: 'alb',
      loadBalancerName: 'shop-public',
      port: 443,
      stableTargetGroup: 'api-stable',
      canaryTargetGroup: 'api-canary',
    };
    expect(problemsOf(document)).toEqual([]);
    document.services[1].traffic = albIngress();
    expect(problemsOf(document)).toEqual([]);
  });

  it('does not require ALB traffic for a default compare analysis that a recreate never runs', () => {
    const document = validDocument();
    document.defaults.analysis = { duration: '5m', checks: [{ type: 'compare' }] };
    document.services = [service('db')];
    expect(problemsOf(document)).toEqual([]);
  });

  it('wants exactly one of duration and count', () => {
    const document = validDocument();
    document.services[1].analysis.duration = '5m';
    expect(problemsOf(document)).toEqual([
      { path: 'services[1].analysis', message: 'give duration or count, not both' },
    ]);
    delete document.services[1].analysis.duration;
    delete document.services[1].analysis.count;
    expect(problemsOf(document)).toEqual([
      { path: 'services[1].analysis', message: 'give a duration or a count' },
    ]);
  });

  it.each(['30s', '90s', '1m30s'])(
    'refuses an interval of %s: ALB metrics are standard resolution, one datapoint a minute',
    (interval) => {
      const document = validDocument();
      document.services[1].analysis.interval = interval;
      document.defaults.analysis = { interval, count: 3, checks: [{ type: 'tcp', host: 'db', port: 5432 }] };
      const message = `${interval} is not a whole number of minutes: ALB metrics come per minute, so an interval is 1m, 2m, 5m…`;
      expect(problemsOf(document)).toEqual([
        { path: 'defaults.analysis.interval', message },
        { path: 'services[1].analysis.interval', message },
      ]);
    },
  );

  it.each(['1m', '2m', '120s', '1h'])('accepts an interval of %s', (interval) => {
    const document = validDocument();
    document.services[1].analysis.interval = interval;
    expect(problemsOf(document)).toEqual([]);
  });

  it('checks the default analysis where it is written', () => {
    const document = validDocument();
    document.defaults.analysis = {
      duration: '5m',
      count: 3,
      checks: [{ type: 'tcp', host: 'db', port: 5432 }],
    };
    expect(problemsOf(document)).toEqual([
      { path: 'defaults.analysis', message: 'give duration or count, not both' },
    ]);
  });
});

describe('baseline', () => {
  it('reports services the baseline names that are not in the plan, or names twice', () => {
    const document = {
      ...validDocument(),
      baseline: { description: 'old script', phases: [['db'], ['api', 'cache'], ['web', 'db']] },
    };
    expect(problemsOf(document)).toEqual([
      {
        path: 'baseline.phases[1][1]',
        message: 'the baseline names "cache", which is not a service in this plan',
      },
      { path: 'baseline.phases[2][1]', message: 'the baseline lists "db" more than once' },
    ]);
  });
});

describe('every problem at once', () => {
  it('reports shape and cross-field problems of one document together', () => {
    const document = validDocument();
    document.metadata.releaseId = 'shop release';
    document.waves = { bake: '15 minutes' };
    document.regions.push({ name: 'eu-west-1', cluster: 'shop-euw1', wave: 3, services: ['web', 'search'] });
    document.services[0].dependsOn = ['web'];
    document.services[1].strategy.steps[2].setWeight = 90;
    document.services[2].replica = 2;
    const problems = problemsOf(document);
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'metadata.releaseId', message: RELEASE_ID_MESSAGE },
        { path: 'waves.bake', message: DURATION_MESSAGE },
        { path: 'services[2].replica', message: 'unknown field "replica"' },
        { path: 'services[0].dependsOn', message: 'dependency cycle: db → web → api → db' },
        {
          path: 'services[1].strategy.steps',
          message: 'the canary never reaches 100 % (its highest weight is 90); end with setWeight: 100',
        },
        {
          path: 'regions[1].services[0]',
          message: 'region "eu-west-1" includes "web" but not its dependency "api"',
        },
        {
          path: 'regions[1].services[1]',
          message: 'region "eu-west-1" names "search", which is not a service in this plan',
        },
        {
          path: 'regions',
          message: 'wave 2 has no region: waves are numbered 1, 2, 3… in order (found 1, 3)',
        },
      ]),
    );
    expect(problems).toHaveLength(8);
  });
});

/** albIngress traffic through the Ingress `shop/edge`, action and Services of `api`. */
function albIngress(overrides: Document = {}): Document {
  return {
    type: 'albIngress',
    ingress: 'edge',
    stableService: 'api',
    canaryService: 'api-canary',
    servicePort: 80,
    ...overrides,
  };
}

describe('albIngress traffic', () => {
  it('defaults nothing it cannot know, and keeps the fields as written', () => {
    const result = checkPlan(withServices({ ...service('api'), namespace: 'shop', traffic: albIngress() }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.services[0]!.traffic).toEqual(albIngress());
  });

  it('accepts a named port, an Ingress name with dots and a namespace of its own', () => {
    const traffic = albIngress({
      servicePort: 'http',
      ingress: 'edge.shop',
      namespace: 'ingress',
      actionName: 'api-split',
    });
    expect(problemsOf(withServices({ ...service('api'), traffic }))).toEqual([]);
  });

  it('bounds the port and checks Kubernetes names', () => {
    const traffic = albIngress({
      servicePort: 70000,
      stableService: 'API',
      ingress: 'Edge',
      actionName: '1-split',
    });
    expect(problemsOf(withServices({ ...service('api'), traffic })).map((problem) => problem.path)).toEqual(
      expect.arrayContaining([
        'services[0].traffic.servicePort',
        'services[0].traffic.stableService',
        'services[0].traffic.ingress',
        'services[0].traffic.actionName',
      ]),
    );
    expect(
      problemsOf(withServices({ ...service('api'), traffic: albIngress({ servicePort: 0 }) })),
    ).toHaveLength(1);
    expect(
      problemsOf(withServices({ ...service('api'), traffic: albIngress({ servicePort: 65535 }) })),
    ).toEqual([]);
  });

  it('requires the Ingress, both Services and the port', () => {
    expect(problemsOf(withServices({ ...service('api'), traffic: { type: 'albIngress' } }))).toEqual([
      { path: 'services[0].traffic.ingress', message: 'is required (string)' },
      { path: 'services[0].traffic.stableService', message: 'is required (string)' },
      { path: 'services[0].traffic.canaryService', message: 'is required (string)' },
      { path: 'services[0].traffic.servicePort', message: 'is required (number or string)' },
    ]);
  });

  it('refuses one Service for both stable and canary pods', () => {
    const traffic = albIngress({ canaryService: 'api' });
    expect(problemsOf(withServices({ ...service('api'), traffic }))).toEqual([
      {
        path: 'services[0].traffic.canaryService',
        message: 'must differ from stableService ("api"): stable and canary pods never share a Service',
      },
    ]);
  });

  it('refuses two services writing the same action of one Ingress, counting the namespace default', () => {
    const document = withServices(
      { ...service('api'), namespace: 'shop', traffic: albIngress() },
      { ...service('web'), namespace: 'shop', traffic: albIngress({ canaryService: 'web-canary' }) },
      // Another namespace's Ingress of the same name is another Ingress.
      { ...service('admin'), namespace: 'ops', traffic: albIngress({ canaryService: 'admin-canary' }) },
      {
        ...service('api2'),
        traffic: albIngress({
          namespace: 'shop',
          actionName: 'api',
          stableService: 'api2',
          canaryService: 'api2-canary',
        }),
      },
    );
    expect(problemsOf(document)).toEqual([
      {
        path: 'services[1].traffic.stableService',
        message: `action "api" of Ingress shop/edge is already services[0]'s: each service needs its own action`,
      },
      {
        path: 'services[3].traffic.actionName',
        message: `action "api" of Ingress shop/edge is already services[0]'s: each service needs its own action`,
      },
    ]);
  });
});
