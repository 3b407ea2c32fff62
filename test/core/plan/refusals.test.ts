/**
 * Plans that are well-formed but cannot work are refused, each problem at the exact path of what
 * to change: two services on one Deployment, target group, listener rule or default action; an
 * analysis shorter than its interval; DNS weights all 0; probes of the machine Switchyard runs
 * on. Beside each refusal, the neighbouring plan that works still passes. Also YAML merge keys,
 * and where problems in merged content are located.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan, loadPlan, type PlanProblem } from '../../../lambdas/core/plan/load';
import { type Document, positionOf, readExample, service, validDocument } from './documents';

function problemsOf(document: Document): Array<Pick<PlanProblem, 'path' | 'message'>> {
  const result = checkPlan(document);
  if (result.ok) return [];
  return result.problems.map(({ path, message }) => ({ path, message }));
}

function loadProblemsOf(text: string): PlanProblem[] {
  const result = loadPlan(text);
  if (result.ok) throw new Error('expected the plan to be invalid');
  return result.problems;
}

const US_EAST = { name: 'us-east-1', cluster: 'shop-use1', wave: 1 };
const EU_WEST = { name: 'eu-west-1', cluster: 'shop-euw1', wave: 2 };

/** A plan of these services (recreating by default) in us-east-1 and eu-west-1, or these regions. */
function planOf(services: Document[], regions: Document[] = [US_EAST, EU_WEST]): Document {
  return { ...validDocument(), regions, services };
}

/** us-east-1 rolls only `first`, eu-west-1 only `second`. */
function disjointRegions(first: string, second: string): Document[] {
  return [
    { ...US_EAST, services: [first] },
    { ...EU_WEST, services: [second] },
  ];
}

/** A service on listener port 443 of load balancer "shop", on a rule for its own path. */
function albService(name: string, traffic: Document = {}): Document {
  return {
    ...service(name),
    traffic: {
      type: 'alb',
      loadBalancerName: 'shop',
      port: 443,
      rule: { pathPattern: `/${name}/*` },
      stableTargetGroup: `${name}-stable`,
      canaryTargetGroup: `${name}-canary`,
      ...traffic,
    },
  };
}

const LISTENER = 'listener port 443 of load balancer "shop"';
const BOTH_REGIONS = 'us-east-1, eu-west-1';

describe('one Deployment, two services', () => {
  it('is refused at the second service, naming the Deployment and every region they share', () => {
    const document = planOf([service('api'), { ...service('api-next'), deployment: 'api' }]);
    expect(problemsOf(document)).toEqual([
      {
        path: 'services[1].deployment',
        message: `rolls Deployment default/api in ${BOTH_REGIONS}, which services[0] ("api") rolls too: each would undo the other's rollout`,
      },
    ]);
  });

  it('points at the name when the Deployment is named after the service, and reads namespace default as given', () => {
    const document = planOf([
      { ...service('web'), deployment: 'api' },
      { ...service('api'), namespace: 'default' },
    ]);
    expect(problemsOf(document)).toEqual([
      {
        path: 'services[1].name',
        message: `rolls Deployment default/api in ${BOTH_REGIONS}, which services[0] ("web") rolls too: each would undo the other's rollout`,
      },
    ]);
  });

  it('names only the regions both services are in', () => {
    const document = planOf(
      [service('api'), { ...service('api-next'), deployment: 'api' }],
      [US_EAST, { ...EU_WEST, services: ['api-next'] }],
    );
    expect(problemsOf(document)).toEqual([
      {
        path: 'services[1].deployment',
        message:
          'rolls Deployment default/api in us-east-1, which services[0] ("api") rolls too: each would undo the other\'s rollout',
      },
    ]);
  });

  it('passes with the same name in two namespaces, or in regions that do not overlap', () => {
    const namespaces = planOf([
      { ...service('api'), namespace: 'shop' },
      { ...service('api-next'), deployment: 'api', namespace: 'shop-next' },
    ]);
    expect(problemsOf(namespaces)).toEqual([]);
    const regions = planOf(
      [service('api'), { ...service('api-next'), deployment: 'api' }],
      disjointRegions('api', 'api-next'),
    );
    expect(problemsOf(regions)).toEqual([]);
  });
});

describe('target groups', () => {
  it('refuses one target group as both stable and canary of a service', () => {
    expect(problemsOf(planOf([albService('api', { canaryTargetGroup: 'api-stable' })]))).toEqual([
      {
        path: 'services[0].traffic.canaryTargetGroup',
        message:
          'must differ from stableTargetGroup ("api-stable"): the weights split traffic between two target groups',
      },
    ]);
  });

  it('refuses one target group in two services of a region, whatever load balancer each names', () => {
    const document = planOf([
      albService('api'),
      albService('web', { loadBalancerName: 'shop-internal', stableTargetGroup: 'api-canary' }),
    ]);
    expect(problemsOf(document)).toEqual([
      {
        path: 'services[1].traffic.stableTargetGroup',
        message: `target group "api-canary" is services[0] ("api")'s too in ${BOTH_REGIONS}: a name is one target group in a region, so both would set its weights`,
      },
    ]);
  });

  it('passes with the same target group names in regions that do not overlap', () => {
    const document = planOf(
      [
        albService('api'),
        albService('web', { stableTargetGroup: 'api-stable', canaryTargetGroup: 'api-canary' }),
      ],
      disjointRegions('api', 'web'),
    );
    expect(problemsOf(document)).toEqual([]);
  });
});

describe('listener rules and default actions', () => {
  it('refuses two services on the default action of one listener', () => {
    const document = planOf([albService('api', { rule: undefined }), albService('web', { rule: undefined })]);
    expect(problemsOf(document)).toEqual([
      {
        path: 'services[1].traffic',
        message: `uses the default action of ${LISTENER} in ${BOTH_REGIONS}, as services[0] ("api") does: both would set its weights; give one of them a rule`,
      },
    ]);
  });

  it('refuses two selectors with the same conditions, host names compared case-insensitively', () => {
    const document = planOf([
      albService('api', { rule: { hostHeader: 'Shop.Example.com', pathPattern: '/api/*' } }),
      albService('web', { rule: { pathPattern: '/api/*', hostHeader: 'shop.example.com' } }),
    ]);
    expect(problemsOf(document)).toEqual([
      {
        path: 'services[1].traffic.rule',
        message: `selects a rule by host header "shop.example.com", path pattern "/api/*" on ${LISTENER} in ${BOTH_REGIONS}, as services[0] ("api") does: both would set one rule's weights; give each its own conditions or rule.priority`,
      },
    ]);
  });

  it('refuses a selector whose conditions include all of an earlier one, and one included in an earlier one', () => {
    const wider = { hostHeader: 'shop.example.com' };
    const narrower = { hostHeader: 'shop.example.com', pathPattern: '/api/*' };
    expect(
      problemsOf(planOf([albService('web', { rule: wider }), albService('api', { rule: narrower })])),
    ).toEqual([
      {
        path: 'services[1].traffic.rule',
        message: `selects a rule by host header "shop.example.com", path pattern "/api/*" on ${LISTENER} in ${BOTH_REGIONS}, which services[0] ("web")'s selector (host header "shop.example.com") matches too: both would set one rule's weights; give each its own conditions or rule.priority`,
      },
    ]);
    expect(
      problemsOf(planOf([albService('api', { rule: narrower }), albService('web', { rule: wider })])),
    ).toEqual([
      {
        path: 'services[1].traffic.rule',
        message: `selects a rule by host header "shop.example.com" on ${LISTENER} in ${BOTH_REGIONS}, which also matches the rule services[0] ("api") selects (host header "shop.example.com", path pattern "/api/*"): both would set one rule's weights; give each its own conditions or rule.priority`,
      },
    ]);
  });

  it('refuses one priority in two services of a listener, whatever their conditions', () => {
    const document = planOf([
      albService('api', { rule: { pathPattern: '/api/*', priority: 10 } }),
      albService('web', { rule: { pathPattern: '/web/*', priority: 10 } }),
    ]);
    expect(problemsOf(document)).toEqual([
      {
        path: 'services[1].traffic.rule.priority',
        message: `priority 10 on ${LISTENER} is services[0] ("api")'s rule too in ${BOTH_REGIONS}: a listener has one rule per priority, so both would set its weights`,
      },
    ]);
  });

  it('refuses a rule selector with no condition', () => {
    expect(problemsOf(planOf([albService('api', { rule: {} })]))).toEqual([
      {
        path: 'services[0].traffic.rule',
        message:
          'must give hostHeader, pathPattern or priority to select a rule (leave rule out for the default action)',
      },
    ]);
  });

  it('passes with rules of their own, on other listeners, or in regions that do not overlap', () => {
    const ownRules = planOf([
      albService('api'), // path /api/*
      albService('web'), // path /web/*
      albService('home', { rule: undefined }), // the default action
      albService('blue', { rule: { hostHeader: 'shop.example.com', priority: 1 } }),
      albService('green', { rule: { hostHeader: 'shop.example.com', priority: 2 } }),
      albService('cart', { rule: { hostHeader: 'shop.example.com', pathPattern: '/cart/*' } }),
      albService('pay', { rule: { hostHeader: 'pay.example.com', pathPattern: '/cart/*' } }),
    ]);
    expect(problemsOf(ownRules)).toEqual([]);
    const otherListeners = planOf([
      albService('api', { rule: undefined }),
      albService('web', { rule: undefined, port: 8443 }),
      albService('admin', { rule: undefined, loadBalancerName: 'shop-internal' }),
    ]);
    expect(problemsOf(otherListeners)).toEqual([]);
    const regions = planOf(
      [albService('api', { rule: { priority: 10 } }), albService('web', { rule: { priority: 10 } })],
      disjointRegions('api', 'web'),
    );
    expect(problemsOf(regions)).toEqual([]);
  });
});

describe('an analysis shorter than its interval', () => {
  /** validDocument's api, analysing as given. */
  function withApiAnalysis(analysis: Document, steps?: Document[]): Document {
    const document = validDocument();
    document.services[1].analysis = {
      checks: [{ type: 'cloudwatchAlarms', alarmNames: ['api-5xx'] }],
      ...analysis,
    };
    if (steps) document.services[1].strategy.steps = steps;
    return document;
  }

  it('refuses an interval longer than the duration, at the interval', () => {
    expect(problemsOf(withApiAnalysis({ interval: '5m', duration: '2m' }))).toEqual([
      {
        path: 'services[1].analysis.interval',
        message: '5m is longer than the duration (2m): the analysis would judge no whole interval',
      },
    ]);
  });

  it('refuses a duration shorter than the default interval, at the duration, in defaults too', () => {
    const document = validDocument();
    document.defaults.analysis = {
      duration: '30s',
      checks: [{ type: 'cloudwatchAlarms', alarmNames: ['shop-5xx'] }],
    };
    expect(problemsOf(document)).toEqual([
      {
        path: 'defaults.analysis.duration',
        message:
          '30s is shorter than the interval (1m when not given): the analysis would judge no whole interval',
      },
    ]);
  });

  it("refuses a canary step whose duration is shorter than the service's interval", () => {
    const steps = [{ setWeight: 10 }, { analysis: { duration: '30s' } }, { setWeight: 100 }];
    expect(problemsOf(withApiAnalysis({ interval: '1m', count: 3 }, steps))).toEqual([
      {
        path: 'services[1].strategy.steps[1].analysis.duration',
        message:
          '30s is shorter than the analysis interval, 1m (api): this step would judge no whole interval',
      },
    ]);
  });

  it('refuses a step of defaults.strategy once, naming each service it is too short for by interval', () => {
    const checks = [{ type: 'cloudwatchAlarms', alarmNames: ['shop-5xx'] }];
    const document = {
      ...validDocument(),
      defaults: {
        strategy: {
          type: 'canary',
          steps: [{ setWeight: 10 }, { analysis: { duration: '90s' } }, { setWeight: 100 }],
        },
        analysis: { interval: '1m', count: 3, checks },
      },
      services: [
        service('db'),
        { ...service('api'), analysis: { interval: '2m', count: 3, checks } },
        { ...service('web'), analysis: { interval: '5m', count: 3, checks } },
        { ...service('cart'), analysis: { interval: '2m', count: 3, checks } },
      ],
    };
    expect(problemsOf(document)).toEqual([
      {
        path: 'defaults.strategy.steps[1].analysis.duration',
        message:
          '90s is shorter than the analysis interval, 2m (api, cart); 5m (web): this step would judge no whole interval',
      },
    ]);
  });

  it('passes with a duration of one interval, or a count', () => {
    const steps = [{ setWeight: 10 }, { analysis: { duration: '1m' } }, { setWeight: 100 }];
    expect(problemsOf(withApiAnalysis({ interval: '2m', duration: '2m' }))).toEqual([]);
    expect(problemsOf(withApiAnalysis({ interval: '1m', count: 1 }, steps))).toEqual([]);
  });
});

describe('DNS weights', () => {
  function withWeights(...weights: number[]): Document {
    return {
      ...validDocument(),
      dns: { hostedZoneId: 'Z0SHOP', recordName: 'shop.example.com' },
      regions: weights.map((weight, index) => ({
        ...[US_EAST, EU_WEST][index],
        dns: { setIdentifier: `region-${index}`, weight },
      })),
    };
  }

  it('refuses every region at weight 0: Route 53 would spread traffic evenly', () => {
    expect(problemsOf(withWeights(0, 0))).toEqual([
      {
        path: 'regions',
        message:
          "every region's dns.weight is 0: Route 53 then spreads traffic evenly across all of them; give the regions that should take traffic a weight above 0",
      },
    ]);
  });

  it('passes with one region at weight 0', () => {
    expect(problemsOf(withWeights(0, 100))).toEqual([]);
  });
});

describe('probe targets', () => {
  /** validDocument with this check as api's only one. */
  function withCheck(check: Document): Document {
    const document = validDocument();
    document.services[1].analysis.checks = [check];
    return document;
  }

  const local = (host: string, kind: string) =>
    `${host} is ${kind}: a probe runs where Switchyard runs, not beside the service; set allowLocalTargets: true on this check if that is meant`;

  it.each([
    ['http://localhost:8080/healthz', 'localhost', 'a loopback address'],
    ['http://api.localhost/healthz', 'api.localhost', 'a loopback address'],
    ['http://127.0.0.1/healthz', '127.0.0.1', 'a loopback address'],
    ['http://127.8.0.1/healthz', '127.8.0.1', 'a loopback address'],
    ['http://2130706433/healthz', '127.0.0.1', 'a loopback address'],
    ['http://0x7f.1/healthz', '127.0.0.1', 'a loopback address'],
    ['http://0177.0.0.1/healthz', '127.0.0.1', 'a loopback address'],
    ['http://[::1]/healthz', '[::1]', 'a loopback address'],
    ['http://[::ffff:127.0.0.1]/healthz', '[::ffff:7f00:1]', 'a loopback address'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254', 'the instance metadata service'],
    ['http://[fd00:ec2::254]/latest/meta-data/', '[fd00:ec2::254]', 'the instance metadata service'],
    ['http://[::ffff:169.254.169.254]/', '[::ffff:a9fe:a9fe]', 'the instance metadata service'],
    ['http://169.254.170.23/v1/credentials', '169.254.170.23', 'the EKS Pod Identity Agent'],
    ['http://169.254.10.1/healthz', '169.254.10.1', 'a link-local address'],
    ['http://[fe80::1]/healthz', '[fe80::1]', 'a link-local address'],
    ['http://0.0.0.0:8080/healthz', '0.0.0.0', 'the unspecified address'],
    ['http://0/healthz', '0.0.0.0', 'the unspecified address'],
    ['http://[::]/healthz', '[::]', 'the unspecified address'],
  ])('refuses an http probe of %s (%s, %s)', (url, host, kind) => {
    expect(problemsOf(withCheck({ type: 'http', url }))).toEqual([
      { path: 'services[1].analysis.checks[0].url', message: local(host, kind) },
    ]);
  });

  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['LOCALHOST', 'a loopback address'],
    ['::1', 'a loopback address'],
    ['2130706433', 'a loopback address'],
    ['169.254.169.254', 'the instance metadata service'],
    ['::ffff:169.254.169.254', 'the instance metadata service'],
    ['fe80::1%eth0', 'a link-local address'],
  ])('refuses a tcp probe of %s (%s)', (host, kind) => {
    expect(problemsOf(withCheck({ type: 'tcp', host, port: 80 }))).toEqual([
      { path: 'services[1].analysis.checks[0].host', message: local(host, kind) },
    ]);
  });

  it('refuses probes in defaults.analysis too', () => {
    const document = validDocument();
    document.defaults.analysis = {
      count: 3,
      checks: [
        { type: 'http', url: 'https://shop.example.com/healthz' },
        { type: 'tcp', host: 'localhost', port: 5432 },
      ],
    };
    expect(problemsOf(document)).toEqual([
      { path: 'defaults.analysis.checks[1].host', message: local('localhost', 'a loopback address') },
    ]);
  });

  it('refuses a url that is not http or https, even with allowLocalTargets', () => {
    for (const url of ['ftp://files.example.com/health', 'file:///etc/passwd']) {
      const scheme = new URL(url).protocol;
      expect(problemsOf(withCheck({ type: 'http', url, allowLocalTargets: true })), url).toEqual([
        {
          path: 'services[1].analysis.checks[0].url',
          message: `must be an http or https URL, not ${scheme}`,
        },
      ]);
    }
  });

  it('passes a local target with allowLocalTargets: true', () => {
    const http = { type: 'http', url: 'http://localhost:8080/healthz', allowLocalTargets: true };
    const tcp = { type: 'tcp', host: '169.254.169.254', port: 80, allowLocalTargets: true };
    expect(problemsOf(withCheck(http))).toEqual([]);
    expect(problemsOf(withCheck(tcp))).toEqual([]);
    const result = checkPlan(withCheck(http));
    expect(result.ok && result.plan.services[1]!.analysis!.checks[0]).toMatchObject({
      allowLocalTargets: true,
    });
  });

  it('passes services by name and private addresses', () => {
    const checks = [
      { type: 'http', url: 'https://shop.example.com/healthz' },
      { type: 'http', url: 'http://checkout.shop.svc.cluster.local/healthz' },
      { type: 'http', url: 'http://10.0.12.7:8080/healthz' },
      { type: 'http', url: 'http://localhost.example.com/healthz' },
      { type: 'tcp', host: 'db.shop.svc.cluster.local', port: 5432 },
      { type: 'tcp', host: '172.20.0.10', port: 53 },
    ];
    const document = validDocument();
    document.services[1].analysis.checks = checks;
    expect(problemsOf(document)).toEqual([]);
  });
});

describe('YAML merge keys', () => {
  const PLAN = `metadata: { releaseId: shop }
defaults:
  strategy: { type: recreate }
regions:
  - { name: us-east-1, cluster: shop-use1, wave: 1 }
services:
  - name: api
    image: api:1
    traffic: &alb
      type: alb
      loadBalancerName: shop
      port: 443
      rule: { pathPattern: /api/* }
      stableTargetGroup: api-stable
      canaryTargetGroup: api-canary
  - name: web
    image: web:1
    traffic:
      <<: *alb
      rule: { pathPattern: /web/* }
      stableTargetGroup: web-stable
      canaryTargetGroup: web-canary
`;

  it('are read, a key written beside them winning over the merged one', () => {
    const result = loadPlan(PLAN);
    if (!result.ok) expect.fail(JSON.stringify(result.problems, null, 2));
    expect(result.plan.services[1]!.traffic).toEqual({
      type: 'alb',
      loadBalancerName: 'shop',
      port: 443,
      rule: { pathPattern: '/web/*' },
      stableTargetGroup: 'web-stable',
      canaryTargetGroup: 'web-canary',
    });
  });

  it('merge a list of anchors, the first one winning', () => {
    const text = PLAN.replace(
      '      <<: *alb\n',
      '      <<: [*alb, { port: 8443, loadBalancerName: other }]\n',
    );
    const result = loadPlan(text);
    if (!result.ok) expect.fail(JSON.stringify(result.problems, null, 2));
    expect(result.plan.services[1]!.traffic).toMatchObject({ loadBalancerName: 'shop', port: 443 });
  });

  it('locate a problem in merged content at the line of the anchored value, and one beside them at its own', () => {
    const text = PLAN.replace('      stableTargetGroup: web-stable\n', '').replace(
      '      canaryTargetGroup: web-canary\n',
      '      canaryTargetGroup: web-canary\n      weight: 5\n',
    );
    expect(loadProblemsOf(text)).toEqual([
      {
        path: 'services[1].traffic.weight',
        message: 'unknown field "weight"',
        ...positionOf(text, 'weight: 5', 'weight: '.length),
      },
      {
        path: 'services[1].traffic.stableTargetGroup',
        message:
          'target group "api-stable" is services[0] ("api")\'s too in us-east-1: a name is one target group in a region, so both would set its weights',
        ...positionOf(text, 'api-stable'),
      },
    ]);
  });

  it('still refuse a key written twice beside them', () => {
    const text = PLAN.replace(
      '      stableTargetGroup: web-stable\n',
      '      stableTargetGroup: web-stable\n      stableTargetGroup: web-blue\n',
    );
    expect(loadProblemsOf(text)).toEqual([
      {
        path: '',
        message: 'syntax error: Map keys must be unique',
        ...positionOf(text, 'stableTargetGroup: web-blue'),
      },
    ]);
  });

  it('refuse a merge of something that is not a mapping, without a stack trace', () => {
    const text = PLAN.replace('      <<: *alb\n', '      <<: alb\n');
    expect(loadProblemsOf(text)).toEqual([
      { path: '', message: 'cannot read the document: Merge sources must be maps or map aliases' },
    ]);
  });

  it('are not read from JSON, where "<<" is a quoted key like any other', () => {
    const document = JSON.parse(JSON.stringify(validDocument()));
    document.services[0]['<<'] = { namespace: 'data' };
    expect(loadProblemsOf(JSON.stringify(document, null, 2))).toMatchObject([
      { path: 'services[0].<<', message: 'unknown field "<<"' },
    ]);
  });
});

describe('the example', () => {
  it('shared-resources.yaml: a copied service on its original Deployment, target group and rule, probing localhost', () => {
    const text = readExample('invalid/shared-resources.yaml');
    expect(loadProblemsOf(text)).toEqual([
      {
        path: 'services[1].deployment',
        message:
          'rolls Deployment shop/checkout in us-east-1, which services[0] ("checkout") rolls too: each would undo the other\'s rollout',
        ...positionOf(text, 'deployment: checkout', 'deployment: '.length),
      },
      {
        path: 'services[1].traffic.stableTargetGroup',
        message:
          'target group "checkout-stable" is services[0] ("checkout")\'s too in us-east-1: a name is one target group in a region, so both would set its weights',
        ...positionOf(text, 'checkout-stable'),
      },
      {
        path: 'services[1].traffic.rule',
        message:
          'selects a rule by path pattern "/checkout/*" on listener port 443 of load balancer "shop-public" in us-east-1, as services[0] ("checkout") does: both would set one rule\'s weights; give each its own conditions or rule.priority',
        ...positionOf(text, '{ pathPattern: /checkout/* }'),
      },
      {
        path: 'services[1].analysis.checks[0].url',
        message:
          'localhost is a loopback address: a probe runs where Switchyard runs, not beside the service; set allowLocalTargets: true on this check if that is meant',
        ...positionOf(text, 'http://localhost'),
      },
    ]);
  });
});
