/**
 * A release's drains of its regions (`drain` on a region), read back from the audit: when the
 * region's Route 53 weight went to 0 and came back, in which steps, and whether a rollback gave
 * it back instead.
 */
import { type AuditEntry, detailOf } from './model-detail';
import type { Drain } from './model-types';

type Weights = Record<string, number>;

export function buildDrains(audit: readonly AuditEntry[]): Drain[] {
  const drains = new Map<string, Drain>();
  for (const entry of audit) {
    if (!entry.region) continue;
    const detail = detailOf(entry);
    if (entry.action === 'drain.planned') {
      drains.set(entry.region, {
        region: entry.region,
        plannedSeconds: entry.atSeconds,
        weightsBefore: (detail.weightsBefore as Weights | undefined) ?? {},
        weightsAfter: (detail.weightsAfter as Weights | undefined) ?? {},
        scaled: Number(detail.scaled ?? 0),
        restoreSteps: [],
        outcome: 'draining',
      });
      continue;
    }
    const drain = drains.get(entry.region);
    if (!drain) continue;
    switch (entry.action) {
      case 'drain.weight-removed':
        drain.weightRemovedSeconds = entry.atSeconds;
        if (typeof detail.ttlSeconds === 'number') drain.ttlSeconds = detail.ttlSeconds;
        break;
      case 'drain.weight-restored':
        drain.restoreSteps.push({ percent: Number(detail.percent), atSeconds: entry.atSeconds });
        break;
      case 'drain.completed':
        drain.outcome = 'restored';
        drain.endSeconds = entry.atSeconds;
        break;
      case 'rollback.drain-restored':
        drain.outcome = 'given back by the rollback';
        drain.endSeconds = entry.atSeconds;
        break;
    }
  }
  return [...drains.values()].sort((a, b) => a.plannedSeconds - b.plannedSeconds);
}
