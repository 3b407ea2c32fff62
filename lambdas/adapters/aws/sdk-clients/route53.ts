/** The Route 53 client (see ../clients.ts for why one module per service). */
import { Route53Client } from '@aws-sdk/client-route-53';
import { perRegion } from '../per-region';

/** Route 53 is a global service whose API lives in us-east-1 (aws partition). */
export const ROUTE53_REGION = 'us-east-1';

const route53ClientForRegion = /* @__PURE__ */ perRegion((region) => new Route53Client({ region }));
export function route53Client(): Route53Client {
  return route53ClientForRegion(ROUTE53_REGION);
}
