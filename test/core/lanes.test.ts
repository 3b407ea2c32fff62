import { describe, expect, it } from 'vitest';
import {
  decideLaneClaim,
  type LaneDecision,
  type LaneGraph,
  parkedLaneShouldWake,
  unfinishedRollouts,
} from '../../lambdas/core/lanes';
import type { ServiceRolloutRecord, ServiceRolloutStatus } from '../../lambdas/ports';

/** web → api → db, and cache alone; work after each: db 30, api 20, web 10, cache 25. */
const DEPENDS: Record<string, string[]> = { db: [], api: ['db'], web: ['api'], cache: [] };
const PRIORITY: Record<string, number> = { db: 30, api: 20, web: 10, cache: 25 };
const graph: LaneGraph = {
  dependsOn: (service) => DEPENDS[service] ?? [],
  priority: (service) => PRIORITY[service] ?? 0,
};

const record = (service: string, status: ServiceRolloutStatus, claimedBy?: string): ServiceRolloutRecord => ({
  releaseId: 'r1',
  region: 'us-east-1',
  service,
  status,
  stepIndex: 0,
  stepCount: 3,
  weights: { stable: 100, canary: 0 },
  checksPassed: 0,
  checksFailed: 0,
  consecutiveFailures: 0,
  updatedAt: '2025-01-01T00:00:00.000Z',
  ...(claimedBy && { claimedBy }),
});
type Row = [string, ServiceRolloutStatus, string?];
const records = (...rows: Row[]) =>
  rows.map(([service, status, claimedBy]) => record(service, status, claimedBy));

describe('decideLaneClaim', () => {
  it.each<[string, Row[], LaneDecision]>([
    [
      'ready services best first: most work after it',
      [
        ['web', 'PENDING'],
        ['api', 'PENDING'],
        ['db', 'PENDING'],
        ['cache', 'PENDING'],
      ],
      { outcome: 'claim', candidates: ['db', 'cache'] },
    ],
    [
      'a service whose dependency completed becomes ready',
      [
        ['web', 'PENDING'],
        ['api', 'PENDING'],
        ['db', 'COMPLETED'],
        ['cache', 'IN_PROGRESS', 'lane-1'],
      ],
      { outcome: 'claim', candidates: ['api'] },
    ],
    [
      'pending services behind running ones wait for their dependencies',
      [
        ['web', 'PENDING'],
        ['api', 'IN_PROGRESS', 'lane-1'],
        ['db', 'COMPLETED'],
        ['cache', 'COMPLETED'],
      ],
      { outcome: 'wait', waitingFor: ['api'] },
    ],
    [
      'a retried claim gets the lane its own service back',
      [
        ['web', 'PENDING'],
        ['api', 'PENDING'],
        ['db', 'VALIDATING', 'lane-0'],
        ['cache', 'PENDING'],
      ],
      { outcome: 'own', service: 'db' },
    ],
    [
      'another lane’s service is not this lane’s',
      [
        ['db', 'IN_PROGRESS', 'lane-1'],
        ['cache', 'PENDING'],
      ],
      { outcome: 'claim', candidates: ['cache'] },
    ],
    [
      'a failed service blocks the region',
      [
        ['web', 'PENDING'],
        ['api', 'FAILED'],
        ['db', 'COMPLETED'],
        ['cache', 'SKIPPED'],
      ],
      { outcome: 'blocked', reason: 'api FAILED, cache SKIPPED' },
    ],
    [
      'nothing pending: done',
      [
        ['db', 'COMPLETED'],
        ['cache', 'IN_PROGRESS', 'lane-1'],
      ],
      { outcome: 'done' },
    ],
  ])('%s', (_name, rows, decision) => {
    expect(decideLaneClaim('lane-0', records(...rows), graph)).toEqual(decision);
  });

  it('breaks ties by the order the records are listed in', () => {
    const tied: LaneGraph = { dependsOn: () => [], priority: () => 7 };
    const listed = records(['c', 'PENDING'], ['a', 'PENDING'], ['b', 'PENDING']);
    expect(decideLaneClaim('lane-0', listed, tied)).toEqual({
      outcome: 'claim',
      candidates: ['c', 'a', 'b'],
    });
  });
});

describe('parkedLaneShouldWake', () => {
  it.each<[string, Row[], boolean]>([
    [
      'a service is ready',
      [
        ['api', 'PENDING'],
        ['db', 'COMPLETED'],
      ],
      true,
    ],
    [
      'nothing ready, one running that will wake it',
      [
        ['api', 'PENDING'],
        ['db', 'IN_PROGRESS'],
      ],
      false,
    ],
    [
      'nothing ready and nothing running: it would wait for ever',
      [
        ['api', 'PENDING'],
        ['db', 'FAILED'],
      ],
      true,
    ],
  ])('%s', (_name, rows, wake) => {
    expect(parkedLaneShouldWake(records(...rows), graph)).toBe(wake);
  });
});

describe('unfinishedRollouts', () => {
  it('is every rollout not completed', () => {
    const listed = records(['db', 'COMPLETED'], ['api', 'VALIDATING'], ['web', 'PENDING']);
    expect(unfinishedRollouts(listed).map((entry) => entry.service)).toEqual(['api', 'web']);
  });
});
