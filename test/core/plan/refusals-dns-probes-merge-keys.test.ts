/**
 * Plans that are well-formed but cannot work are refused, each problem at the exact path of what
 * to change: DNS weights all 0; probes of the machine Switchyard runs on. Beside each refusal, the
 * neighbouring plan that works still passes. Also YAML merge keys, and where problems in merged
 * content are located; and the example plan.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan, loadPlan } from '../../../lambdas/core/plan/load';
import { type Document, positionOf, problemsOf, readExample, validDocument } from './documents';
import { EU_WEST, loadProblemsOf, US_EAST } from './refusals-support';

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
