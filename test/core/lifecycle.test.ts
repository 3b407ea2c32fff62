import { describe, expect, it } from 'vitest';
import {
  allowedSources,
  RELEASE_STATUSES,
  type ReleaseStatus,
  releaseMovesFrom,
  SERVICE_ROLLOUT_STATUSES,
  type ServiceRolloutStatus,
  serviceRolloutMovesFrom,
} from '../../lambdas/core/lifecycle';

/** Every move the handlers and the API make, written out: [from, to]. */
const RELEASE_ALLOWED: Array<[ReleaseStatus, ReleaseStatus]> = [
  ['PENDING', 'RUNNING'],
  ['RUNNING', 'SUCCEEDED'],
  ['SUCCEEDED', 'SUCCEEDED'],
  ['PENDING', 'ROLLING_BACK'],
  ['RUNNING', 'ROLLING_BACK'],
  ['SUCCEEDED', 'ROLLING_BACK'],
  ['FAILED', 'ROLLING_BACK'],
  ['ABORTED', 'ROLLING_BACK'],
  ['ROLLING_BACK', 'ROLLED_BACK'],
  ['ROLLED_BACK', 'ROLLED_BACK'],
  ['PENDING', 'FAILED'],
  ['RUNNING', 'FAILED'],
  ['SUCCEEDED', 'FAILED'],
  ['ROLLING_BACK', 'FAILED'],
  ['FAILED', 'FAILED'],
  ['PENDING', 'ABORTED'],
  ['RUNNING', 'ABORTED'],
  ['RUNNING', 'REFUSED'],
  ['REFUSED', 'REFUSED'],
  ['QUEUED', 'PENDING'],
  ['QUEUED', 'CANCELLED'],
  ['CANCELLED', 'CANCELLED'],
  ['RUNNING', 'MONITORING'],
  ['MONITORING', 'MONITORING'],
  ['MONITORING', 'SUCCEEDED'],
  ['MONITORING', 'ROLLING_BACK'],
  ['MONITORING', 'FAILED'],
];

const RELEASE_REFUSED: Array<[ReleaseStatus, ReleaseStatus, string]> = [
  ['PENDING', 'SUCCEEDED', 'a release that never ran cannot succeed'],
  ['RUNNING', 'ROLLED_BACK', 'rolled back only through rolling back'],
  ['RUNNING', 'PENDING', 'nothing goes back to PENDING'],
  ['SUCCEEDED', 'RUNNING', 'a finished release does not run again'],
  ['ROLLING_BACK', 'RUNNING', 'a rollback is not undone'],
  ['ROLLING_BACK', 'SUCCEEDED', 'a rollback does not end in success'],
  ['ROLLED_BACK', 'ROLLING_BACK', 'a rolled-back release has nothing left to roll back'],
  ['ROLLED_BACK', 'FAILED', 'rolled back is final'],
  ['REFUSED', 'ROLLING_BACK', 'a refused release changed nothing'],
  ['REFUSED', 'RUNNING', 'refused is final'],
  ['FAILED', 'RUNNING', 'a failed release does not run again'],
  ['ABORTED', 'RUNNING', 'an aborted release does not run again'],
  ['PENDING', 'REFUSED', 'preflight runs on a running release'],
  ['QUEUED', 'RUNNING', 'a queued release starts through PENDING, when its turn comes'],
  ['CANCELLED', 'PENDING', 'a cancelled release never runs'],
  ['RUNNING', 'CANCELLED', 'only a queued release is cancelled; a running one is aborted'],
  ['PENDING', 'MONITORING', 'the window opens after the last wave'],
  ['MONITORING', 'RUNNING', 'the waves do not run again'],
  ['SUCCEEDED', 'MONITORING', 'a window does not reopen'],
];

const ROLLOUT_ALLOWED: Array<[ServiceRolloutStatus, ServiceRolloutStatus]> = [
  ['PENDING', 'IN_PROGRESS'],
  ['IN_PROGRESS', 'IN_PROGRESS'],
  ['VALIDATING', 'IN_PROGRESS'],
  ['IN_PROGRESS', 'VALIDATING'],
  ['VALIDATING', 'VALIDATING'],
  ['IN_PROGRESS', 'COMPLETED'],
  ['VALIDATING', 'COMPLETED'],
  ['COMPLETED', 'COMPLETED'],
  ['PENDING', 'FAILED'],
  ['IN_PROGRESS', 'FAILED'],
  ['VALIDATING', 'FAILED'],
  ['IN_PROGRESS', 'ROLLED_BACK'],
  ['VALIDATING', 'ROLLED_BACK'],
  ['COMPLETED', 'ROLLED_BACK'],
  ['FAILED', 'ROLLED_BACK'],
  ['ROLLED_BACK', 'ROLLED_BACK'],
];

const ROLLOUT_REFUSED: Array<[ServiceRolloutStatus, ServiceRolloutStatus, string]> = [
  ['PENDING', 'COMPLETED', 'a service completes only once started'],
  ['PENDING', 'VALIDATING', 'no canary weight before it started'],
  ['PENDING', 'ROLLED_BACK', 'an untouched service has nothing to roll back'],
  ['COMPLETED', 'IN_PROGRESS', 'a completed service does not run again'],
  ['COMPLETED', 'FAILED', 'failure is recorded before completion'],
  ['FAILED', 'IN_PROGRESS', 'a failed service does not run again'],
  ['FAILED', 'COMPLETED', 'a failed service does not complete'],
  ['ROLLED_BACK', 'IN_PROGRESS', 'rolled back is final'],
  ['ROLLED_BACK', 'FAILED', 'rolled back is final'],
  ['IN_PROGRESS', 'PENDING', 'nothing goes back to PENDING'],
  ['SKIPPED', 'IN_PROGRESS', 'a skipped service stays skipped'],
  ['IN_PROGRESS', 'SKIPPED', 'nothing is skipped once started'],
];

function movesOf<Status extends string>(
  statuses: readonly Status[],
  movesFrom: (to: Status) => readonly Status[],
): Array<[Status, Status]> {
  return statuses.flatMap((to) => movesFrom(to).map((from): [Status, Status] => [from, to]));
}

const sorted = <T>(pairs: Array<[T, T]>) => pairs.map((pair) => pair.join(' → ')).sort();

describe('the release lifecycle', () => {
  it.each(RELEASE_ALLOWED)('allows %s → %s', (from, to) => {
    expect(releaseMovesFrom(to)).toContain(from);
  });

  it.each(RELEASE_REFUSED)('refuses %s → %s: %s', (from, to) => {
    expect(releaseMovesFrom(to)).not.toContain(from);
  });

  it('allows exactly the moves above, nothing more', () => {
    expect(sorted(movesOf(RELEASE_STATUSES, releaseMovesFrom))).toEqual(sorted(RELEASE_ALLOWED));
  });

  it('lets ROLLED_BACK and REFUSED go nowhere else, and FAILED only to another rollback', () => {
    const exits = (from: ReleaseStatus) =>
      RELEASE_STATUSES.filter((to) => to !== from && releaseMovesFrom(to).includes(from));
    expect(exits('ROLLED_BACK')).toEqual([]);
    expect(exits('REFUSED')).toEqual([]);
    expect(exits('FAILED')).toEqual(['ROLLING_BACK']);
  });
});

describe('the service-rollout lifecycle', () => {
  it.each(ROLLOUT_ALLOWED)('allows %s → %s', (from, to) => {
    expect(serviceRolloutMovesFrom(to)).toContain(from);
  });

  it.each(ROLLOUT_REFUSED)('refuses %s → %s: %s', (from, to) => {
    expect(serviceRolloutMovesFrom(to)).not.toContain(from);
  });

  it('allows exactly the moves above, nothing more', () => {
    expect(sorted(movesOf(SERVICE_ROLLOUT_STATUSES, serviceRolloutMovesFrom))).toEqual(
      sorted(ROLLOUT_ALLOWED),
    );
  });

  it('lets ROLLED_BACK and SKIPPED go nowhere else', () => {
    const exits = (from: ServiceRolloutStatus) =>
      SERVICE_ROLLOUT_STATUSES.filter((to) => to !== from && serviceRolloutMovesFrom(to).includes(from));
    expect(exits('ROLLED_BACK')).toEqual([]);
    expect(exits('SKIPPED')).toEqual([]);
  });
});

describe('allowedSources', () => {
  it.each([
    { caller: undefined, expected: ['PENDING', 'RUNNING', 'MONITORING', 'SUCCEEDED', 'FAILED', 'ABORTED'] },
    { caller: ['PENDING', 'RUNNING'], expected: ['PENDING', 'RUNNING'] },
    { caller: ['RUNNING', 'ROLLED_BACK'], expected: ['RUNNING'] },
    { caller: ['ROLLED_BACK', 'REFUSED'], expected: [] },
  ] as Array<{ caller?: ReleaseStatus[]; expected: ReleaseStatus[] }>)(
    'narrows the caller’s from $caller to what may move to ROLLING_BACK: $expected',
    ({ caller, expected }) => {
      expect(allowedSources(releaseMovesFrom('ROLLING_BACK'), caller)).toEqual(expected);
    },
  );
});
