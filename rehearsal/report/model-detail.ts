/** Reading audit entry details, which are untyped records: each reader keeps only its kind. */
import type { ReportInput } from './input';

export type AuditEntry = ReportInput['audit'][number];

export const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
export const number = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
export const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
export const detailOf = (entry: Pick<AuditEntry, 'detail'>): Record<string, unknown> => entry.detail ?? {};

/** The alarms Switchyard made itself (each canary's abort alarm), as the audit records them. */
export function switchyardAlarmNames(audit: readonly AuditEntry[]): ReadonlySet<string> {
  const names = new Set<string>();
  for (const entry of audit) {
    const name = text(detailOf(entry).alarmName);
    if (entry.action === 'abort-alarm.created' && name) names.add(name);
  }
  return names;
}

/** An alarm's name as the report shows it: an alarm Switchyard made says so. */
export function alarmLabel(name: string, madeBySwitchyard: ReadonlySet<string>): string {
  return madeBySwitchyard.has(name) ? `${name} (made by Switchyard)` : name;
}
