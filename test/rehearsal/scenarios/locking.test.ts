/**
 * One release at a time: a second one submitted while the first runs is refused, naming the
 * holder; the first carries on, and once it has finished the lock is free again.
 */
import { describe, expect, it } from 'vitest';
import { submitRelease } from '../../../lambdas/handlers/submit';
import { expectCompleted, fixturePlan, fixturePlatform, rehearseFixture } from '../fixtures/rehearsal';

describe('the release lock', () => {
  it('refuses a second release while the first runs, naming the holder', async () => {
    const result = await rehearseFixture('canary', {
      faults: 'faults: [{ type: secondRelease, at: 2m, releaseId: hotfix-1 }]',
    });

    expectCompleted(result, fixturePlan('canary').plan);
    expect(result.secondReleases).toHaveLength(1);
    const [second] = result.secondReleases;
    expect(second).toMatchObject({ releaseId: 'hotfix-1', atSeconds: 120, outcome: 'refused' });
    expect(second!.message).toContain('fixture-canary');
    // Nothing of the refused release ran.
    expect(
      result.executions.map((execution) => execution.name).filter((name) => name.startsWith('hotfix-1')),
    ).toEqual([]);
  });

  it('starts a second release submitted after the first has finished', async () => {
    const result = await rehearseFixture('canary', {
      faults: 'faults: [{ type: secondRelease, at: 20h, releaseId: next-day-1 }]',
    });

    expectCompleted(result, fixturePlan('canary').plan);
    expect(result.secondReleases).toEqual([
      expect.objectContaining({ releaseId: 'next-day-1', atSeconds: 72_000, outcome: 'started' }),
    ]);
    expect(result.executions.find((execution) => execution.name === 'next-day-1')?.status).toBe('SUCCEEDED');
  });

  it('is free again once the release holding it has finished', async () => {
    const platform = await fixturePlatform('canary');
    await platform.scheduler.track(submitRelease(platform.ports, platform.document, 'test'));
    await platform.runUntilIdle();
    expect((await platform.store.getRelease('fixture-canary'))?.status).toBe('SUCCEEDED');

    const next = structuredClone(platform.document);
    next.metadata.releaseId = 'follow-up-1';
    await platform.scheduler.track(submitRelease(platform.ports, next, 'test'));
    await platform.runUntilIdle();
    expect((await platform.store.getRelease('follow-up-1'))?.status).toBe('SUCCEEDED');
  });
});
