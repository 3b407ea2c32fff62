/**
 * SDK clients, one per service and region, created on first use and kept for the life of the
 * Lambda execution environment so warm invocations reuse their connections and credentials.
 * Adapters never create clients: the composition root passes these factories (or, in tests,
 * clients under aws-sdk-client-mock) to their constructors.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SFNClient } from '@aws-sdk/client-sfn';

/** Route 53 is a global service whose API lives in us-east-1 (aws partition). */
export const ROUTE53_REGION = 'us-east-1';

export type ClientForRegion<C> = (region: string) => C;

/** Memoises `create` per region. */
export function perRegion<C>(create: (region: string) => C): ClientForRegion<C> {
  const clients = new Map<string, C>();
  return (region) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = create(region);
      clients.set(region, client);
    }
    return client;
  };
}

export const elbv2ClientFor = perRegion((region) => new ElasticLoadBalancingV2Client({ region }));
export const cloudWatchClientFor = perRegion((region) => new CloudWatchClient({ region }));
export const lambdaClientFor = perRegion((region) => new LambdaClient({ region }));
export const sfnClientFor = perRegion((region) => new SFNClient({ region }));
export const eventBridgeClientFor = perRegion((region) => new EventBridgeClient({ region }));

const route53ClientForRegion = perRegion((region) => new Route53Client({ region }));
export function route53Client(): Route53Client {
  return route53ClientForRegion(ROUTE53_REGION);
}
