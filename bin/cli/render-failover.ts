/** How the CLI shows what a failover or failback changes: `status`, `failover` and `rehearse` alike. */
import type { FailoverRecord } from '../../lambdas/core/failover';
import { table } from './render-preview';

export interface FailoverChanges {
  weightsBefore: Record<string, number>;
  weightsAfter: Record<string, number>;
  replicas: FailoverRecord['replicas'];
  unscaled?: FailoverRecord['unscaled'];
  /** When the weights and the replicas changed, where that is known (a rehearsal knows). */
  dnsChangedAt?: string;
  replicasChangedAt?: string;
}

/**
 * The DNS weights before → after, every replica change, and what it left alone and why (single
 * writers never move), so a person sees all of it. Lines are indented by `indent`.
 */
export function failoverChanges(changes: FailoverChanges, indent = '  '): string[] {
  const rows = (cells: string[][]) => table(cells).map((line) => `${indent}  ${line}`);
  const when = (at: string | undefined) => (at === undefined ? '' : ` (at ${at})`);
  return [
    `${indent}DNS weights ${formatWeights(changes.weightsBefore)} → ${formatWeights(changes.weightsAfter)}${when(changes.dnsChangedAt)}`,
    ...(changes.replicas.length === 0
      ? [`${indent}replicas   unchanged`]
      : [
          `${indent}replicas${when(changes.replicasChangedAt)}`,
          ...rows(
            changes.replicas.map((entry) => [
              entry.region,
              entry.service,
              `${entry.before} → ${entry.after}`,
            ]),
          ),
        ]),
    ...(changes.unscaled && changes.unscaled.length > 0
      ? [
          `${indent}left alone`,
          ...rows(changes.unscaled.map((entry) => [entry.region, entry.service, entry.reason])),
        ]
      : []),
  ];
}

export function formatWeights(weights: Record<string, number>): string {
  return Object.entries(weights)
    .map(([name, weight]) => `${name} ${weight}`)
    .join(', ');
}
