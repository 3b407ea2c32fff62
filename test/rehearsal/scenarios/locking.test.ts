/**
 * One release at a time: a second one submitted while the first holds the lock is refused,
 * naming the holder; one submitted once the lock is free runs on the same engine, fleet and
 * clock. Every release that ran is reported with its final status, which the exit code, the
 * fleet's images and the lock's history agree with.
 */
import { describe, expect, it } from 'vitest';
import { rehearsalExitCode, renderSummary } from '../../../bin/cli/rehearse-command';
import { submitRelease } from '../../../lambdas/app/submit-release';
import type { ReleasePlan } from '../../../lambdas/core/plan/schema';
import type { RehearsalResult } from '../../../rehearsal/rehearse';
import { expectCompleted, fixturePlan, fixturePlatform, rehearseFixture } from '../fixtures/rehearsal';

const FIRST = 'fixture-canary';
const SECOND_IMAGES = {
  auth: 'registry.example.com/platform/auth:2.1.0',
  web: 'registry.example.com/edge/web:3.1.0',
};

/** The canary fixture with new images (and any other change): what the second release submits. */
function secondPlan(change: (plan: ReleasePlan) => void = () => {}): Record<string, unknown> {
  const plan = structuredClone(fixturePlan('canary').document);
  for (const service of plan.services) service.image = SECOND_IMAGES[service.name as 'auth' | 'web'];
  change(plan);
  return { 'second.yaml': plan };
}

const liveImages = (result: RehearsalResult) =>
  Object.fromEntries(
    Object.entries(result.regions['us-east-1']!).map(([name, state]) => [name, state.image]),
  );
const lockHistory = (result: RehearsalResult) =>
  result.lock.history.map(({ action, releaseId, kind }) => `${action} ${releaseId} ${kind}`);
const executionsOf = (result: RehearsalResult, releaseId: string) =>
  result.executions.filter((execution) => execution.name.startsWith(releaseId));

/** Refused at the door: nothing of it ran, and the first release decides the exit code. */
function expectRefusedByLock(result: RehearsalResult, releaseId: string, atSeconds: number): void {
  expectCompleted(result, fixturePlan('canary').plan);
  expect(result.secondReleases).toEqual([
    expect.objectContaining({
      releaseId,
      atSeconds,
      outcome: 'refused',
      status: 'REFUSED',
      refusedBy: 'lock',
      message: expect.stringContaining(`locked by release ${FIRST}`),
    }),
  ]);
  expect(result.secondReleases[0]).not.toHaveProperty('auditSequence');
  expect(executionsOf(result, releaseId)).toEqual([]);
  expect(lockHistory(result)).toEqual([`acquired ${FIRST} release`, `released ${FIRST} release`]);
  expect(result.lock.atEnd).toBe('free');
  expect(rehearsalExitCode(result)).toBe(0);
  expect(renderSummary(result)).toContain(
    `second release ${releaseId} at +${atSeconds === 0 ? '0s' : '2m'}: REFUSED (refused at submission: the lock is held) — scope "fleet" is locked by release ${FIRST}`,
  );
}

describe('the release lock', () => {
  it('refuses a second release submitted at the same instant as the first (the first, submitted first, holds the lock)', async () => {
    const result = await rehearseFixture('canary', {
      faults: 'faults: [{ type: secondRelease, at: 0s, releaseId: racing-1 }]',
    });
    expectRefusedByLock(result, 'racing-1', 0);
  });

  it('refuses a second release while the first runs, naming the holder', async () => {
    const result = await rehearseFixture('canary', {
      faults: 'faults: [{ type: secondRelease, at: 2m, releaseId: hotfix-1 }]',
    });
    expectRefusedByLock(result, 'hotfix-1', 120);
  });

  it('runs a second release submitted after the first has finished, and reports where it ended', async () => {
    const result = await rehearseFixture('canary', {
      faults: 'faults: [{ type: secondRelease, at: 20h, releaseId: next-day-1, plan: second.yaml }]',
      secondReleasePlans: secondPlan(),
    });

    expect(result.status).toBe('SUCCEEDED');
    const [second] = result.secondReleases;
    expect(second).toMatchObject({
      releaseId: 'next-day-1',
      atSeconds: 72_000,
      outcome: 'started',
      status: 'SUCCEEDED',
      auditSequence: { first: 1, gaps: [] },
    });
    expect(second).not.toHaveProperty('refusedBy');
    // Its services, as the fleet shows them: on its images, from the first release's.
    for (const [name, image] of Object.entries(SECOND_IMAGES)) {
      expect(second!.regions!['us-east-1']![name]).toMatchObject({
        status: 'COMPLETED',
        image,
        previousImage: fixturePlan('canary').plan.services.get(name)!.image,
        weights: { stable: 100, canary: 0 },
      });
    }
    expect(liveImages(result)).toEqual(SECOND_IMAGES);
    expect(
      executionsOf(result, 'next-day-1').find((execution) => execution.name === 'next-day-1')?.status,
    ).toBe('SUCCEEDED');
    expect(
      result.events.filter((event) => event.detailType === 'Release Succeeded').map((event) => event.detail),
    ).toHaveLength(2);
    expect(lockHistory(result)).toEqual([
      `acquired ${FIRST} release`,
      `released ${FIRST} release`,
      'acquired next-day-1 release',
      'released next-day-1 release',
    ]);
    expect(result.lock.atEnd).toBe('free');
    expect(rehearsalExitCode(result)).toBe(0);
    const summary = renderSummary(result);
    expect(summary).toContain('second release next-day-1 at +20h: SUCCEEDED');
    expect(summary).toContain(
      `us-east-1: auth COMPLETED ${SECOND_IMAGES.auth}, web COMPLETED ${SECOND_IMAGES.web}`,
    );
    expect(summary).toContain('lock "fleet": free at the end (taken 2 time(s), released 2 time(s))');
  });

  it('reports a second release that was rolled back, and exits with its code (the worse one)', async () => {
    // The second release's images fail their analyses: they are not the rehearsed plan's (`previous`).
    const result = await rehearseFixture('canary', {
      faults: `faults:
        - { type: secondRelease, at: 20h, releaseId: next-day-2, plan: second.yaml }
        - { type: degradedVersion, service: auth, version: previous, errorRatePercent: 40, from: { at: 20h } }`,
      secondReleasePlans: secondPlan(),
    });

    expect(result.status).toBe('SUCCEEDED');
    const [second] = result.secondReleases;
    expect(second).toMatchObject({ releaseId: 'next-day-2', outcome: 'started', status: 'ROLLED_BACK' });
    expect(second!.reason).toMatch(/auth/);
    // Rolled back onto what the first release left: the first release's images.
    const firstImages = Object.fromEntries(
      [...fixturePlan('canary').plan.services.values()].map((service) => [service.name, service.image]),
    );
    expect(liveImages(result)).toEqual(firstImages);
    expect(second!.regions!['us-east-1']!.auth).toMatchObject({
      image: firstImages.auth,
      weights: { stable: 100, canary: 0 },
    });
    expect(
      executionsOf(result, 'next-day-2').find((execution) => execution.name === 'next-day-2-rollback')
        ?.status,
    ).toBe('SUCCEEDED');
    expect(second!.auditSequence?.gaps).toEqual([]);
    expect(lockHistory(result)).toEqual([
      `acquired ${FIRST} release`,
      `released ${FIRST} release`,
      'acquired next-day-2 release',
      'acquired next-day-2 rollback',
      'released next-day-2 rollback',
    ]);
    expect(result.lock.atEnd).toBe('free');
    expect(rehearsalExitCode(result)).toBe(3);
  });

  it('reports a second release refused by its preflight, which changed nothing (exit 6)', async () => {
    const result = await rehearseFixture('canary', {
      faults: 'faults: [{ type: secondRelease, at: 20h, releaseId: next-day-3, plan: second.yaml }]',
      secondReleasePlans: secondPlan((plan) => {
        const auth = plan.services.find((service) => service.name === 'auth')!;
        (auth.traffic as { canaryTargetGroup: string }).canaryTargetGroup = 'auth-canary-v2';
      }),
    });

    expectCompleted(result, fixturePlan('canary').plan);
    const [second] = result.secondReleases;
    expect(second).toMatchObject({
      releaseId: 'next-day-3',
      outcome: 'started',
      status: 'REFUSED',
      refusedBy: 'preflight',
      preflight: { ok: false },
    });
    expect(second!.reason).toContain('auth-canary-v2');
    expect(liveImages(result)).toEqual(
      Object.fromEntries(
        [...fixturePlan('canary').plan.services.values()].map((service) => [service.name, service.image]),
      ),
    );
    expect(lockHistory(result).slice(2)).toEqual([
      'acquired next-day-3 release',
      'released next-day-3 release',
    ]);
    expect(result.lock.atEnd).toBe('free');
    expect(rehearsalExitCode(result)).toBe(6);
  });

  it('is free again once the release holding it has finished', async () => {
    const platform = await fixturePlatform('canary');
    await platform.scheduler.track(submitRelease(platform.ports, platform.document, 'test'));
    await platform.runUntilIdle();
    expect((await platform.store.getRelease(FIRST))?.status).toBe('SUCCEEDED');

    const next = structuredClone(platform.document);
    next.metadata.releaseId = 'follow-up-1';
    await platform.scheduler.track(submitRelease(platform.ports, next, 'test'));
    await platform.runUntilIdle();
    expect((await platform.store.getRelease('follow-up-1'))?.status).toBe('SUCCEEDED');
  });
});
