import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../rehearsal/report/model';
import { loadFixture, serviceRegions } from './fixtures';

const lane = (model: ReturnType<typeof buildReportModel>, region: string, service: string) => {
  const found = model.lanes.find((entry) => entry.region === region && entry.service === service);
  if (!found) throw new Error(`no lane ${service} in ${region}`);
  return found;
};

describe('report model of a successful release', () => {
  const result = loadFixture('succeeded');
  const model = buildReportModel(result);

  it('has one lane per service-region, each with its span', () => {
    expect(model.lanes.map(({ region, service }) => ({ region, service }))).toEqual(
      expect.arrayContaining(serviceRegions(result)),
    );
    expect(model.lanes).toHaveLength(serviceRegions(result).length);
    for (const entry of model.lanes) {
      expect(entry.outcome).toBe('completed');
      expect(entry.endSeconds).toBeGreaterThan(entry.startSeconds!);
    }
  });

  it('follows the new version’s share of traffic through each strategy', () => {
    // canary: 20 %, then 100 %, then promoted (stays at 100 %).
    expect(lane(model, 'us-east-1', 'auth').newVersionShare.map((point) => point.percent)).toEqual([
      0, 20, 100,
    ]);
    // blue-green: previewed with no traffic, then switched.
    expect(lane(model, 'us-east-1', 'api-gateway').newVersionShare.map((point) => point.percent)).toEqual([
      0, 100,
    ]);
    // recreate: all at once.
    expect(lane(model, 'eu-west-1', 'postgres').newVersionShare.map((point) => point.percent)).toEqual([
      0, 100,
    ]);
  });

  it('numbers each analysis with the canary weight it was judged at, and ties approvals to it', () => {
    const auth = model.analyses.filter((entry) => entry.region === 'eu-west-1' && entry.service === 'auth');
    expect(auth.map(({ ordinal, verdict, canaryPercent }) => ({ ordinal, verdict, canaryPercent }))).toEqual([
      { ordinal: 1, verdict: 'pass', canaryPercent: 20 },
      { ordinal: 2, verdict: 'pass', canaryPercent: 100 },
    ]);
    const preview = model.analyses.find(
      (entry) => entry.region === 'us-east-1' && entry.service === 'api-gateway',
    )!;
    expect(preview.verdict).toBe('inconclusive');
    expect(preview.approval?.givenSeconds).toBeGreaterThan(preview.approval!.requestedSeconds);
  });

  it('reads the waves from the audit, in order', () => {
    expect(model.waves.map(({ label, regions, state }) => ({ label, regions, state }))).toEqual([
      { label: 'Wave 1', regions: ['us-east-1'], state: 'completed' },
      { label: 'Wave 2', regions: ['eu-west-1'], state: 'completed' },
    ]);
    expect(model.regions).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('has no rollback', () => {
    expect(model.rollback).toBeUndefined();
  });
});

describe('report model of a rolled-back release', () => {
  const result = loadFixture('rolled-back');
  const model = buildReportModel(result);

  it('names the failed analysis as the trigger', () => {
    expect(model.rollback?.trigger).toMatchObject({
      title: 'Analysis failed for auth in eu-west-1',
      region: 'eu-west-1',
      service: 'auth',
    });
    expect(model.rollback?.trigger?.atSeconds).toBeLessThanOrEqual(model.rollback!.startedSeconds);
  });

  it('lists what was restored: traffic first, then workloads in reverse dependency order, then verification', () => {
    const rollback = model.rollback!;
    const kinds = rollback.steps.map((step) => step.kind);
    expect(kinds[0]).toBe('started');
    expect(kinds.at(-1)).toBe('completed');
    expect(kinds.lastIndexOf('traffic')).toBeLessThan(kinds.indexOf('workloads'));
    expect(kinds.lastIndexOf('workloads')).toBeLessThan(kinds.indexOf('verified'));
    const usEast = rollback.steps.find((step) => step.kind === 'workloads' && step.region === 'us-east-1');
    expect(usEast?.services).toEqual(['api-gateway', 'auth', 'postgres']);
    expect(rollback.outcome).toBe('completed');
    expect(rollback.durationSeconds).toBeGreaterThan(0);
    expect(rollback.restored).toHaveLength(5);
  });

  it('draws each touched lane back to its snapshot, and the failed one as failed', () => {
    const failed = lane(model, 'eu-west-1', 'auth');
    expect(failed.failure).toContain('AnalysisFailedError');
    expect(failed.newVersionShare.map((point) => point.percent)).toEqual([0, 20, 0]);
    expect(failed.rollback?.toSeconds).toBeGreaterThan(failed.rollback!.fromSeconds);
    const finished = lane(model, 'us-east-1', 'auth');
    expect(finished.newVersionShare.map((point) => point.percent)).toEqual([0, 20, 100, 0]);
    expect(finished.rollback?.fromSeconds).toBe(model.rollback!.startedSeconds);
    const unreached = lane(model, 'eu-west-1', 'api-gateway');
    expect(unreached.outcome).toBe('pending');
    expect(unreached.startSeconds).toBeUndefined();
  });

  it('shows the wave that was running as interrupted', () => {
    expect(model.waves.map(({ label, state }) => `${label} ${state}`)).toEqual([
      'Wave 1 completed',
      'Wave 2 interrupted',
    ]);
  });

  it('infers unreached waves, or uses the waves it is given', () => {
    const early = structuredClone(result);
    // A result from before the plan's waves were reported names only the waves that completed.
    delete early.waves;
    // The same result cut off before wave 1 completed: eu-west-1 was never reached.
    early.audit = early.audit.filter((entry) => entry.atSeconds < 1500);
    const inferred = buildReportModel(early).waves;
    expect(inferred.map(({ label, regions, state }) => ({ label, regions, state }))).toEqual([
      { label: 'Wave 1', regions: ['us-east-1'], state: 'interrupted' },
      { label: 'Later waves', regions: ['eu-west-1'], state: 'not reached' },
    ]);
    const given = buildReportModel({
      ...early,
      waves: [
        { wave: 1, regions: ['us-east-1'] },
        { wave: 2, regions: ['eu-west-1'] },
      ],
    }).waves;
    expect(given.map(({ label, state }) => `${label} ${state}`)).toEqual([
      'Wave 1 interrupted',
      'Wave 2 not reached',
    ]);
  });
});

describe('report model of a region failed over and back', () => {
  const result = loadFixture('region-failover');
  const model = buildReportModel(result);

  it('follows each set identifier’s Route 53 weight through the failover and the failback', () => {
    // The DNS change lands after the survivors were scaled up and verified (+23m20s); failback
    // puts the weights back first (+40m).
    expect(model.capacity.dnsWeights).toEqual([
      {
        setIdentifier: 'use1',
        points: [
          { atSeconds: 0, value: 100 },
          { atSeconds: 1400, value: 150 },
          { atSeconds: 2400, value: 100 },
        ],
      },
      {
        setIdentifier: 'usw2',
        points: [
          { atSeconds: 0, value: 50 },
          { atSeconds: 1400, value: 0 },
          { atSeconds: 2400, value: 50 },
        ],
      },
    ]);
  });

  it('follows the replicas of every service a failover scaled, and of no other', () => {
    expect(model.capacity.replicas.map(({ region, service }) => `${region}/${service}`)).toEqual([
      'us-east-1/auth',
      'us-east-1/web',
      'us-east-1/worker',
    ]);
    for (const series of model.capacity.replicas) {
      expect(series.points).toEqual([
        { atSeconds: 0, value: 2 },
        { atSeconds: 1380, value: 3 },
        { atSeconds: 2430, value: 2 },
      ]);
    }
    expect(model.capacity.failovers.map((failover) => failover.unscaled)).toEqual([
      [{ region: 'us-east-1', service: 'store', reason: 'strategy recreate' }],
      [{ region: 'us-east-1', service: 'store', reason: 'strategy recreate' }],
    ]);
  });

  it('has nothing to chart for a result without failovers, or from before they were rehearsed', () => {
    expect(buildReportModel(loadFixture('succeeded')).capacity).toEqual({
      failovers: [],
      dnsWeights: [],
      replicas: [],
    });
  });

  it('lists a refused failover without inventing what it changed', () => {
    const refused = buildReportModel({
      ...result,
      failovers: [
        { direction: 'failover', region: 'us-east-1', atSeconds: 60, status: 'REFUSED', reason: 'locked' },
      ],
    });
    expect(refused.capacity).toEqual({
      failovers: [expect.objectContaining({ status: 'REFUSED', replicaChanges: [], unscaled: [] })],
      dnsWeights: [],
      replicas: [],
    });
  });
});
