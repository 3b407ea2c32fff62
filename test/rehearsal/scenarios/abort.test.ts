/**
 * An abort stops the release where it is and rolls it back: waves after the one it stopped in
 * never start — no region rollout, no service rollout, no workload or weight change there.
 */
import { describe, expect, it } from 'vitest';
import { abortRelease } from '../../../lambdas/api/releases';
import { submitRelease } from '../../../lambdas/app/submit-release';
import { fixturePlatform, rehearseFixture } from '../fixtures/rehearsal';

const WAVE_2 = 'us-west-2';

async function abortedDuringWaveOne(
  stopWhen: (platform: Awaited<ReturnType<typeof fixturePlatform>>) => boolean,
) {
  const platform = await fixturePlatform('two-regions');
  const releaseId = platform.plan.releaseId;
  const waveTwoBefore = platform.fleet.describe().regions[WAVE_2];
  await platform.scheduler.track(submitRelease(platform.ports, platform.document, 'test'));
  await platform.runUntilIdle(() => stopWhen(platform));

  // Still in wave 1: us-west-2 has not been touched yet.
  expect((await platform.store.getRelease(releaseId))?.status).toBe('RUNNING');
  expect(platform.workflow.all().filter((execution) => execution.name.includes(WAVE_2))).toEqual([]);
  await platform.scheduler.track(abortRelease(platform.ports, releaseId, 'alice'));
  expect(await platform.runUntilIdle()).toBe('finished');
  return { platform, releaseId, waveTwoBefore };
}

describe('an abort during wave 1', () => {
  it.each([
    [
      "while wave 1's canary takes traffic",
      (platform: Awaited<ReturnType<typeof fixturePlatform>>) =>
        (platform.fleet.describe().regions['us-east-1']!.services.auth!.weights?.canary ?? 0) > 0,
    ],
    [
      'once wave 1 has completed, before the bake between the waves ends',
      (platform: Awaited<ReturnType<typeof fixturePlatform>>) =>
        Object.entries(platform.fleet.describe().regions['us-east-1']!.services).every(
          ([service, state]) =>
            state.stable?.image === platform.plan.services.get(service)!.image && !state.canary?.replicas,
        ),
    ],
  ])('%s: rolls back, and wave 2 never starts', async (_, stopWhen) => {
    const { platform, releaseId, waveTwoBefore } = await abortedDuringWaveOne(stopWhen);

    expect((await platform.store.getRelease(releaseId))?.status).toBe('ROLLED_BACK');
    const executions = platform.workflow.all();
    expect(executions.find((execution) => execution.name === releaseId)?.status).toBe('ABORTED');
    expect(executions.find((execution) => execution.machine === 'rollback')?.status).toBe('SUCCEEDED');
    // Nothing ran in us-west-2: no region rollout, no lane, no service rollout.
    expect(
      executions.filter((execution) => execution.name.includes(WAVE_2)).map((execution) => execution.name),
    ).toEqual([]);
    expect(
      (await platform.store.listServiceRollouts(releaseId, WAVE_2)).map((record) => record.status),
    ).toEqual(platform.plan.regions.find((region) => region.name === WAVE_2)!.services.map(() => 'PENDING'));
    // Its workloads and weights are as they were before the release.
    expect(platform.fleet.describe().regions[WAVE_2]).toEqual(waveTwoBefore);
    for (const service of ['auth', 'web']) {
      // Only the weights the fleet started with: no ModifyRule there.
      expect(platform.fleet.weightChanges(service, WAVE_2)).toHaveLength(1);
    }
    const audit = await platform.store.listAudit(releaseId, { limit: 1000 });
    expect(audit.filter((entry) => entry.region === WAVE_2)).toEqual([]);
  });
});

describe('a failure in wave 1', () => {
  it('rolls back, and wave 2 never starts', async () => {
    const result = await rehearseFixture('two-regions', {
      faults:
        'faults: [{ type: degradedVersion, service: auth, region: us-east-1, errorRatePercent: 40, from: { step: 1 } }]',
    });
    expect(result.status).toBe('ROLLED_BACK');
    expect(
      result.executions
        .filter((execution) => execution.name.includes(WAVE_2))
        .map((execution) => execution.name),
    ).toEqual([]);
    expect(Object.values(result.regions[WAVE_2]!).map((state) => state.status)).toEqual(
      Object.keys(result.regions[WAVE_2]!).map(() => 'PENDING'),
    );
  });
});
