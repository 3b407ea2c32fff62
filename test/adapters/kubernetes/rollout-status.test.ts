import { describe, expect, it } from 'vitest';
import {
  type DeploymentStatusInput,
  judgeDeploymentRollout,
} from '../../../lambdas/adapters/kubernetes/rollout-status';

function deployment(
  spec: { replicas?: number },
  status: NonNullable<DeploymentStatusInput['status']>,
  generation = 2,
): DeploymentStatusInput {
  return { metadata: { name: 'web', generation }, spec, status };
}

const progressingCondition = (reason: string) => ({ type: 'Progressing', status: 'True', reason });

describe('judgeDeploymentRollout (kubectl rollout status)', () => {
  it.each<[string, DeploymentStatusInput, 'complete' | 'progressing' | 'failed', string]>([
    [
      'a spec change the controller has not observed yet',
      deployment(
        { replicas: 3 },
        { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 },
      ),
      'progressing',
      'Waiting for deployment spec update to be observed...',
    ],
    [
      'a newly created Deployment with no status at all',
      deployment({ replicas: 2 }, {}, 1),
      'progressing',
      'Waiting for deployment spec update to be observed...',
    ],
    [
      'an unobserved generation wins over a timed-out Progressing condition',
      deployment(
        { replicas: 3 },
        { observedGeneration: 1, conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }] },
      ),
      'progressing',
      'Waiting for deployment spec update to be observed...',
    ],
    [
      'a Progressing condition with reason ProgressDeadlineExceeded',
      deployment(
        { replicas: 3 },
        {
          observedGeneration: 2,
          replicas: 4,
          updatedReplicas: 2,
          availableReplicas: 2,
          conditions: [
            { type: 'Available', reason: 'MinimumReplicasAvailable' },
            { type: 'Progressing', reason: 'ProgressDeadlineExceeded' },
          ],
        },
      ),
      'failed',
      'deployment "web" exceeded its progress deadline',
    ],
    [
      'fewer updated replicas than desired',
      deployment(
        { replicas: 3 },
        {
          observedGeneration: 2,
          replicas: 4,
          updatedReplicas: 1,
          availableReplicas: 3,
          conditions: [progressingCondition('ReplicaSetUpdated')],
        },
      ),
      'progressing',
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
    ],
    [
      'no updated replicas yet (the count is absent, as the API omits zeros)',
      deployment({ replicas: 3 }, { observedGeneration: 2, replicas: 3, availableReplicas: 3 }),
      'progressing',
      'Waiting for deployment "web" rollout to finish: 0 out of 3 new replicas have been updated...',
    ],
    [
      'old replicas still terminating',
      deployment(
        { replicas: 3 },
        { observedGeneration: 2, replicas: 5, updatedReplicas: 3, availableReplicas: 5 },
      ),
      'progressing',
      'Waiting for deployment "web" rollout to finish: 2 old replicas are pending termination...',
    ],
    [
      'updated replicas not all available',
      deployment(
        { replicas: 3 },
        { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 1 },
      ),
      'progressing',
      'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...',
    ],
    [
      'everything updated and available',
      deployment(
        { replicas: 3 },
        {
          observedGeneration: 2,
          replicas: 3,
          updatedReplicas: 3,
          readyReplicas: 3,
          availableReplicas: 3,
          conditions: [progressingCondition('NewReplicaSetAvailable')],
        },
      ),
      'complete',
      'deployment "web" successfully rolled out',
    ],
    [
      'a Deployment scaled to zero (every count omitted)',
      deployment({ replicas: 0 }, { observedGeneration: 2 }),
      'complete',
      'deployment "web" successfully rolled out',
    ],
    [
      'an observed generation ahead of the object (kubectl compares with <=)',
      deployment(
        { replicas: 1 },
        { observedGeneration: 3, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
      ),
      'complete',
      'deployment "web" successfully rolled out',
    ],
    [
      'no spec.replicas: kubectl skips the desired-count check',
      deployment({}, { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }),
      'complete',
      'deployment "web" successfully rolled out',
    ],
  ])('%s', (_case, input, state, message) => {
    const judged = judgeDeploymentRollout(input);
    expect(judged.state).toBe(state);
    expect(judged.message).toBe(message);
  });

  it('reports the counts it judged from', () => {
    expect(
      judgeDeploymentRollout(
        deployment(
          { replicas: 4 },
          { observedGeneration: 2, replicas: 5, updatedReplicas: 2, readyReplicas: 4, availableReplicas: 3 },
        ),
      ),
    ).toEqual({
      state: 'progressing',
      message: 'Waiting for deployment "web" rollout to finish: 2 out of 4 new replicas have been updated...',
      desired: 4,
      updated: 2,
      ready: 4,
      available: 3,
    });
  });

  it('counts an absent spec.replicas as the API default of 1', () => {
    expect(judgeDeploymentRollout(deployment({}, { observedGeneration: 2 })).desired).toBe(1);
  });
});
