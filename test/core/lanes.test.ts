import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boardChange,
  decideLaneClaim,
  type LaneDecision,
  lanesToWake,
  parkedLaneShouldWake,
  readyRank,
  unfinishedRollouts,
} from '../../lambdas/core/lanes';
import type { LaneBoard, ServiceRolloutRecord, ServiceRolloutStatus } from '../../lambdas/ports';

const board = (changes: Partial<LaneBoard> = {}): LaneBoard => ({
  lanes: {},
  unclaimed: 3,
  ready: [],
  ...changes,
});

describe('decideLaneClaim', () => {
  it.each<[string, LaneBoard, LaneDecision]>([
    [
      'the ready services, best first, as the board lists them',
      board({ ready: ['db', 'cache'] }),
      { outcome: 'claim', candidates: ['db', 'cache'] },
    ],
    [
      'a retried claim gets the lane its own service back',
      board({ lanes: { 'lane-0': 'db' }, ready: ['cache'] }),
      { outcome: 'own', service: 'db' },
    ],
    [
      'another lane running a service is not this lane’s',
      board({ lanes: { 'lane-1': 'db' }, ready: ['cache'] }),
      { outcome: 'claim', candidates: ['cache'] },
    ],
    [
      'a broken region takes nothing more, even with services ready',
      board({ broken: 'db FAILED', ready: ['cache'] }),
      { outcome: 'blocked', reason: 'db FAILED' },
    ],
    [
      'nothing ready, some unclaimed: wait',
      board({ lanes: { 'lane-1': 'db' }, unclaimed: 2 }),
      { outcome: 'wait' },
    ],
    ['nothing left to claim: done', board({ lanes: { 'lane-1': 'db' }, unclaimed: 0 }), { outcome: 'done' }],
  ])('%s', (_name, given, decision) => {
    expect(decideLaneClaim('lane-0', given)).toEqual(decision);
  });
});

describe('parkedLaneShouldWake', () => {
  it.each<[string, LaneBoard, boolean]>([
    ['a service is ready', board({ ready: ['api'], lanes: { 'lane-1': 'db' } }), true],
    ['nothing ready, one running that will wake it', board({ lanes: { 'lane-1': 'db' } }), false],
    ['nothing ready and nothing running: it would wait for ever', board({ broken: 'db FAILED' }), true],
  ])('%s', (_name, given, wake) => {
    expect(parkedLaneShouldWake(given)).toBe(wake);
  });
});

describe('lanesToWake', () => {
  it.each<[string, LaneBoard, number, number]>([
    ['one per ready service', board({ ready: ['a', 'b'] }), 5, 2],
    ['no more than are parked', board({ ready: ['a', 'b', 'c'] }), 2, 2],
    ['none while nothing is ready', board(), 4, 0],
    ['all when the region broke: they end', board({ broken: 'a FAILED' }), 4, 4],
    ['all when nothing is left to claim: they end', board({ unclaimed: 0 }), 4, 4],
  ])('%s', (_name, given, parked, woken) => {
    expect(lanesToWake(given, parked)).toBe(woken);
  });
});

describe('readyRank', () => {
  it('sorts as text by most work after the service first, then by name', () => {
    const service = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
    const priority = fc.integer({ min: 0, max: 10_000_000 }).map((ms) => ms / 1000);
    fc.assert(
      fc.property(fc.array(fc.tuple(priority, service), { minLength: 2, maxLength: 20 }), (entries) => {
        const byRank = [...entries].sort((a, b) => {
          const [x, y] = [readyRank(...a), readyRank(...b)];
          return x < y ? -1 : x > y ? 1 : 0;
        });
        const expected = [...entries].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
        expect(byRank).toEqual(expected);
      }),
    );
  });
});

describe('boardChange', () => {
  type Case = [
    string,
    Parameters<typeof boardChange>[1],
    Parameters<typeof boardChange>[2],
    ReturnType<typeof boardChange>,
  ];
  it.each<Case>([
    [
      'a claim leaves the ready set and puts the service on its lane',
      { status: 'IN_PROGRESS', claimedBy: 'lane-2' },
      ['PENDING'],
      { claimed: true, runs: { service: 'api', lane: 'lane-2' } },
    ],
    ['a step, a verdict: nothing', { stepIndex: 3 } as never, undefined, undefined],
    [
      'a shift between active statuses: nothing',
      { status: 'VALIDATING' },
      ['IN_PROGRESS', 'VALIDATING'],
      undefined,
    ],
    [
      'completing frees its lane',
      { status: 'COMPLETED' },
      ['IN_PROGRESS', 'VALIDATING'],
      { claimed: false, stops: 'api' },
    ],
    [
      'failing frees its lane and breaks the region',
      { status: 'FAILED' },
      ['IN_PROGRESS', 'VALIDATING'],
      { claimed: false, stops: 'api', broken: 'api FAILED' },
    ],
    [
      'rolling back a completed service breaks the region, no lane to free',
      { status: 'ROLLED_BACK' },
      ['COMPLETED'],
      { claimed: false, broken: 'api ROLLED_BACK' },
    ],
    [
      'skipping a pending one leaves the ready set and breaks the region',
      { status: 'SKIPPED' },
      ['PENDING'],
      { claimed: true, broken: 'api SKIPPED' },
    ],
    [
      'may or may not leave PENDING: only the record can tell',
      { status: 'IN_PROGRESS' },
      ['PENDING', 'IN_PROGRESS'],
      'needs the record',
    ],
    ['any status at all: only the record can tell', { status: 'FAILED' }, undefined, 'needs the record'],
  ])('%s', (_name, patch, statuses, change) => {
    expect(boardChange('api', patch, statuses)).toEqual(change);
  });
});

describe('unfinishedRollouts', () => {
  const record = (service: string, status: ServiceRolloutStatus): ServiceRolloutRecord => ({
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
  });
  it('is every rollout not completed', () => {
    const listed = [record('db', 'COMPLETED'), record('api', 'VALIDATING'), record('web', 'PENDING')];
    expect(unfinishedRollouts(listed).map((entry) => entry.service)).toEqual(['api', 'web']);
  });
});
