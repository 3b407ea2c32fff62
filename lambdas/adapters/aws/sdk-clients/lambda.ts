/** LambdaClients, one per region (see ../clients.ts for why one module per service). */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { perRegion } from '../per-region';

export const lambdaClientFor = /* @__PURE__ */ perRegion((region) => new LambdaClient({ region }));
