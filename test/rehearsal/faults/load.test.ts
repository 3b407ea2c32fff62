import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlan } from '../../../lambdas/core/plan/load';
import { type ResolvedPlan, resolvePlan } from '../../../lambdas/core/plan/resolve';
import { loadFaults, operatorActions, secondReleases } from '../../../rehearsal/faults/load';
import { faultFileJsonSchema } from '../../../rehearsal/faults/schema';
import { createSimulatedFleet } from '../../../rehearsal/fleet';

const ROOT = join(import.meta.dirname, '../../..');

function platformPlan(): ResolvedPlan {
  const loaded = loadPlan(readFileSync(join(ROOT, 'examples/platform.yaml'), 'utf8'));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return resolvePlan(loaded.plan);
}

function problemsOf(text: string, plan: ResolvedPlan | undefined = platformPlan()) {
  const result = loadFaults(text, plan);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('fault files', () => {
  it('load with defaults filled in; an empty file has no faults', () => {
    const empty = loadFaults('', platformPlan());
    expect(empty).toEqual({
      ok: true,
      faults: {
        fleet: {
          images: {},
          rollout: { replicaIntervalSeconds: 5, readinessDelaySeconds: 10, progressDeadlineSeconds: 600 },
          dnsPropagationSeconds: 30,
          healthCheckIntervalSeconds: 30,
        },
        faults: [],
      },
    });
    const loaded = loadFaults(
      `
faults:
  - { type: operationFailure, operation: traffic.setWeights, error: ThrottlingException }
  - { type: alarm, alarmName: a, region: us-east-1, at: 5m }
  - { type: secondRelease, at: 30m }
  - { type: secondRelease, at: 10m, releaseId: other }
`,
      platformPlan(),
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    expect(loaded.faults.faults[0]).toEqual({
      type: 'operationFailure',
      operation: 'traffic.setWeights',
      error: 'ThrottlingException',
      times: 1,
      applied: false,
    });
    expect(loaded.faults.faults[1]).toMatchObject({ deliveries: 1 });
    expect(secondReleases(loaded.faults).map((release) => release.at)).toEqual(['10m', '30m']);
  });

  it('name every problem with its path and line', () => {
    const problems = problemsOf(`faults:
  - type: degradedVersion
    service: authh
    errorRatePercent: 8
  - type: degradedVersion
    service: auth
    region: ap-south-1
  - type: degradedVersion
    service: prometheus
    region: us-west-2
    p95LatencyMs: 900
  - type: degradedVersion
    service: auth
    errorRatePercent: 8
    from: { step: 6 }
  - type: operationFailure
    operation: cluster.scale
    error: ThrottlingException
  - type: operationFailure
    operation: dns.setWeights
    region: us-east-1
    timeout: true
  - type: operationFailure
    operation: traffic.setWeights
    service: postgres
  - type: regionOutage
    region: us-west-2
    at: 2h
    until: 1h
  - type: alarm
    alarmName: x
    region: us-east-1
  - type: earthquake
fleet:
  images: { nope: "r/nope:1" }
  colour: blue
`);
    expect(problems).toEqual([
      { path: 'fleet.colour', message: 'unknown field "colour"', line: 36, column: 11 },
      { path: 'faults[8].at', message: 'is required (string)', line: 30, column: 5 },
      {
        path: 'faults[9].type',
        message:
          'must be one of "degradedVersion", "crashingVersion", "operationFailure", "rolloutNeverReady", "alarm", "regionOutage", "secondRelease", "insecureWorkload", "sharedSelector", "trafficEdited", "dnsRecordEdited", "controllerManaged", "missingResource", "failover", "failback"',
        line: 33,
        column: 11,
      },
      { path: 'fleet.images.nope', message: '"nope" is not a service in the plan', line: 35, column: 19 },
      { path: 'faults[0].service', message: '"authh" is not a service in the plan', line: 3, column: 14 },
      {
        path: 'faults[1].region',
        message: '"ap-south-1" is not a region in the plan (regions: "us-east-1", "us-west-2", "eu-west-1")',
        line: 7,
        column: 13,
      },
      { path: 'faults[1]', message: 'give errorRatePercent, p95LatencyMs or both', line: 5, column: 5 },
      { path: 'faults[2].region', message: '"prometheus" does not run in us-west-2', line: 10, column: 13 },
      {
        path: 'faults[3].from.step',
        message: '"auth" has 5 traffic step(s) (weights 5, 10, 25, 50, 100)',
        line: 15,
        column: 19,
      },
      {
        path: 'faults[4].error',
        message:
          'a cluster operation fails with a Kubernetes reason: "TooManyRequests", "InternalError", "ServiceUnavailable", "Timeout", "Conflict"',
        line: 18,
        column: 12,
      },
      {
        path: 'faults[5].region',
        message: 'dns.setWeights calls name no region (Route 53 is global)',
        line: 21,
        column: 13,
      },
      { path: 'faults[6]', message: 'give error (a named error) or timeout: true', line: 23, column: 5 },
      {
        path: 'faults[6].service',
        message:
          '"postgres" has replicaRatio traffic and no load balancer: traffic.setWeights is never called for it',
        line: 25,
        column: 14,
      },
      { path: 'faults[7].until', message: 'must be later than at (2h)', line: 29, column: 12 },
    ]);
  });

  it('hand only a load balancer that plain alb services use to the controller (controllerManaged)', () => {
    expect(
      problemsOf(`faults:
  - { type: controllerManaged, loadBalancer: platform-internal, region: eu-west-1 }
  - { type: controllerManaged, loadBalancer: platform-private }
  - { type: controllerManaged, loadBalancer: platform-internal, region: ap-south-1 }
`),
    ).toEqual([
      {
        path: 'faults[1].loadBalancer',
        message:
          'no plain alb service in the plan uses load balancer "platform-private" (they use "platform-internal", "platform-public")',
        line: 3,
        column: 46,
      },
      expect.objectContaining({ path: 'faults[2].region', message: expect.stringMatching(/not a region/) }),
    ]);
  });

  it('let load balancer operations fail for albIngress services, which have a load balancer too', () => {
    const loaded = loadPlan(readFileSync(join(ROOT, 'examples/ingress.yaml'), 'utf8'));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const result = loadFaults(
      'faults: [{ type: operationFailure, operation: traffic.setWeights, service: storefront, error: ThrottlingException }]',
      resolvePlan(loaded.plan),
    );
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });

  it('check a crashing version like a degraded one: its service, region, version and step', () => {
    const loaded = loadFaults(
      'faults: [{ type: crashingVersion, service: auth, region: us-east-1, from: { step: 2 } }]',
      platformPlan(),
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    expect(loaded.faults.faults[0]).toEqual({
      type: 'crashingVersion',
      service: 'auth',
      region: 'us-east-1',
      version: 'new',
      from: { step: 2 },
    });
    expect(
      problemsOf(`faults:
  - { type: crashingVersion, service: auth, from: { step: 6 } }
  - { type: crashingVersion, service: grafana, region: us-west-2, version: old }
`),
    ).toEqual([
      {
        path: 'faults[1].version',
        message: 'must be one of "new", "previous"',
        line: 3,
        column: 76,
      },
      {
        path: 'faults[0].from.step',
        message: '"auth" has 5 traffic step(s) (weights 5, 10, 25, 50, 100)',
        line: 2,
        column: 59,
      },
      { path: 'faults[1].region', message: '"grafana" does not run in us-west-2', line: 3, column: 56 },
    ]);
  });

  it('report syntax errors with their line', () => {
    expect(problemsOf('faults:\n  - { type: alarm\n')).toEqual([
      expect.objectContaining({
        path: '',
        message: expect.stringMatching(/^syntax error: /),
        line: expect.any(Number),
      }),
    ]);
  });

  it('check shapes without a plan, and names only with one', () => {
    const text = 'faults: [{ type: rolloutNeverReady, service: nobody }]';
    expect(loadFaults(text).ok).toBe(true);
    expect(problemsOf(text)).toEqual([
      { path: 'faults[0].service', message: '"nobody" is not a service in the plan', line: 1, column: 46 },
    ]);
  });

  const examples = readdirSync(join(ROOT, 'examples/faults')).filter((name) => name.endsWith('.yaml'));

  it.each(examples)('example %s loads against the platform plan and builds a fleet', (name) => {
    const text = readFileSync(join(ROOT, 'examples/faults', name), 'utf8');
    expect(text.startsWith('# yaml-language-server: $schema=../../schema/fault-file.schema.json\n')).toBe(
      true,
    );
    const plan = platformPlan();
    const loaded = loadFaults(text, plan);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
    expect(loaded.faults.expect?.outcome).toBeDefined();
    expect(loaded.faults.faults.length).toBeGreaterThan(0);
    const fleet = createSimulatedFleet({ plan, faults: loaded.faults, clock: { now: () => new Date(0) } });
    expect(Object.keys(fleet.describe().regions)).toEqual(['us-east-1', 'us-west-2', 'eu-west-1']);
  });

  it('covers the examples the rehearsal promises', () => {
    expect(examples.sort()).toEqual([
      'abort-alarm.yaml',
      'alarm-after-rollback-window.yaml',
      'alarm-during-canary.yaml',
      'alarm-in-rollback-window.yaml',
      'canary-breach.yaml',
      'controller-managed.yaml',
      'crashing-canary.yaml',
      'drained-canary-breach.yaml',
      'missing-target-group.yaml',
      'region-failover.yaml',
      'region-outage.yaml',
      'rollback-alarm.yaml',
      'rollback-ramp.yaml',
      'second-release.yaml',
      'shared-selector.yaml',
      'stable-not-ready.yaml',
      'throttling.yaml',
    ]);
  });

  it('publishes the JSON Schema generated from the definitions', () => {
    const published = JSON.parse(readFileSync(join(ROOT, 'schema/fault-file.schema.json'), 'utf8'));
    expect(published).toEqual(faultFileJsonSchema());
  });
});

describe('failover and failback faults', () => {
  const fixture = (name: string, edit = (text: string) => text) => {
    const text = readFileSync(join(ROOT, 'test/rehearsal/fixtures', `${name}.yaml`), 'utf8');
    const loaded = loadPlan(edit(text));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    return resolvePlan(loaded.plan);
  };
  const paths = (text: string, plan?: ResolvedPlan) =>
    problemsOf(text, plan).map(({ path, message }) => ({ path, message }));

  it('load as operator actions in time order, whatever the order of the file', () => {
    const loaded = loadFaults(
      `
faults:
  - { type: failback, region: us-west-2, at: 2h }
  - { type: regionOutage, region: us-west-2, at: 30m, until: 1h30m }
  - { type: failover, region: us-west-2, at: 40m }
  - { type: failover, region: eu-west-1, at: 3h }
`,
      platformPlan(),
    );
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    expect(operatorActions(loaded.faults)).toEqual([
      { type: 'failover', region: 'us-west-2', at: '40m' },
      { type: 'failback', region: 'us-west-2', at: '2h' },
      { type: 'failover', region: 'eu-west-1', at: '3h' },
    ]);
  });

  it('name a region of the plan', () => {
    expect(paths('faults: [{ type: failover, region: ap-south-1, at: 1h }]')).toEqual([
      {
        path: 'faults[0].region',
        message: '"ap-south-1" is not a region in the plan (regions: "us-east-1", "us-west-2", "eu-west-1")',
      },
    ]);
  });

  it('need a plan with a dns record, and a second region to fail over to', () => {
    expect(paths('faults: [{ type: failover, region: us-east-1, at: 1h }]', fixture('canary'))).toEqual([
      {
        path: 'faults[0]',
        message: 'the plan has no dns record: a failover moves its Route 53 weights between regions',
      },
    ]);
    const oneRegion = fixture(
      'canary',
      (text) =>
        `dns: { hostedZoneId: ZFIXTURE, recordName: api.example.com }\n${text.replace(
          'wave: 1 }',
          'wave: 1, dns: { setIdentifier: use1, weight: 100 } }',
        )}`,
    );
    expect(paths('faults: [{ type: failover, region: us-east-1, at: 1h }]', oneRegion)).toEqual([
      {
        path: 'faults[0].region',
        message: "us-east-1 is the plan's only region: there is nowhere to fail over to",
      },
    ]);
  });

  it('refuse a failback with no earlier failover of its region in the file', () => {
    expect(
      paths(`
faults:
  - { type: failback, region: us-west-2, at: 1h }
  - { type: failover, region: us-west-2, at: 2h }
  - { type: failback, region: eu-west-1, at: 3h }
  - { type: failover, region: us-east-1, at: 4h }
  - { type: failback, region: us-east-1, at: 4h }
`),
    ).toEqual(
      [
        [0, 'us-west-2', '1h'],
        [2, 'eu-west-1', '3h'],
        [4, 'us-east-1', '4h'],
      ].map(([index, region, at]) => ({
        path: `faults[${index}].region`,
        message: `no failover of ${region} comes before this failback (at ${at}) in the file: a failback reverses an earlier failover of its region`,
      })),
    );
  });

  it('refuse failing a region over twice without failing it back between', () => {
    expect(
      paths(`
faults:
  - { type: failover, region: us-west-2, at: 1h }
  - { type: failover, region: us-west-2, at: 2h }
`),
    ).toEqual([
      {
        path: 'faults[1].region',
        message:
          'us-west-2 is already failed over at 1h (faults[0]): fail it back before failing it over again',
      },
    ]);
    expect(
      loadFaults(
        `
faults:
  - { type: failover, region: us-west-2, at: 1h }
  - { type: failback, region: us-west-2, at: 2h }
  - { type: failover, region: us-west-2, at: 3h }
  - { type: failback, region: us-west-2, at: 4h }
`,
        platformPlan(),
      ).ok,
    ).toBe(true);
  });

  it('give each second release an id of its own, not the rehearsed release’s', () => {
    expect(
      paths(`
faults:
  - { type: secondRelease, at: 10m, releaseId: platform-2026-11-22 }
  - { type: secondRelease, at: 20m }
  - { type: secondRelease, at: 30m }
  - { type: secondRelease, at: 40m, releaseId: hotfix-1 }
  - { type: secondRelease, at: 50m, releaseId: hotfix-1 }
`),
    ).toEqual([
      {
        path: 'faults[0].releaseId',
        message: '"platform-2026-11-22" is the rehearsed release\'s own id: give the second release another',
      },
      {
        path: 'faults[2]',
        message:
          'faults[1] already submits a second release "platform-2026-11-22-second": give each its own releaseId',
      },
      {
        path: 'faults[4].releaseId',
        message: 'faults[3] already submits a second release "hotfix-1": give each its own releaseId',
      },
    ]);
  });
});
