/** CloudWatchClients, one per region (see ../clients.ts for why one module per service). */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { perRegion } from '../per-region';

export const cloudWatchClientFor = /* @__PURE__ */ perRegion((region) => new CloudWatchClient({ region }));
