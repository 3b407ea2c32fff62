import { describe, expect, it } from 'vitest';
import { RefusedError } from '../../lambdas/app/refusal';
import { startFailback } from '../../lambdas/app/start-failback';
import { startFailover } from '../../lambdas/app/start-failover';
import { NotFoundError } from '../../lambdas/core/errors';
import { fakePorts } from '../support/fakes';

describe('failover and failback', () => {
  it('a failover before any release is refused: there is no plan to know the fleet by', async () => {
    const ports = fakePorts();
    const refusal = await startFailover(ports, 'us-east-1', 'alice').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RefusedError);
    expect((refusal as Error).message).toContain('no release has been submitted yet');
    expect(ports.workflow.started).toEqual([]);
  });

  it('a failback with no failover recorded finds nothing to reverse', async () => {
    const ports = fakePorts();
    await expect(startFailback(ports, 'us-east-1', 'alice')).rejects.toThrow(NotFoundError);
    expect(ports.workflow.started).toEqual([]);
  });
});
