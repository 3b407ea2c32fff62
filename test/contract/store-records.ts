/** Records to store in the Store contract's cases, unique where they must be. */
import { randomUUID } from 'node:crypto';
import type {
  DeploymentSnapshot,
  NewAuditEntry,
  ReleaseRecord,
  ServiceRolloutRecord,
} from '../../lambdas/ports';

export const uniqueId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export function releaseRecord(overrides: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    releaseId: uniqueId('rel'),
    status: 'PENDING',
    planHash: 'sha256:aaaa',
    createdAt: '2030-05-01T10:00:00.000Z',
    updatedAt: '2030-05-01T10:00:00.000Z',
    submittedBy: 'alice',
    kind: 'release',
    ...overrides,
  };
}

export function rolloutRecord(
  releaseId: string,
  region: string,
  service: string,
  overrides: Partial<ServiceRolloutRecord> = {},
): ServiceRolloutRecord {
  return {
    releaseId,
    region,
    service,
    status: 'PENDING',
    stepIndex: 0,
    stepCount: 5,
    weights: { stable: 100, canary: 0 },
    checksPassed: 0,
    checksFailed: 0,
    consecutiveFailures: 0,
    updatedAt: '2030-05-01T10:00:00.000Z',
    ...overrides,
  };
}

export function auditEntry(releaseId: string, overrides: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return {
    releaseId,
    key: uniqueId('key'),
    at: '2030-05-01T10:00:00.000Z',
    action: 'step.completed',
    actor: 'test',
    ...overrides,
  };
}

export function deploymentSnapshot(region: string, deployment: string, image: string): DeploymentSnapshot {
  return {
    target: { region, cluster: `prod-${region}`, namespace: 'shop', deployment },
    existed: true,
    replicas: 4,
    images: { [deployment]: image },
    template: { spec: { containers: [{ name: deployment, image }] } },
    canary: { existed: false, replicas: 0 },
  };
}
