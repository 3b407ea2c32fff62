/**
 * SDK clients, one per service and region, created on first use and kept for the life of the
 * Lambda execution environment so warm invocations reuse their connections and credentials.
 * Adapters never create clients: the composition root passes these factories (or, in tests,
 * clients under aws-sdk-client-mock) to their constructors. Each new client passes through
 * prepareClient, which the Lambda composition root sets to Powertools Tracer's capture.
 *
 * Each factory is marked pure so that esbuild drops the ones a static import does not use, and
 * with them their SDK packages (eks-connection.ts imports eksClientFor alone; unmarked, each
 * top-level call is kept as a possible side effect and the bundle carries every client).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EKSClient } from '@aws-sdk/client-eks';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SFNClient } from '@aws-sdk/client-sfn';
import { LruMap } from '../../core/lru-map';
import { prepareClient } from './client-hook';

/** Route 53 is a global service whose API lives in us-east-1 (aws partition). */
export const ROUTE53_REGION = 'us-east-1';

export type ClientForRegion<C> = (region: string) => C;

/**
 * More regions than a release touches, and than most partitions have: the bound only stops a
 * container that meets many region names (every one a new client) from growing without end.
 */
export const CLIENTS_PER_SERVICE = 32;

/**
 * Memoises `create` per region, keeping the most recently used CLIENTS_PER_SERVICE. An evicted
 * client is dropped, not destroyed: a call still in flight on it must finish.
 */
export function perRegion<C extends object>(
  create: (region: string) => C,
  capacity = CLIENTS_PER_SERVICE,
): ClientForRegion<C> {
  const clients = new LruMap<string, C>(capacity);
  return (region) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = prepareClient(create(region));
      clients.set(region, client);
    }
    return client;
  };
}

export const elbv2ClientFor = /* @__PURE__ */ perRegion(
  (region) => new ElasticLoadBalancingV2Client({ region }),
);
export const cloudWatchClientFor = /* @__PURE__ */ perRegion((region) => new CloudWatchClient({ region }));
export const lambdaClientFor = /* @__PURE__ */ perRegion((region) => new LambdaClient({ region }));
export const sfnClientFor = /* @__PURE__ */ perRegion((region) => new SFNClient({ region }));
export const eventBridgeClientFor = /* @__PURE__ */ perRegion((region) => new EventBridgeClient({ region }));
export const eksClientFor = /* @__PURE__ */ perRegion((region) => new EKSClient({ region }));

const route53ClientForRegion = /* @__PURE__ */ perRegion((region) => new Route53Client({ region }));
export function route53Client(): Route53Client {
  return route53ClientForRegion(ROUTE53_REGION);
}
