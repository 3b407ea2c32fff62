/**
 * Traffic: each setWeight step's weights, applied and read back (anything else is someone's
 * edit), and promotion, which gives stable the new image and then all traffic back.
 */

import * as z from 'zod';
import {
  assertReleaseRunning,
  loadReleaseContext,
  type ReleaseContext,
  runningRollout,
} from '../../app/release-context';
import { auditEntry } from '../../core/audit';
import { RolloutStuckError, WeightsMismatchError } from '../../core/errors';
import { ACTIVE_STATUSES } from '../../core/lanes';
import { type StepState, stepState } from '../../core/step-state';
import { type RolloutStep, replicaRatioWeights, replicasForStep } from '../../core/strategy';
import type { Ports, ServiceRolloutRecord, Weights } from '../../ports';
import { defineHandler } from '../define';
import { recordStepWhileRunning, stepCompleted } from './completion';
import {
  auditKey,
  currentStep,
  originalReplicas,
  rememberReplicas,
  type ServiceKey,
  StepStateInput,
} from './shared';

async function applyWeights(
  ports: Ports,
  context: ReleaseContext,
  key: ServiceKey & { stepIndex: number },
  wanted: Weights,
  replicas: { stable: number; canary: number },
  what: string,
  record: ServiceRolloutRecord | undefined,
  /** The step this shift ends, recorded done in the same write. */
  ends?: { step: RolloutStep },
): Promise<Weights> {
  const target = context.trafficTarget(key.region, key.service);
  let applied: Weights;
  if (target) {
    // What Switchyard last applied (or found before the release): anything else is someone's edit.
    applied = await ports.traffic.setWeights(target, wanted, record?.weights);
    if (applied.stable !== wanted.stable || applied.canary !== wanted.canary) {
      throw new WeightsMismatchError(
        `${key.service} in ${key.region}: asked for ${wanted.stable}/${wanted.canary}, read back ${applied.stable}/${applied.canary}`,
      );
    }
  } else {
    applied = replicaRatioWeights(replicas);
  }
  const at = ports.clock.now();
  const now = at.toISOString();
  const shifted = auditEntry('traffic.shifted', {
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
  });
  const patch = {
    weights: applied,
    stepIndex: ends ? key.stepIndex + 1 : key.stepIndex,
    status: applied.canary > 0 ? ('VALIDATING' as const) : ('IN_PROGRESS' as const),
  };
  if (ends) await recordStepWhileRunning(ports, key, patch, [shifted, stepCompleted(key, ends.step, at)]);
  else await ports.store.updateServiceRollout(key, patch, shifted, [...ACTIVE_STATUSES]);
  await ports.events.publish([
    {
      detailType: 'Service Rollout Step',
      releaseId: key.releaseId,
      detail: { region: key.region, service: key.service, stepIndex: key.stepIndex, weights: applied },
    },
  ]);
  return applied;
}

/** A setWeight step: the shift, and the step recorded done in the same write; returns the next step. */
export const shiftTraffic = defineHandler({
  name: 'shiftTraffic',
  ports: ['store', 'traffic', 'clock', 'events'],
  input: StepStateInput,
  async run(input, ports): Promise<StepState> {
    const { rollout: record, snapshot } = await runningRollout(ports.store, input);
    if (snapshot) rememberReplicas(input, snapshot.replicas);
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const step = currentStep(context, input);
    if (step.kind !== 'setWeight')
      throw new RolloutStuckError(`${input.service} step ${input.stepIndex} is ${step.kind}, not setWeight`);
    const replicas = replicasForStep(await originalReplicas(ports, input), step);
    await applyWeights(
      ports,
      context,
      input,
      { stable: 100 - step.weight, canary: step.weight },
      replicas,
      `step-${input.stepIndex}/weights`,
      record,
      { step },
    );
    return stepState(context.steps(input.service), input, input.stepIndex + 1, ports.clock.now());
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
        context.trafficTarget(input.region, input.service)
          ? await ports.store.getServiceRollout(input.releaseId, input.region, input.service)
          : undefined,
      );
    } else {
      await ports.cluster.removeCanary(target, 'scaleToZero');
    }
    const { phase: _phase, ...state } = input;
    return state;
  },
});
