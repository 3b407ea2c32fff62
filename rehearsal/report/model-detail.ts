/** Reading audit entry details, which are untyped records: each reader keeps only its kind. */
import type { ReportInput } from './input';

export type AuditEntry = ReportInput['audit'][number];

export const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
export const number = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
export const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
export const detailOf = (entry: Pick<AuditEntry, 'detail'>): Record<string, unknown> => entry.detail ?? {};
