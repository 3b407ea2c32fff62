/** A warm container keeps the contexts of its most recent releases only; the plan is read again for an older one. */
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { CACHED_RELEASE_CONTEXTS, loadReleaseContext } from '../../lambdas/app/release-context';
import { InMemoryStore, ManualClock } from '../support/fakes';

const PLAN = parse(`
metadata: { releaseId: cache-test }
defaults: { strategy: { type: canary, steps: [{ setWeight: 100 }] } }
regions:
  - { name: eu-west-1, cluster: shop-euw1, wave: 1 }
services:
  - name: worker
    image: registry.example.com/shop/worker:1.0.0
`);

describe('loadReleaseContext', () => {
  it('reads each release plan once while it is among the most recent, again once it was dropped', async () => {
    const store = new InMemoryStore(new ManualClock());
    const read = vi.spyOn(store, 'getPlanDocument').mockResolvedValue(PLAN);
    const ids = Array.from({ length: CACHED_RELEASE_CONTEXTS + 1 }, (_, index) => `rel-${index}`);

    for (const id of ids) await loadReleaseContext(store, id);
    await loadReleaseContext(store, ids.at(-1) as string);
    expect(read).toHaveBeenCalledTimes(ids.length);

    const context = await loadReleaseContext(store, 'rel-0'); // the oldest, dropped
    expect(read).toHaveBeenCalledTimes(ids.length + 1);
    expect(context.releaseId).toBe('rel-0');
  });
});
