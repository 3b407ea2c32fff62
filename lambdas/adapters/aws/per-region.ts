/**
 * Memoisation of SDK clients per region, shared by the per-service factories in sdk-clients/.
 * Each new client passes through prepareClient, which the Lambda composition root sets to
 * Powertools Tracer's capture.
 */
import { LruMap } from '../../core/lru-map';
import { prepareClient } from './client-hook';

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
