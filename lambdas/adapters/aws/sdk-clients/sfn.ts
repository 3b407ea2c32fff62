/** SFNClients, one per region (see ../clients.ts for why one module per service). */
import { SFNClient } from '@aws-sdk/client-sfn';
import { perRegion } from '../per-region';

export const sfnClientFor = /* @__PURE__ */ perRegion((region) => new SFNClient({ region }));
