import { describe, expect, it } from 'vitest';
import { renderView } from '../../bin/cli/api-commands';
import type { FailoverView } from '../../lambdas/api/release-view';

const view: FailoverView = {
  kind: 'failover',
  releaseId: 'failover-us-west-2-20261201T101500Z',
  direction: 'failover',
  region: 'us-west-2',
  status: 'SUCCEEDED',
  createdAt: '2026-12-01T10:15:00.000Z',
  updatedAt: '2026-12-01T10:19:00.000Z',
  submittedBy: 'arn:aws:iam::111122223333:user/alice',
  planReleaseId: 'platform-2026-11-22',
  execution: {
    executionArn: 'arn:aws:states:us-east-1:111122223333:execution:failover:failover-us-west-2',
    consoleUrl: null,
  },
  weightsBefore: { 'us-east-1': 100, 'us-west-2': 100 },
  weightsAfter: { 'us-east-1': 200, 'us-west-2': 0 },
  replicas: [
    { region: 'us-east-1', service: 'auth', before: 6, after: 12 },
    { region: 'us-east-1', service: 'api-gateway', before: 6, after: 12 },
  ],
  audit: { entries: [], lastSeq: 0 },
};

describe('switchyard status of a failover', () => {
  it('names who asked for it and lists every replica change', () => {
    const text = renderView(view, [], view.releaseId);
    expect(text).toContain('requested 2026-12-01T10:15:00.000Z by arn:aws:iam::111122223333:user/alice');
    expect(text).toMatch(/auth\s+6 → 12/);
    expect(text).toMatch(/api-gateway\s+6 → 12/);
    // postgres and redis (recreate: single writers) are not in the record, so not listed.
    expect(text).not.toContain('postgres');
  });

  it('says so when no replica changed', () => {
    expect(renderView({ ...view, replicas: [] }, [], view.releaseId)).toContain('replicas   unchanged');
  });
});
