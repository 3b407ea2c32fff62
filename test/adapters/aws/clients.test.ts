import { afterEach, describe, expect, it } from 'vitest';
import { decorateClientsWith } from '../../../lambdas/adapters/aws/client-hook';
import { perRegion } from '../../../lambdas/adapters/aws/clients';

interface FakeClient {
  region: string;
  serial: number;
}

function counting() {
  let serial = 0;
  return (region: string): FakeClient => ({ region, serial: ++serial });
}

describe('perRegion', () => {
  afterEach(() => decorateClientsWith((client) => client));

  it('reuses one client per region', () => {
    const clientFor = perRegion(counting());
    expect(clientFor('eu-west-1')).toBe(clientFor('eu-west-1'));
    expect(clientFor('us-east-1')).not.toBe(clientFor('eu-west-1'));
  });

  it('keeps only the most recently used regions, making a new client for one it dropped', () => {
    const clientFor = perRegion(counting(), 2);
    const first = clientFor('eu-west-1');
    clientFor('us-east-1');
    clientFor('eu-west-1'); // eu-west-1 is used again, so us-east-1 is the oldest
    clientFor('ap-south-1');
    expect(clientFor('eu-west-1')).toBe(first);
    expect(clientFor('us-east-1').serial).toBe(4);
  });

  it('hands out plain clients unless the composition root decorates them, then decorates each once', () => {
    expect(perRegion(counting())('eu-west-1')).toEqual({ region: 'eu-west-1', serial: 1 });
    const decorated: object[] = [];
    decorateClientsWith((client) => {
      decorated.push(client);
      return client;
    });
    const clientFor = perRegion(counting());
    const client = clientFor('eu-west-1');
    clientFor('eu-west-1');
    expect(decorated).toEqual([client]);
  });
});
