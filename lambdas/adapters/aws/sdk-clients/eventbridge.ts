/** EventBridgeClients, one per region (see ../clients.ts for why one module per service). */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { perRegion } from '../per-region';

export const eventBridgeClientFor = /* @__PURE__ */ perRegion((region) => new EventBridgeClient({ region }));
