import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../lambdas/core/duration';
import {
  MAX_ALARM_NAME_LENGTH,
  MAX_ALARMS_PER_CHECK,
  MAX_ANALYSIS_COUNT,
  MAX_CANARY_STEPS,
  MAX_CHECKS,
  MAX_CLUSTER_NAME_LENGTH,
  MAX_COLLECTION_ENTRIES,
  MAX_CONCURRENCY,
  MAX_DEPENDENCIES,
  MAX_DOCUMENT_VALUES,
  MAX_DURATION_SECONDS,
  MAX_DURATION_TEXT_LENGTH,
  MAX_FUNCTION_NAME_LENGTH,
  MAX_HOST_LENGTH,
  MAX_HOSTED_ZONE_ID_LENGTH,
  MAX_IMAGE_LENGTH,
  MAX_KUBERNETES_NAME_LENGTH,
  MAX_KUBERNETES_SUBDOMAIN_LENGTH,
  MAX_LATENCY_MS,
  MAX_LATENCY_RATIO,
  MAX_LOAD_BALANCER_NAME_LENGTH,
  MAX_NESTING_DEPTH,
  MAX_PROBLEMS,
  MAX_RECORD_NAME_LENGTH,
  MAX_REGION_NAME_LENGTH,
  MAX_REGIONS,
  MAX_RELEASE_ID_LENGTH,
  MAX_REPLICAS,
  MAX_REQUESTS_PER_INTERVAL,
  MAX_ROLLING_BATCHES,
  MAX_RULE_CONDITION_LENGTH,
  MAX_SERVICE_ROLLOUTS,
  MAX_SERVICES,
  MAX_SET_IDENTIFIER_LENGTH,
  MAX_TARGET_GROUP_NAME_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_URL_LENGTH,
  MAX_WAVE,
} from '../../../lambdas/core/plan/limits';
import {
  checkPlan,
  loadPlan,
  type ParsedDocument,
  type PlanLoadResult,
  type PlanProblem,
  parseDocumentText,
} from '../../../lambdas/core/plan/load';
import { problems, problemsAt, richDocument, withValue } from './bounds-support';
import { service, validDocument } from './documents';

describe('the edges: each maximum is accepted, one past it is refused at its path', () => {
  it('starts from a valid plan that has every bounded field', () => {
    const result = checkPlan(richDocument());
    expect(problems(result)).toEqual([]);
  });

  const numbers: Array<[path: string, max: number]> = [
    ['regions[0].wave', MAX_WAVE],
    ['regions[0].concurrency', MAX_CONCURRENCY],
    ['defaults.concurrency', MAX_CONCURRENCY],
    ['regions[0].dns.weight', 255],
    ['services[0].replicas', MAX_REPLICAS],
    ['services[1].analysis.count', MAX_ANALYSIS_COUNT],
    ['services[1].analysis.failureLimit', MAX_ANALYSIS_COUNT],
    ['services[1].analysis.consecutiveFailureLimit', MAX_ANALYSIS_COUNT],
    ['services[1].analysis.checks[0].maxErrorRateIncreasePoints', 100],
    ['services[1].analysis.checks[0].maxP95LatencyRatio', MAX_LATENCY_RATIO],
    ['services[1].analysis.checks[0].minRequests', MAX_REQUESTS_PER_INTERVAL],
    ['services[1].analysis.checks[0].abortErrorRatePercent', 100],
    ['services[1].analysis.checks[0].abortP95LatencyMs', MAX_LATENCY_MS],
    ['services[1].analysis.checks[0].maxUnhealthyTargets', MAX_REPLICAS],
    ['services[1].analysis.checks[2].expectStatus', 599],
    ['services[1].analysis.checks[3].port', 65535],
    ['services[1].strategy.steps[2].analysis.count', MAX_ANALYSIS_COUNT],
    ['services[1].strategy.steps[4].setWeight', 100],
    ['services[1].traffic.port', 65535],
    ['services[1].traffic.rule.priority', 50_000],
    ['services[1].readiness.minScore', 100],
    ['services[2].strategy.batch.size', MAX_REPLICAS],
    ['services[2].traffic.servicePort', 65535],
    ['services[4].strategy.batch.percent', 100],
  ];
  it.each(numbers)('%s: %d', (path, max) => {
    expect(problemsAt(withValue(richDocument(), path, max), path)).toEqual([]);
    const over = problemsAt(withValue(richDocument(), path, max + 1), path);
    expect(over).toHaveLength(1);
    expect(over[0]!.message).toMatch(
      new RegExp(`\\b${max === 100 && path.endsWith('setWeight') ? '1\\.\\.100' : max}\\b`),
    );
  });

  const letters = (length: number) => 'a'.repeat(length);
  const strings: Array<[path: string, max: number, ofLength: (length: number) => string]> = [
    ['$schema', MAX_URL_LENGTH, letters],
    ['metadata.releaseId', MAX_RELEASE_ID_LENGTH, letters],
    ['metadata.description', MAX_TEXT_LENGTH, letters],
    ['metadata.owner', MAX_TEXT_LENGTH, letters],
    ['dns.hostedZoneId', MAX_HOSTED_ZONE_ID_LENGTH, letters],
    ['dns.recordName', MAX_RECORD_NAME_LENGTH, letters],
    ['defaults.strategy.reason', MAX_TEXT_LENGTH, letters],
    ['regions[0].name', MAX_REGION_NAME_LENGTH, (length) => `us-${letters(length - 5)}-1`],
    ['regions[0].cluster', MAX_CLUSTER_NAME_LENGTH, letters],
    ['regions[0].dns.setIdentifier', MAX_SET_IDENTIFIER_LENGTH, letters],
    ['regions[1].services[0]', MAX_KUBERNETES_NAME_LENGTH, letters],
    ['services[0].name', MAX_KUBERNETES_NAME_LENGTH, letters],
    ['services[0].namespace', MAX_KUBERNETES_NAME_LENGTH, letters],
    ['services[0].deployment', MAX_KUBERNETES_NAME_LENGTH, letters],
    ['services[0].container', MAX_KUBERNETES_NAME_LENGTH, letters],
    ['services[0].image', MAX_IMAGE_LENGTH, letters],
    ['services[1].dependsOn[0]', MAX_KUBERNETES_NAME_LENGTH, letters],
    ['services[1].traffic.loadBalancerName', MAX_LOAD_BALANCER_NAME_LENGTH, letters],
    ['services[1].traffic.stableTargetGroup', MAX_TARGET_GROUP_NAME_LENGTH, letters],
    ['services[1].traffic.canaryTargetGroup', MAX_TARGET_GROUP_NAME_LENGTH, letters],
    ['services[1].traffic.rule.hostHeader', MAX_RULE_CONDITION_LENGTH, letters],
    ['services[1].traffic.rule.pathPattern', MAX_RULE_CONDITION_LENGTH, letters],
    ['services[1].analysis.checks[1].alarmNames[0]', MAX_ALARM_NAME_LENGTH, letters],
    [
      'services[1].analysis.checks[2].url',
      MAX_URL_LENGTH,
      (length) => `https://example.com/${letters(length - 20)}`,
    ],
    ['services[1].analysis.checks[2].bodyContains', MAX_TEXT_LENGTH, letters],
    ['services[1].analysis.checks[3].host', MAX_HOST_LENGTH, letters],
    ['services[1].analysis.checks[4].functionName', MAX_FUNCTION_NAME_LENGTH, letters],
    ['services[2].traffic.ingress', MAX_KUBERNETES_SUBDOMAIN_LENGTH, letters],
    ['services[2].traffic.namespace', MAX_KUBERNETES_NAME_LENGTH, letters],
    ['services[2].traffic.actionName', MAX_KUBERNETES_NAME_LENGTH, letters],
    ['services[2].traffic.stableService', MAX_KUBERNETES_NAME_LENGTH, letters],
    ['services[2].traffic.canaryService', MAX_KUBERNETES_NAME_LENGTH, letters],
    ['services[2].traffic.servicePort', 15, letters],
    ['baseline.description', MAX_TEXT_LENGTH, letters],
    ['baseline.phases[0][0]', MAX_KUBERNETES_NAME_LENGTH, letters],
    ['waves.bake', MAX_DURATION_TEXT_LENGTH, (length) => `${'0'.repeat(length - 2)}1h`],
  ];
  it.each(strings)('%s: %d characters', (path, max, ofLength) => {
    const mentionsMax = (problem: PlanProblem) => problem.message.includes(String(max));
    // At its maximum a name may still name nothing (a reference): never is its length the problem.
    expect(problemsAt(withValue(richDocument(), path, ofLength(max)), path).filter(mentionsMax)).toEqual([]);
    const over = problemsAt(withValue(richDocument(), path, ofLength(max + 1)), path);
    expect(over.filter(mentionsMax)).toHaveLength(1);
  });

  it(`a duration is at most a year (${formatDuration(MAX_DURATION_SECONDS)}), written any way`, () => {
    for (const longest of ['8760h', '525600m', '31536000s', '8759h59m60s']) {
      expect(problemsAt(withValue(richDocument(), 'waves.bake', longest), 'waves.bake'), longest).toEqual([]);
    }
    for (const path of [
      'waves.bake',
      'services[1].strategy.steps[1].pause.duration',
      'services[1].analysis.checks[2].timeout',
    ]) {
      expect(problemsAt(withValue(richDocument(), path, '8760h1s'), path), path).toEqual([
        { path, message: 'must be at most 8760h (a year: the longest a Step Functions execution runs)' },
      ]);
    }
  });

  /** `count` of the first service's copies, at a list path of a small plan. */
  const lists: Array<[path: string, max: number, item: (index: number) => unknown]> = [
    ['services[1].dependsOn', MAX_DEPENDENCIES, () => 'db'],
    [
      'services[1].analysis.checks',
      MAX_CHECKS,
      () => ({ type: 'cloudwatchAlarms', alarmNames: ['api-5xx'] }),
    ],
    ['services[1].analysis.checks[1].alarmNames', MAX_ALARMS_PER_CHECK, (index) => `alarm-${index}`],
    ['regions[1].services', MAX_SERVICES, () => 'db'],
    ['baseline.phases', MAX_SERVICES, () => ['db']],
    ['baseline.phases[1]', MAX_SERVICES, () => 'api'],
  ];
  it.each(lists)('%s: %d items', (path, max, item) => {
    const ofLength = (length: number) => Array.from({ length }, (_, index) => item(index));
    const atMax = problemsAt(withValue(richDocument(), path, ofLength(max)), path);
    expect(atMax).toEqual([]);
    expect(problemsAt(withValue(richDocument(), path, ofLength(max + 1)), path)).toEqual([
      { path, message: `has ${max + 1} items; at most ${max}` },
    ]);
  });

  it(`a canary has at most ${MAX_CANARY_STEPS} steps`, () => {
    // 100 weights, each with two pauses: the longest canary the weights allow.
    const steps = Array.from({ length: 100 }, (_, index) => [
      { setWeight: index + 1 },
      { pause: { duration: '1s' } },
      { pause: { duration: '1s' } },
    ]).flat();
    const path = 'services[1].strategy.steps';
    expect(steps).toHaveLength(MAX_CANARY_STEPS);
    expect(problems(checkPlan(withValue(richDocument(), path, steps)))).toEqual([]);
    expect(
      problemsAt(withValue(richDocument(), path, [...steps, { pause: { duration: '1s' } }]), path),
    ).toEqual([{ path, message: `has ${MAX_CANARY_STEPS + 1} items; at most ${MAX_CANARY_STEPS}` }]);
  });

  it(`a plan has at most ${MAX_REGIONS} regions`, () => {
    // Distinct names: us-<letters>-1.
    const name = (index: number) =>
      `us-${String.fromCharCode(97 + (index % 26))}${String.fromCharCode(97 + Math.floor(index / 26))}-1`;
    const regions = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ name: name(index), cluster: `c${index}`, wave: 1 }));
    expect(problems(checkPlan({ ...validDocument(), regions: regions(MAX_REGIONS) }))).toEqual([]);
    expect(problemsAt({ ...validDocument(), regions: regions(MAX_REGIONS + 1) }, 'regions')).toEqual([
      { path: 'regions', message: `has ${MAX_REGIONS + 1} items; at most ${MAX_REGIONS}` },
    ]);
  });

  it(`a plan has at most ${MAX_SERVICES} services, and ${MAX_SERVICE_ROLLOUTS} rollouts across its regions`, () => {
    const fleet = Array.from({ length: MAX_SERVICES + 1 }, (_, index) => service(`svc-${index}`));
    const tooMany = checkPlan({ ...validDocument(), services: fleet });
    expect(problems(tooMany)).toEqual([
      { path: 'services', message: `has ${MAX_SERVICES + 1} items; at most ${MAX_SERVICES}` },
    ]);
    const regionNames = [
      'us-east-1',
      'us-east-2',
      'us-west-1',
      'us-west-2',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'eu-north-1',
      'ap-south-1',
      'sa-east-1',
      'ca-central-1',
    ];
    const regions = regionNames.map((name) => ({ name, cluster: name, wave: 1 }));
    const tenRegions = {
      ...validDocument(),
      services: fleet.slice(0, MAX_SERVICES),
      regions: regions.slice(0, 10),
    };
    expect(10 * MAX_SERVICES).toBe(MAX_SERVICE_ROLLOUTS);
    expect(problems(checkPlan(tenRegions))).toEqual([]);
    const oneMore = {
      ...tenRegions,
      regions: [...tenRegions.regions, { ...regions[10], services: ['svc-0'] }],
    };
    expect(problems(checkPlan(oneMore))).toEqual([
      {
        path: 'regions',
        message: `the release has ${MAX_SERVICE_ROLLOUTS + 1} service rollouts (each service in each region that runs it); at most ${MAX_SERVICE_ROLLOUTS}: split it into releases, or give regions a subset of services`,
      },
    ]);
  }, 120_000);

  it(`a rolling update takes at most ${MAX_ROLLING_BATCHES} batches`, () => {
    const path = 'services[2].replicas';
    const rolling = (replicas: number) =>
      withValue(withValue(richDocument(), 'services[2].strategy.batch', { size: 1 }), path, replicas);
    expect(problems(checkPlan(rolling(MAX_ROLLING_BATCHES)))).toEqual([]);
    expect(problemsAt(rolling(MAX_ROLLING_BATCHES + 1), path)).toEqual([
      {
        path,
        message: `${MAX_ROLLING_BATCHES + 1} replicas in batches of 1 make ${MAX_ROLLING_BATCHES + 1} batches; at most ${MAX_ROLLING_BATCHES} (a batch is a whole percentage of the replicas): use a larger batch.size or batch.percent`,
      },
    ]);
  });

  it(`lists at most ${MAX_PROBLEMS} problems, then says there are more`, () => {
    // Each dependency on no service is a problem: web and api each name up to MAX_DEPENDENCIES.
    const unknown = (count: number) => {
      const document = validDocument();
      document.services[1].dependsOn = Array(Math.min(count, MAX_DEPENDENCIES)).fill('nowhere');
      document.services[2].dependsOn = Array(Math.max(0, count - MAX_DEPENDENCIES)).fill('nowhere');
      return document;
    };
    expect(problems(checkPlan(unknown(MAX_PROBLEMS)))).toHaveLength(MAX_PROBLEMS);
    const capped = problems(checkPlan(unknown(MAX_PROBLEMS + 1)));
    expect(capped).toHaveLength(MAX_PROBLEMS + 1);
    expect(capped.at(-1)).toEqual({
      path: '',
      message: `more problems than the ${MAX_PROBLEMS} listed: checking stopped there; fix these and check again`,
    });
  });

  const nestings: Array<[kind: string, nest: (depth: number) => string]> = [
    ['flow sequences', (depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`],
    ['flow mappings', (depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`],
    ['block sequences', (depth) => `${'- '.repeat(depth)}x\n`],
  ];
  it.each(nestings)(`nests ${MAX_NESTING_DEPTH} %s deep, not one more`, (_, nest) => {
    const tooDeep = (result: PlanLoadResult) =>
      problems(result).filter((problem) => problem.message.includes('levels deep'));
    expect(tooDeep(loadPlan(nest(MAX_NESTING_DEPTH)))).toEqual([]);
    expect(tooDeep(loadPlan(nest(MAX_NESTING_DEPTH + 1)))).toEqual([
      expect.objectContaining({
        path: '',
        message: `the document nests more than ${MAX_NESTING_DEPTH} levels deep; a release plan needs fewer than 10`,
      }),
    ]);
  });

  const collections: Array<[kind: string, ofEntries: (count: number) => string]> = [
    ['flow sequence', (count) => `[${'1,'.repeat(count - 1)}1]`],
    ['block sequence', (count) => '- 1\n'.repeat(count)],
    ['block mapping', (count) => Array.from({ length: count }, (_, index) => `k${index}: 1\n`).join('')],
  ];
  it.each(collections)(
    `reads a %s of ${MAX_COLLECTION_ENTRIES} entries, not one more`,
    (_, ofEntries) => {
      const tooLong = (result: PlanLoadResult) =>
        problems(result).filter((problem) => problem.message.includes('entries'));
      expect(tooLong(loadPlan(ofEntries(MAX_COLLECTION_ENTRIES)))).toEqual([]);
      expect(tooLong(loadPlan(ofEntries(MAX_COLLECTION_ENTRIES + 1)))).toEqual([
        expect.objectContaining({
          path: '',
          message: `a list or mapping here has more than ${MAX_COLLECTION_ENTRIES} entries; the longest a plan may have (services) has ${MAX_SERVICES}`,
        }),
      ]);
    },
    60_000,
  );

  it(`holds ${MAX_DOCUMENT_VALUES} keys and values by default, and as many as it is told, not one more`, () => {
    // A million values take the YAML parser tens of seconds on this machine: the edge is shown at
    // a limit of nine, which counts the same way.
    const tooMany = (parsed: ParsedDocument) =>
      parsed.ok ? [] : parsed.problems.filter((problem) => problem.message.includes('keys and values'));
    const text = 'a: [1, 2, {b: "3", c: 4}]\nd: 5\n'; // keys a, b, c, d and values 1 to 5: nine
    expect(tooMany(parseDocumentText(text, 9))).toEqual([]);
    expect(tooMany(parseDocumentText(text, 8))).toEqual([
      expect.objectContaining({
        path: '',
        message:
          'the document holds more than 8 keys and values; a plan of 10,000 services holds about 200,000',
      }),
    ]);
    expect(tooMany(parseDocumentText(text))).toEqual([]);
  });
});
