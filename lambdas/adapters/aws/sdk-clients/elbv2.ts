/** ElasticLoadBalancingV2Clients, one per region (see ../clients.ts for why one module per service). */
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { perRegion } from '../per-region';

export const elbv2ClientFor = /* @__PURE__ */ perRegion(
  (region) => new ElasticLoadBalancingV2Client({ region }),
);
