/**
 * Rollback order: within a region, dependents are restored before what they depend on (the
 * reverse of rollout order), after traffic has gone back to stable for every touched service.
 */
import { topologicalOrder } from './graph';

export function rollbackOrder(
  touched: readonly string[],
  dependsOn: (service: string) => readonly string[],
): string[] {
  const included = new Set(touched);
  const dependencies = new Map(
    touched.map((service) => [service, dependsOn(service).filter((dep) => included.has(dep))]),
  );
  return topologicalOrder(dependencies).reverse();
}

/** Stages of services that can be restored together: each after all its dependents. */
export function rollbackStages(
  touched: readonly string[],
  dependsOn: (service: string) => readonly string[],
): string[][] {
  const included = new Set(touched);
  const dependents = new Map<string, string[]>(touched.map((service) => [service, []]));
  for (const service of touched)
    for (const dep of dependsOn(service)) if (included.has(dep)) dependents.get(dep)!.push(service);
  const depth = new Map<string, number>();
  for (const service of rollbackOrder(touched, dependsOn)) {
    const after = dependents.get(service)!.map((dependent) => depth.get(dependent)! + 1);
    depth.set(service, Math.max(0, ...after));
  }
  const stages: string[][] = [];
  for (const service of rollbackOrder(touched, dependsOn)) {
    const stage = depth.get(service)!;
    stages[stage] = [...(stages[stage] ?? []), service];
  }
  return stages;
}
