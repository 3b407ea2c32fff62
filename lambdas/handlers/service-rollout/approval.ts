/** Approval: an inconclusive analysis or an approval step parks its task token for a person. */
import * as z from 'zod';
import { auditEntry } from '../../core/audit';
import { defineHandler } from '../define';
import { auditKey, StepStateInput } from './shared';

const ApprovalInput = StepStateInput.extend({
  taskToken: z.string().min(1),
  reason: z.string().default('approval'),
});

/** Parks the task token; the approve API (or the rehearsal) resumes it. */
export const requestApproval = defineHandler({
  name: 'requestApproval',
  ports: ['store', 'clock', 'events'],
  input: ApprovalInput,
  async run(input, ports) {
    const name = `${input.region}/${input.service}/step-${input.stepIndex}`;
    await ports.store.putTaskToken({ releaseId: input.releaseId, kind: 'approval', name }, input.taskToken);
    await ports.store.appendAudit(
      auditEntry('approval.requested', {
        releaseId: input.releaseId,
        key: auditKey(input, `step-${input.stepIndex}/approval-requested`),
        at: ports.clock.now().toISOString(),
        actor: 'switchyard',
        region: input.region,
        service: input.service,
        detail: { reason: input.reason, approval: name },
      }),
    );
    // After the audit: what a person is told about is already on record. A retry of this task
    // may publish it again; EventBridge delivers at least once anyway.
    await ports.events.publish([
      {
        detailType: 'Approval Needed',
        releaseId: input.releaseId,
        detail: {
          approval: name,
          region: input.region,
          service: input.service,
          stepIndex: input.stepIndex,
          reason: input.reason,
        },
      },
    ]);
    return { approval: name };
  },
});
