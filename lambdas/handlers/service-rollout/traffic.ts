/**
 * Traffic: each setWeight step's weights, applied and read back (anything else is someone's
 * edit), and promotion, which gives stable the new image and then all traffic back.
 */

import * as z from 'zod';
import { assertReleaseRunning, loadReleaseContext, type ReleaseContext } from '../../app/release-context';
import { auditEntry } from '../../core/audit';
import { WeightsMismatchError } from '../../core/errors';
import { replicaRatioWeights, replicasForStep } from '../../core/strategy';
import type { Ports, Weights } from '../../ports';
import { defineHandler } from '../define';
import { auditKey, currentStep, originalReplicas, type ServiceKey, StepStateInput } from './shared';

async function applyWeights(
  ports: Ports,
  context: ReleaseContext,
  key: ServiceKey & { stepIndex: number },
  wanted: Weights,
  replicas: { stable: number; canary: number },
  what: string,
): Promise<Weights> {
  const target = context.trafficTarget(key.region, key.service);
  let applied: Weights;
  if (target) {
    // What Switchyard last applied (or found before the release): anything else is someone's edit.
    const record = await ports.store.getServiceRollout(key.releaseId, key.region, key.service);
    applied = await ports.traffic.setWeights(target, wanted, record?.weights);
    if (applied.stable !== wanted.stable || applied.canary !== wanted.canary) {
      throw new WeightsMismatchError(
        `${key.service} in ${key.region}: asked for ${wanted.stable}/${wanted.canary}, read back ${applied.stable}/${applied.canary}`,
      );
    }
  } else {
    applied = replicaRatioWeights(replicas);
  }
  const now = ports.clock.now().toISOString();
  await ports.store.updateServiceRollout(
    key,
    { weights: applied, stepIndex: key.stepIndex, status: applied.canary > 0 ? 'VALIDATING' : 'IN_PROGRESS' },
    auditEntry('traffic.shifted', {
      releaseId: key.releaseId,
      key: auditKey(key, what),
      at: now,
      actor: 'switchyard',
      region: key.region,
      service: key.service,
      detail: {
        stable: applied.stable,
        canary: applied.canary,
        via: context.service(key.service).traffic.type,
      },
    }),
  );
  await ports.events.publish([
    {
      detailType: 'Service Rollout Step',
      releaseId: key.releaseId,
      detail: { region: key.region, service: key.service, stepIndex: key.stepIndex, weights: applied },
    },
  ]);
  return applied;
}

export const shiftTraffic = defineHandler({
  name: 'shiftTraffic',
  ports: ['store', 'traffic', 'clock', 'events'],
  input: StepStateInput,
  async run(input, ports) {
    await assertReleaseRunning(ports.store, input.releaseId);
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const step = currentStep(context, input);
    if (step.kind !== 'setWeight') return input;
    const replicas = replicasForStep(await originalReplicas(ports, input), step);
    const weights = await applyWeights(
      ports,
      context,
      input,
      { stable: 100 - step.weight, canary: step.weight },
      replicas,
      `step-${input.stepIndex}/weights`,
    );
    return { ...input, weights };
  },
});

const PromoteInput = StepStateInput.extend({
  phase: z.enum(['updateStable', 'returnTraffic', 'retireCanary']),
});

/** Promotion: stable takes the new image, then all traffic, then the canary scales to zero. */
export const promoteCanary = defineHandler({
  name: 'promoteCanary',
  ports: ['store', 'cluster', 'traffic', 'clock', 'events'],
  input: PromoteInput,
  async run(input, ports) {
    if (input.phase === 'updateStable') await assertReleaseRunning(ports.store, input.releaseId);
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const service = context.service(input.service);
    const target = context.workload(input.region, input.service);
    const replicas = await originalReplicas(ports, input);
    if (input.phase === 'updateStable') {
      await ports.cluster.setImage(target, service.container, service.image, 'stable');
      await ports.cluster.scale(target, replicas, 'stable');
    } else if (input.phase === 'returnTraffic') {
      await applyWeights(
        ports,
        context,
        input,
        { stable: 100, canary: 0 },
        { stable: replicas, canary: 0 },
        'promote/weights',
      );
    } else {
      await ports.cluster.removeCanary(target, 'scaleToZero');
    }
    const { phase: _phase, ...state } = input;
    return state;
  },
});
