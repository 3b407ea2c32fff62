import { describe, expect, it } from 'vitest';
import {
  type LatestRollback,
  laterRelease,
  leftChanged,
  MAX_ROLLBACK_ATTEMPTS,
  type NextRollback,
  nextRollback,
  type RollbackEligibility,
  type RollbackRequest,
  rollbackEligibility,
  rollbackUnderWayIsDone,
} from '../../lambdas/core/rollback-eligibility';
import type { ReleaseStatus, ServiceRolloutStatus } from '../../lambdas/ports';

const ID = 'rel-1';
const RUNNING = { verdict: 'stop-and-roll-back', from: ['PENDING', 'RUNNING', 'MONITORING'] } as const;
const refused = (message: string) => ({ verdict: 'refused', message }) as const;
const finished = (status: ReleaseStatus) => ({ verdict: 'roll-back-finished', from: [status] }) as const;

describe('rollbackEligibility', () => {
  it.each<[RollbackRequest, ReleaseStatus, number | undefined, RollbackEligibility]>([
    ['abort', 'PENDING', undefined, RUNNING],
    ['abort', 'RUNNING', undefined, RUNNING],
    ['abort', 'MONITORING', undefined, RUNNING],
    ['abort', 'ROLLING_BACK', undefined, { verdict: 'under-way' }],
    [
      'abort',
      'QUEUED',
      undefined,
      refused(
        `release ${ID} is QUEUED: nothing of it has run (switchyard cancel ${ID} takes it off the queue)`,
      ),
    ],
    ['rollback', 'CANCELLED', undefined, refused(`release ${ID} is CANCELLED: nothing of it has run`)],
    [
      'abort',
      'SUCCEEDED',
      undefined,
      refused(
        `release ${ID} is SUCCEEDED: nothing is running to abort (switchyard rollback ${ID} rolls it back)`,
      ),
    ],
    ['abort', 'FAILED', 2, refused(`release ${ID} is FAILED: nothing is running to abort`)],
    ['abort', 'ROLLED_BACK', undefined, refused(`release ${ID} is ROLLED_BACK: nothing is running to abort`)],
    ['abort', 'REFUSED', undefined, refused(`release ${ID} is REFUSED: nothing is running to abort`)],
    ['rollback', 'PENDING', undefined, RUNNING],
    ['rollback', 'RUNNING', undefined, RUNNING],
    ['rollback', 'ROLLING_BACK', undefined, { verdict: 'under-way' }],
    ['rollback', 'SUCCEEDED', undefined, finished('SUCCEEDED')],
    ['rollback', 'FAILED', 1, finished('FAILED')],
    ['rollback', 'ABORTED', 3, finished('ABORTED')],
    [
      'rollback',
      'FAILED',
      0,
      refused(`release ${ID} is FAILED and changed nothing: there is nothing to roll back`),
    ],
    [
      'rollback',
      'ABORTED',
      0,
      refused(`release ${ID} is ABORTED and changed nothing: there is nothing to roll back`),
    ],
    ['rollback', 'ROLLED_BACK', undefined, refused(`release ${ID} is already rolled back`)],
    [
      'rollback',
      'REFUSED',
      undefined,
      refused(`release ${ID} was refused by preflight and changed nothing: there is nothing to roll back`),
    ],
  ])('%s of a %s release (%s services left changed)', (request, status, changed, expected) => {
    expect(rollbackEligibility(request, { releaseId: ID, status }, changed)).toEqual(expected);
  });
});

describe('leftChanged', () => {
  it.each<[ServiceRolloutStatus, boolean]>([
    ['PENDING', false],
    ['SKIPPED', false],
    ['ROLLED_BACK', false],
    ['IN_PROGRESS', true],
    ['VALIDATING', true],
    ['COMPLETED', true],
    ['FAILED', true],
  ])('a %s service rollout: %s', (status, expected) => {
    expect(leftChanged({ status })).toBe(expected);
  });
});

describe('laterRelease', () => {
  const release = { releaseId: 'rel-b', createdAt: '2026-11-22T10:00:00.000Z' };
  const at = (createdAt: string, releaseId: string, status: ReleaseStatus) => ({
    releaseId,
    createdAt,
    status,
  });
  it.each<[string, ReturnType<typeof at>, ReturnType<typeof laterRelease>]>([
    ['itself', at(release.createdAt, 'rel-b', 'SUCCEEDED'), 'clear'],
    ['one submitted before it', at('2026-11-22T09:00:00.000Z', 'rel-z', 'SUCCEEDED'), 'clear'],
    ['one at the same time with a smaller id', at(release.createdAt, 'rel-a', 'SUCCEEDED'), 'clear'],
    ['one at the same time with a larger id', at(release.createdAt, 'rel-c', 'SUCCEEDED'), 'blocks'],
    ['a later one rolled back', at('2026-11-22T11:00:00.000Z', 'rel-a', 'ROLLED_BACK'), 'clear'],
    ['a later one running', at('2026-11-22T11:00:00.000Z', 'rel-a', 'RUNNING'), 'blocks'],
    ['a later one succeeded', at('2026-11-22T11:00:00.000Z', 'rel-a', 'SUCCEEDED'), 'blocks'],
    ['a later one rolling back', at('2026-11-22T11:00:00.000Z', 'rel-a', 'ROLLING_BACK'), 'blocks'],
    ['a later one failed', at('2026-11-22T11:00:00.000Z', 'rel-a', 'FAILED'), 'blocks-if-it-left-changes'],
    ['a later one aborted', at('2026-11-22T11:00:00.000Z', 'rel-a', 'ABORTED'), 'blocks-if-it-left-changes'],
  ])('%s', (_, later, expected) => {
    expect(laterRelease(release, later)).toBe(expected);
  });
});

describe('nextRollback', () => {
  it.each<[string, LatestRollback | undefined, NextRollback]>([
    ['none yet: the first', undefined, { action: 'start', attempt: 1 }],
    ['the first running: join it', { attempt: 1, status: 'RUNNING' }, { action: 'join', attempt: 1 }],
    ['the first failed: the second', { attempt: 1, status: 'FAILED' }, { action: 'start', attempt: 2 }],
    ['the third timed out: the fourth', { attempt: 3, status: 'TIMED_OUT' }, { action: 'start', attempt: 4 }],
    ['the second stopped: the third', { attempt: 2, status: 'ABORTED' }, { action: 'start', attempt: 3 }],
    [
      'the last allowed running: join it',
      { attempt: MAX_ROLLBACK_ATTEMPTS, status: 'RUNNING' },
      { action: 'join', attempt: MAX_ROLLBACK_ATTEMPTS },
    ],
    [
      'the last allowed failed: a person is needed',
      { attempt: MAX_ROLLBACK_ATTEMPTS, status: 'FAILED' },
      {
        action: 'refuse',
        message: `release ${ID} has been rolled back ${MAX_ROLLBACK_ATTEMPTS} times without success: it needs a person`,
      },
    ],
  ])('%s', (_, latest, expected) => {
    expect(nextRollback(ID, latest)).toEqual(expected);
  });
});

describe('rollbackUnderWayIsDone', () => {
  it.each<[LatestRollback | undefined, boolean]>([
    [undefined, false],
    [{ attempt: 1, status: 'RUNNING' }, true],
    [{ attempt: 1, status: 'SUCCEEDED' }, true],
    [{ attempt: 2, status: 'FAILED' }, false],
    [{ attempt: 1, status: 'ABORTED' }, false],
  ])('latest %j: %s', (latest, expected) => {
    expect(rollbackUnderWayIsDone(latest)).toBe(expected);
  });
});
