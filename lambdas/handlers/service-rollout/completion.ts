/** The end of each step and of the rollout: the next step, completion, or failure. */
import * as z from 'zod';
import { removeAbortAlarm } from '../../app/abort-alarms';
import { loadReleaseContext } from '../../app/release-context';
import { auditEntry } from '../../core/audit';
import { ConditionFailedError, causeMessage, ReleaseAbortedError } from '../../core/errors';
import { ACTIVE_STATUSES } from '../../core/lanes';
import { isWaitingStep, type StepState, stepState } from '../../core/step-state';
import type { RolloutStep } from '../../core/strategy';
import type { NewAuditEntry, Ports, ServiceRolloutPatch } from '../../ports';
import { defineHandler } from '../define';
import { heartbeatParkedLanes } from '../parked-tasks';
import { auditKey, ServiceKey, StepStateInput } from './shared';

/** Moves to the next step, unless the release stopped running meanwhile. */
export const advanceStep = defineHandler({
  name: 'advanceStep',
  ports: ['store', 'clock', 'workflow'],
  input: StepStateInput,
  async run(input, ports): Promise<StepState> {
    const context = await loadReleaseContext(ports.store, input.releaseId);
    const now = ports.clock.now();
    const step = context.steps(input.service)[input.stepIndex];
    await recordStepWhileRunning(
      ports,
      input,
      { stepIndex: input.stepIndex + 1 },
      stepCompleted(input, step, now),
    );
    // Lanes parked on a dependency expect a heartbeat at least every HeartbeatSeconds; the
    // long gaps in a rollout are its waits, so beat after each of them.
    if (isWaitingStep(step)) await heartbeatParkedLanes(ports, input.releaseId, input.region);
    return stepState(context.steps(input.service), input, input.stepIndex + 1, now);
  },
});

/** The audit entry of a step done: the step and its kind. */
export function stepCompleted(
  input: ServiceKey & { stepIndex: number },
  step: RolloutStep | undefined,
  now: Date,
): NewAuditEntry {
  return auditEntry('step.completed', {
    releaseId: input.releaseId,
    key: auditKey(input, `step-${input.stepIndex}/done`),
    at: now.toISOString(),
    actor: 'switchyard',
    region: input.region,
    service: input.service,
    detail: { stepIndex: input.stepIndex, kind: step?.kind ?? 'done' },
  });
}

/**
 * A step recorded only while the release runs, in the same transaction: once a rollback has
 * begun, this rollout stops here.
 */
export async function recordStepWhileRunning(
  ports: Pick<Ports, 'store'>,
  key: ServiceKey,
  patch: ServiceRolloutPatch,
  audit: NewAuditEntry | readonly NewAuditEntry[],
): Promise<void> {
  try {
    // A step is recorded on an active rollout only; so it cannot move the region's board.
    await ports.store.updateServiceRollout(key, patch, audit, [...ACTIVE_STATUSES], 'RUNNING');
  } catch (error) {
    if (error instanceof ConditionFailedError)
      throw new ReleaseAbortedError(`${error.message}: this rollout stops acting`);
    throw error;
  }
}

export const completeServiceRollout = defineHandler({
  name: 'completeServiceRollout',
  ports: ['store', 'clock', 'events', 'abortAlarms'],
  input: StepStateInput,
  async run(input, ports) {
    const now = ports.clock.now().toISOString();
    await ports.store.updateServiceRollout(
      input,
      { status: 'COMPLETED', endedAt: now, weights: { stable: 100, canary: 0 } },
      auditEntry('service.completed', {
        releaseId: input.releaseId,
        key: auditKey(input, 'completed'),
        at: now,
        actor: 'switchyard',
        region: input.region,
        service: input.service,
      }),
      ['IN_PROGRESS', 'VALIDATING', 'COMPLETED'],
    );
    // Counted down after the record says COMPLETED, so a retry (which finds it so) still counts down.
    const context = await loadReleaseContext(ports.store, input.releaseId);
    // Promoted: the canary is gone, and so is its abort alarm.
    await removeAbortAlarm(ports, context, input.region, input.service);
    await ports.store.countDownDependents(input, context.dependents(input.region, input.service));
    await ports.events.publish([
      {
        detailType: 'Service Rollout Completed',
        releaseId: input.releaseId,
        detail: { region: input.region, service: input.service },
      },
    ]);
    return { releaseId: input.releaseId, region: input.region, service: input.service, status: 'COMPLETED' };
  },
});

const FailureInput = ServiceKey.extend({
  error: z
    .object({ Error: z.string(), Cause: z.string().optional() })
    .passthrough()
    .default({ Error: 'AnalysisFailedError', Cause: 'the analysis verdict was fail' }),
}).passthrough();

export const failServiceRollout = defineHandler({
  name: 'failServiceRollout',
  ports: ['store', 'clock', 'events'],
  input: FailureInput,
  async run(input, ports) {
    const now = ports.clock.now().toISOString();
    const reason = `${input.error.Error}: ${causeMessage(input.error.Cause)}`;
    const record = await ports.store.getServiceRollout(input.releaseId, input.region, input.service);
    if (record && record.status !== 'FAILED' && record.status !== 'ROLLED_BACK') {
      await ports.store.updateServiceRollout(
        input,
        { status: 'FAILED', endedAt: now, reason },
        auditEntry('service.failed', {
          releaseId: input.releaseId,
          key: auditKey(input, 'failed'),
          at: now,
          actor: 'switchyard',
          region: input.region,
          service: input.service,
          detail: { error: input.error.Error, reason },
        }),
      );
      await ports.events.publish([
        {
          detailType: 'Service Rollout Failed',
          releaseId: input.releaseId,
          detail: { region: input.region, service: input.service, reason },
        },
      ]);
    }
    return { error: input.error.Error, cause: reason };
  },
});
