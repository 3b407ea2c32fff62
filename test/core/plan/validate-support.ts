/** What the validate*.test.ts files share: documents with given services, expected messages, albIngress. */
import { type Document, validDocument } from './documents';

export function withServices(...services: Document[]): Document {
  return { ...validDocument(), services };
}

export const DURATION_MESSAGE = 'must be a duration such as 30s, 10m, 2h or 1h30m';
export const RELEASE_ID_MESSAGE =
  'must be 1 to 80 characters of letters, digits, "-" and "_" (it names the Step Functions execution)';

/** albIngress traffic through the Ingress `shop/edge`, action and Services of `api`. */
export function albIngress(overrides: Document = {}): Document {
  return {
    type: 'albIngress',
    ingress: 'edge',
    stableService: 'api',
    canaryService: 'api-canary',
    servicePort: 80,
    ...overrides,
  };
}
