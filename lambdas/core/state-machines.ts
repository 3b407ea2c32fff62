/** The state machines and their files in statemachines/: read by the stack and by the rehearsal. */
import type { MachineName } from '../ports';

export const MACHINE_FILES: { readonly [Machine in MachineName]: string } = {
  release: 'release.asl.json',
  regionRollout: 'region-rollout.asl.json',
  serviceLane: 'service-lane.asl.json',
  serviceRollout: 'service-rollout.asl.json',
  rollback: 'rollback.asl.json',
  failover: 'failover.asl.json',
};
