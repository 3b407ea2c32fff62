/**
 * The plan language's rules for durations, the release id, fields, strategy, analysis and baseline, each with
 * the exact path and message a user reads; and every problem of one document reported at once.
 */
import { describe, expect, it } from 'vitest';
import { canaryWithWeights, type Document, problemsOf, service, validDocument } from './documents';
import { albIngress, DURATION_MESSAGE, RELEASE_ID_MESSAGE, withServices } from './validate-support';

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
          'a "compare" or "judge" check needs ALB traffic (alb or albIngress: stable and canary target groups) to read metrics from',
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

  it('refuses a judge that could never have its minimum of samples, naming the check', () => {
    const document = validDocument();
    document.services[1].traffic = albIngress();
    // count 5 of 1m: five minutes, under the default of ten samples.
    document.services[1].analysis.checks = [{ type: 'judge' }];
    expect(problemsOf(document)).toEqual([
      {
        path: 'services[1].analysis.checks[0].minSamples',
        message:
          'the judge needs 10 minutes of samples, but the analysis lasts 5 minute(s): analyse for longer or lower minSamples',
      },
    ]);
    document.services[1].analysis.checks = [{ type: 'judge', minSamples: 5 }];
    expect(problemsOf(document)).toEqual([]);
    document.services[1].analysis.checks = [{ type: 'judge', confidence: 0.3 }];
    expect(problemsOf(document).map((problem) => problem.path)).toContain(
      'services[1].analysis.checks[0].confidence',
    );
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

describe('values under their minimum', () => {
  it("says what the least allowed value is, in a person's words rather than zod's", () => {
    const document = withServices({
      ...service('api'),
      strategy: { type: 'rolling', maxUnavailable: 1, maxSurge: 1, batches: 0 },
    });
    const problems = problemsOf(document);
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem.message).not.toMatch(/Too small|expected number/);
    const analysis = { ...validDocument(), defaults: { analysis: { interval: '1m', failureLimit: -1 } } };
    expect(problemsOf(analysis)).toContainEqual({
      path: 'defaults.analysis.failureLimit',
      message: 'must be at least 0, not -1',
    });
  });
});
