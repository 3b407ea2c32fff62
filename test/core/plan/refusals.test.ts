/**
 * Plans that are well-formed but cannot work are refused, each problem at the exact path of what
 * to change: two services on one Deployment, target group, listener rule or default action; an
 * analysis shorter than its interval. Beside each refusal, the neighbouring plan that works still
 * passes. DNS weights, probes and YAML merge keys are in refusals-dns-probes-merge-keys.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { type Document, problemsOf, service, validDocument } from './documents';
import {
  albService,
  BOTH_REGIONS,
  disjointRegions,
  EU_WEST,
  LISTENER,
  planOf,
  US_EAST,
} from './refusals-support';

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
