/**
 * The service-rollout state machine's tasks, one module per phase under service-rollout/. Its
 * payload is a small step state (core/step-state.ts): which release, region and service, the
 * current step index and that step's description; the plan itself stays in the store. Every
 * task is safe to run twice with the same input. The stack deploys each handler from here.
 */

export { runAnalysis } from './service-rollout/analysis';
export { requestApproval } from './service-rollout/approval';
export { advanceStep, completeServiceRollout, failServiceRollout } from './service-rollout/completion';
export {
  checkReadinessGate,
  prepareCanary,
  recreateWorkload,
  startServiceRollout,
  verifyRollout,
} from './service-rollout/prepare';
export { promoteCanary, shiftTraffic } from './service-rollout/traffic';
