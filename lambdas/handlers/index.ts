/** Every handler by name: the state machines' Task states name these (see statemachines/). */
import { onAlarm } from './alarm';
import type { AnyHandlerDefinition } from './define';
import {
  drainRegion,
  finishDrain,
  removeRegionWeight,
  restoreDrainedRegion,
  restoreRegionWeight,
  verifyDrainedRegion,
  verifyDrainScaled,
} from './drain';
import {
  beginFailover,
  checkDnsSync,
  failFailover,
  finishFailover,
  scaleRegions,
  shiftDnsWeights,
  verifyRegions,
} from './failover';
import { preflightPlan, preflightRelease, refuseAfterPreflight } from './preflight';
import {
  acquireReleaseLock,
  checkWaveHealth,
  claimNextService,
  finalizeRelease,
  prepareRegion,
  refuseRelease,
  validateRelease,
  waitForDependency,
  wakeLanes,
  watchAlarms,
} from './release';
import { sweepReleaseQueue } from './release-queue';
import {
  beginRollback,
  finishRollback,
  restoreWorkloads,
  returnTrafficToStable,
  verifyRestored,
} from './rollback';
import {
  advanceStep,
  checkReadinessGate,
  completeServiceRollout,
  failServiceRollout,
  prepareCanary,
  promoteCanary,
  recreateWorkload,
  requestApproval,
  runAnalysis,
  shiftTraffic,
  startServiceRollout,
  verifyRollout,
} from './service-rollout';
import { chooseReleaseRollback } from './start-rollback';

export const handlers = {
  validateRelease,
  acquireReleaseLock,
  preflightRelease,
  refuseAfterPreflight,
  preflightPlan,
  watchAlarms,
  checkWaveHealth,
  finalizeRelease,
  refuseRelease,
  sweepReleaseQueue,
  prepareRegion,
  claimNextService,
  waitForDependency,
  wakeLanes,
  drainRegion,
  verifyDrainScaled,
  removeRegionWeight,
  verifyDrainedRegion,
  restoreRegionWeight,
  finishDrain,
  restoreDrainedRegion,
  startServiceRollout,
  checkReadinessGate,
  prepareCanary,
  verifyRollout,
  shiftTraffic,
  runAnalysis,
  requestApproval,
  recreateWorkload,
  promoteCanary,
  advanceStep,
  completeServiceRollout,
  failServiceRollout,
  beginRollback,
  returnTrafficToStable,
  restoreWorkloads,
  verifyRestored,
  finishRollback,
  beginFailover,
  scaleRegions,
  verifyRegions,
  shiftDnsWeights,
  checkDnsSync,
  finishFailover,
  failFailover,
  chooseReleaseRollback,
  onAlarm,
} satisfies Record<string, AnyHandlerDefinition>;

export type HandlerName = keyof typeof handlers;
