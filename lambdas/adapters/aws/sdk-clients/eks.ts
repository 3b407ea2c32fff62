/** EKSClients, one per region (see ../clients.ts for why one module per service). */
import { EKSClient } from '@aws-sdk/client-eks';
import { perRegion } from '../per-region';

export const eksClientFor = /* @__PURE__ */ perRegion((region) => new EKSClient({ region }));
