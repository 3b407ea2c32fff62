/**
 * Route53Dns against moto's Route 53: each test makes a hosted zone of its own with weighted
 * records, and the adapter reads and moves their weights.
 *
 * What moto does not emulate, left to route53-dns.test.ts (aws-sdk-client-mock): a change that
 * is still PENDING (moto answers INSYNC at once, even for a change id it never issued, so
 * NoSuchChange cannot be seen either), PriorRequestNotComplete and throttling, paging with
 * NextRecordIdentifier (moto never returns it and ignores StartRecordIdentifier: a page can only
 * continue where a new record type starts), alias records as Route 53 lists them (moto adds
 * `TTL: 0`, which Route 53 never shows on an alias) and wildcard names as Route 53 escapes them
 * (`\052`; moto returns `*`).
 */
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PagingStalledError } from '../../../lambdas/adapters/aws/paging';
import { Route53Dns } from '../../../lambdas/adapters/aws/route53-dns';
import { normalizeName } from '../../../lambdas/core/dns-names';
import { InvalidInputError, NotFoundError } from '../../../lambdas/core/errors';
import type { DnsRecord } from '../../../lambdas/ports/index';
import { motoClient, uniqueName } from '../../support/moto';
import { expectRejection } from '../../support/rejection';

let route53: Route53Client;
beforeAll(() => {
  route53 = motoClient(Route53Client);
});
afterAll(() => {
  route53?.destroy();
});

interface Zone {
  id: string;
  /** The zone's name, without the final dot: `shop-1a2b3c4d.example.test`. */
  name: string;
}

async function createZone(): Promise<Zone> {
  const name = `${uniqueName('shop')}.example.test`;
  const { HostedZone } = await route53.send(
    new CreateHostedZoneCommand({ Name: name, CallerReference: name }),
  );
  return { id: HostedZone!.Id!, name };
}

const VALUES: Partial<Record<RRType, string>> = {
  A: '192.0.2.10',
  AAAA: '2001:db8::10',
  MX: '10 mail.example.test',
  TXT: '"owner=platform"',
};

function weighted(
  name: string,
  setIdentifier: string,
  weight: number,
  type: RRType = 'A',
): ResourceRecordSet {
  return {
    Name: name,
    Type: type,
    SetIdentifier: setIdentifier,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: VALUES[type]! }],
  };
}

async function create(zone: Zone, records: ResourceRecordSet[]): Promise<void> {
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone.id,
      ChangeBatch: { Changes: records.map((record) => ({ Action: 'CREATE', ResourceRecordSet: record })) },
    }),
  );
}

/** Every record set at `name`, as moto holds them (one page is enough for these tests). */
async function recordsAt(zone: Zone, name: string): Promise<ResourceRecordSet[]> {
  const { ResourceRecordSets } = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zone.id, StartRecordName: name, MaxItems: 300 }),
  );
  return (ResourceRecordSets ?? []).filter((record) => normalizeName(record.Name!) === normalizeName(name));
}

const dns = () => new Route53Dns(route53);

describe('getWeights', () => {
  it('reads the weight of each set identifier, whatever case or final dot the plan writes', async () => {
    const zone = await createZone();
    const api = `api.${zone.name}`;
    await create(zone, [
      weighted(api, 'us-east-1', 200),
      weighted(api, 'eu-west-1', 55),
      // Beside them: an unweighted record of the same name, and the weighted records of the next name.
      { Name: api, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"owner=platform"' }] },
      weighted(`app.${zone.name}`, 'us-east-1', 10),
    ]);

    expect(await dns().getWeights({ hostedZoneId: zone.id, recordName: api.toUpperCase() })).toEqual({
      'us-east-1': 200,
      'eu-west-1': 55,
    });
    expect(await dns().getWeights({ hostedZoneId: zone.id, recordName: `${api}.` })).toEqual({
      'us-east-1': 200,
      'eu-west-1': 55,
    });
  });

  it('reads a dual-stack name (weighted A and AAAA with the same set identifiers) as one set of weights', async () => {
    const zone = await createZone();
    const api = `api.${zone.name}`;
    await create(zone, [
      weighted(api, 'us-east-1', 100),
      weighted(api, 'eu-west-1', 20),
      weighted(api, 'us-east-1', 100, 'AAAA'),
      weighted(api, 'eu-west-1', 20, 'AAAA'),
    ]);

    expect(await dns().getWeights({ hostedZoneId: zone.id, recordName: api })).toEqual({
      'us-east-1': 100,
      'eu-west-1': 20,
    });
  });

  it('reads weights across pages of ListResourceRecordSets (400 records under one name)', async () => {
    // 100 set identifiers on each of four record types (Route 53 allows 100 weighted records of one
    // name and type). The 300-record page ends where TXT begins, the one place moto can continue
    // a page from (it ignores StartRecordIdentifier).
    const zone = await createZone();
    const api = `api.${zone.name}`;
    const types: RRType[] = ['A', 'AAAA', 'MX', 'TXT'];
    const ids = Array.from({ length: 100 }, (_, index) => `cell-${index}`);
    await create(
      zone,
      types.flatMap((type) => ids.map((id, index) => weighted(api, id, index, type))),
    );
    const record = { hostedZoneId: zone.id, recordName: api };

    const weights = await dns().getWeights(record);
    expect(Object.keys(weights)).toHaveLength(100);
    expect(weights['cell-99']).toBe(99);

    await dns().setWeights(record, { 'cell-99': 255 });
    expect((await dns().getWeights(record))['cell-99']).toBe(255);
  });

  it('says so when the name has no weighted records, or the zone does not exist', async () => {
    const zone = await createZone();
    await create(zone, [
      { Name: `plain.${zone.name}`, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] },
    ]);

    await expectRejection(
      dns().getWeights({ hostedZoneId: zone.id, recordName: `plain.${zone.name}` }),
      NotFoundError,
      `record plain.${zone.name}. in hosted zone ${zone.id} has no weighted records`,
    );
    await expectRejection(
      dns().getWeights({ hostedZoneId: '/hostedzone/ZNOSUCHZONE0000', recordName: `api.${zone.name}` }),
      NotFoundError,
      'hosted zone /hostedzone/ZNOSUCHZONE0000 not found',
    );
  });

  it('stops with PagingStalledError when one name and type holds more records than a page', async () => {
    // 301 weighted A records at one name (moto has no 100-record quota): more than a 300-record
    // page. moto's next page starts at the first A record again, since it never returns
    // NextRecordIdentifier. A reader that does not check that a page moved on asks for the same
    // page forever; the guard on the client ends that loop when the test gives up.
    const zone = await createZone();
    const many = `many.${zone.name}`;
    await create(
      zone,
      Array.from({ length: 301 }, (_, index) => weighted(many, `id-${index}`, 1)),
    );
    const guarded = pagingGuard();
    try {
      const outcome = await settledWithin(
        new Route53Dns(guarded.client).getWeights({ hostedZoneId: zone.id, recordName: many }),
        PAGING_DEADLINE_MS,
      );
      expect(
        outcome,
        `getWeights was still paging after ${PAGING_DEADLINE_MS} ms, having sent ${guarded.requests.length} ` +
          `ListResourceRecordSets requests, ${guarded.distinctStarts()} distinct start(s): ` +
          guarded.describeStarts(),
      ).not.toBe('timed out');
      // The listing does not advance, so the adapter says so instead of answering with part of it.
      expect(outcome).toMatchObject({ status: 'rejected', reason: expect.any(PagingStalledError) });
      expect(guarded.requests.length).toBeLessThanOrEqual(3);
    } finally {
      await guarded.stop();
    }
  });
});

describe('setWeights', () => {
  it('changes only the weights given, keeps the rest of each record, and returns a change that is in sync', async () => {
    const zone = await createZone();
    const api = `api.${zone.name}`;
    const east = weighted(`${api}.`, 'us-east-1', 200);
    const europe = {
      ...weighted(`${api}.`, 'eu-west-1', 0),
      TTL: 120,
      ResourceRecords: [{ Value: '192.0.2.20' }],
    };
    const west = weighted(`${api}.`, 'us-west-2', 55);
    await create(zone, [east, europe, west]);
    const record: DnsRecord = { hostedZoneId: zone.id, recordName: api };

    const { changeId } = await dns().setWeights(record, { 'us-east-1': 100, 'eu-west-1': 100 });

    // moto answers INSYNC at once: waiting on a PENDING change is in route53-dns.test.ts.
    expect(await dns().isInSync(changeId)).toBe(true);
    expect(await dns().getWeights(record)).toEqual({ 'us-east-1': 100, 'eu-west-1': 100, 'us-west-2': 55 });
    const stored = await recordsAt(zone, api);
    expect(stored).toEqual(
      expect.arrayContaining([{ ...east, Weight: 100 }, { ...europe, Weight: 100 }, west]),
    );
    expect(stored).toHaveLength(3);
  });

  it('returns the longest TTL of the records it changed: how long resolvers may still answer the old weights', async () => {
    const zone = await createZone();
    const api = `api.${zone.name}`;
    await create(zone, [
      weighted(api, 'us-east-1', 100),
      { ...weighted(api, 'eu-west-1', 100), TTL: 300 },
      { ...weighted(api, 'us-west-2', 100), TTL: 30 },
    ]);
    const record = { hostedZoneId: zone.id, recordName: api };

    expect((await dns().setWeights(record, { 'us-east-1': 0, 'us-west-2': 150 })).ttlSeconds).toBe(60);
    expect((await dns().setWeights(record, { 'us-east-1': 50, 'eu-west-1': 50 })).ttlSeconds).toBe(300);
  });

  it('writes a set identifier on every record type of a dual-stack name', async () => {
    const zone = await createZone();
    const api = `api.${zone.name}`;
    await create(zone, [
      weighted(api, 'us-east-1', 100),
      weighted(api, 'eu-west-1', 0),
      weighted(api, 'us-east-1', 100, 'AAAA'),
      weighted(api, 'eu-west-1', 0, 'AAAA'),
    ]);

    await dns().setWeights({ hostedZoneId: zone.id, recordName: api }, { 'eu-west-1': 30 });

    const europe = (await recordsAt(zone, api)).filter((stored) => stored.SetIdentifier === 'eu-west-1');
    expect(europe.map((stored) => [stored.Type, stored.Weight]).sort()).toEqual([
      ['A', 30],
      ['AAAA', 30],
    ]);
  });

  it('drains one region while another keeps weight, but never sets every record to 0', async () => {
    const zone = await createZone();
    const api = `api.${zone.name}`;
    await create(zone, [weighted(api, 'us-east-1', 100), weighted(api, 'eu-west-1', 100)]);
    const record = { hostedZoneId: zone.id, recordName: api };

    await dns().setWeights(record, { 'eu-west-1': 0 });
    expect(await dns().getWeights(record)).toEqual({ 'us-east-1': 100, 'eu-west-1': 0 });

    // All at 0, Route 53 splits evenly: the opposite of draining.
    await expectRejection(
      dns().setWeights(record, { 'us-east-1': 0 }),
      InvalidInputError,
      'every weighted record to 0',
    );
    expect(await dns().getWeights(record)).toEqual({ 'us-east-1': 100, 'eu-west-1': 0 });
  });

  it('refuses a set identifier the name does not have, naming the ones it has, and changes nothing', async () => {
    const zone = await createZone();
    const api = `api.${zone.name}`;
    await create(zone, [weighted(api, 'us-east-1', 100), weighted(api, 'eu-west-1', 50)]);
    const record = { hostedZoneId: zone.id, recordName: api };

    await expectRejection(
      dns().setWeights(record, { 'us-east-1': 10, 'ap-south-1': 90 }),
      InvalidInputError,
      `has no weighted record with set identifier "ap-south-1" (it has "us-east-1", "eu-west-1")`,
    );
    expect(await dns().getWeights(record)).toEqual({ 'us-east-1': 100, 'eu-west-1': 50 });
  });
});

// ── the paging guard ─────────────────────────────────────────────────────────

const PAGING_DEADLINE_MS = 3_000;

type Outcome<T> = PromiseSettledResult<T> | 'timed out';

/** How `promise` settled within `ms`, or 'timed out'. */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value): Outcome<T> => ({ status: 'fulfilled', value }),
        (reason: unknown): Outcome<T> => ({ status: 'rejected', reason }),
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A Route 53 client for moto that records where each ListResourceRecordSets request starts, and
 * that `stop()` turns into one that fails every request: a paging loop that never ends on its own
 * ends at its next request instead of running on after the test.
 */
function pagingGuard() {
  const client = motoClient(Route53Client);
  const requests: string[] = [];
  let stopped = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (stopped) throw new Error('the test has ended: no more requests');
      if (context.commandName === 'ListResourceRecordSetsCommand') {
        const input = args.input as {
          StartRecordName?: string;
          StartRecordType?: string;
          StartRecordIdentifier?: string;
        };
        requests.push(
          `(${input.StartRecordName}, ${input.StartRecordType ?? 'no type'}, ${input.StartRecordIdentifier ?? 'no identifier'})`,
        );
      }
      return next(args);
    },
    { step: 'initialize', name: 'pagingGuard' },
  );
  return {
    client,
    requests,
    distinctStarts: () => new Set(requests).size,
    describeStarts: () => [...new Set(requests)].join(', '),
    stop: async () => {
      stopped = true;
      // Any request under way finishes before the client goes.
      await new Promise((resolve) => setTimeout(resolve, 100));
      client.destroy();
    },
  };
}
