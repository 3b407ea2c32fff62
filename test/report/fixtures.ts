/** The report fixtures: real `switchyard rehearse --json` results (see fixtures/README.md). */
import { readFileSync } from 'node:fs';
import type { ReportInput } from '../../rehearsal/report/input';

export function loadFixture(
  name: 'succeeded' | 'rolled-back' | 'region-failover' | 'region-outage',
): ReportInput {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'));
}

export function serviceRegions(result: ReportInput): Array<{ region: string; service: string }> {
  return Object.entries(result.regions).flatMap(([region, services]) =>
    Object.keys(services).map((service) => ({ region, service })),
  );
}
