/**
 * Counts the calls a rehearsal makes on the Store port, by method: the figure the fleet-scale
 * benchmark divides by service-regions and steps. With DynamoDB behind the port each call is
 * one or more round trips (the benchmark counts those separately, on DynamoDB Local).
 */
import type { Store } from '../lambdas/ports';

export interface StoreCalls {
  total: number;
  byMethod: Record<string, number>;
}

export function countedStore(store: Store): { store: Store; calls: () => StoreCalls } {
  const byMethod = new Map<string, number>();
  const counted = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const name = String(property);
      return (...args: unknown[]) => {
        byMethod.set(name, (byMethod.get(name) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return {
    store: counted,
    calls: () => {
      const sorted = [...byMethod].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return {
        total: sorted.reduce((sum, [, count]) => sum + count, 0),
        byMethod: Object.fromEntries(sorted),
      };
    },
  };
}
