import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  InvalidChangeBatch,
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
  PriorRequestNotComplete,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PagingStalledError } from '../../../lambdas/adapters/aws/paging';
import {
  DNS_CHANGE_ACTIONS,
  DNS_IAM_ACTIONS,
  DNS_READER_IAM_ACTIONS,
  Route53Dns,
} from '../../../lambdas/adapters/aws/route53-dns';
import { ALIAS_TARGET_TTL_SECONDS, normalizeName } from '../../../lambdas/core/dns-names';
import {
  InvalidInputError,
  NotFoundError,
  TrafficEditedError,
  TransientAwsError,
} from '../../../lambdas/core/errors';

const route53 = mockClient(Route53Client);
const client = new Route53Client({ region: 'us-east-1' });
const ZONE = 'Z0123456789ABCDEFGHIJ';
const record = { hostedZoneId: ZONE, recordName: 'API.example.com' };

const east: ResourceRecordSet = {
  Name: 'api.example.com.',
  Type: 'A',
  SetIdentifier: 'us-east-1',
  Weight: 200,
  AliasTarget: {
    HostedZoneId: 'Z35SXDOTRQ7X7K',
    DNSName: 'shop-east-123.us-east-1.elb.amazonaws.com.',
    EvaluateTargetHealth: true,
  },
};
const west: ResourceRecordSet = {
  Name: 'api.example.com.',
  Type: 'A',
  SetIdentifier: 'us-west-2',
  Weight: 55,
  AliasTarget: {
    HostedZoneId: 'Z1H1FL5HABSF5',
    DNSName: 'shop-west-456.us-west-2.elb.amazonaws.com.',
    EvaluateTargetHealth: true,
  },
};
const europe: ResourceRecordSet = {
  Name: 'api.example.com.',
  Type: 'A',
  SetIdentifier: 'eu-west-1',
  Weight: 0,
  TTL: 60,
  ResourceRecords: [{ Value: '192.0.2.10' }],
  HealthCheckId: 'b5a2c0de-1111-2222-3333-444455556666',
};
const unweightedTxt: ResourceRecordSet = {
  Name: 'api.example.com.',
  Type: 'TXT',
  TTL: 300,
  ResourceRecords: [{ Value: '"owner=platform"' }],
};
const nextName: ResourceRecordSet = {
  Name: 'app.example.com.',
  Type: 'A',
  SetIdentifier: 'us-east-1',
  Weight: 10,
  TTL: 60,
  ResourceRecords: [{ Value: '192.0.2.20' }],
};

/** Serves `records` (already in Route 53's order) from StartRecordName on, `pageSize` at a time. */
function serveZone(records: ResourceRecordSet[], pageSize = 2) {
  route53.on(ListResourceRecordSetsCommand).callsFake((input) => {
    let start = records.findIndex((r) => normalizeName(r.Name!) >= normalizeName(input.StartRecordName));
    if (input.StartRecordIdentifier !== undefined) {
      start = records.findIndex(
        (r) =>
          normalizeName(r.Name!) === normalizeName(input.StartRecordName) &&
          r.Type === input.StartRecordType &&
          r.SetIdentifier === input.StartRecordIdentifier,
      );
    }
    const page = start < 0 ? [] : records.slice(start, start + pageSize);
    const next = start < 0 ? undefined : records[start + pageSize];
    return {
      ResourceRecordSets: structuredClone(page),
      IsTruncated: next !== undefined,
      MaxItems: input.MaxItems,
      ...(next && {
        NextRecordName: next.Name,
        NextRecordType: next.Type,
        NextRecordIdentifier: next.SetIdentifier,
      }),
    };
  });
}

beforeEach(() => {
  route53.reset();
  serveZone([east, unweightedTxt, west, europe, nextName]);
  route53.on(ChangeResourceRecordSetsCommand).resolves({
    ChangeInfo: { Id: '/change/C2682N5HXP0BZ4', Status: 'PENDING', SubmittedAt: new Date() },
  });
});

describe('Route53Dns.getWeights', () => {
  it('collects the weighted records of the name across pages, and stops before the next name', async () => {
    expect(await new Route53Dns(client).getWeights(record)).toEqual({
      'us-east-1': 200,
      'us-west-2': 55,
      'eu-west-1': 0,
    });
    const calls = route53.commandCalls(ListResourceRecordSetsCommand).map((call) => call.args[0].input);
    expect(calls[0]).toMatchObject({ HostedZoneId: ZONE, StartRecordName: 'API.example.com' });
    expect(calls[1]).toMatchObject({
      StartRecordName: 'api.example.com.',
      StartRecordType: 'A',
      StartRecordIdentifier: 'us-west-2',
    });
    // The second page says the next record is app.example.com: no third call.
    expect(calls).toHaveLength(2);
  });

  it('finds a wildcard name that Route 53 returns escaped', async () => {
    serveZone([{ ...east, Name: '\\052.example.com.' }]);
    expect(
      await new Route53Dns(client).getWeights({ hostedZoneId: ZONE, recordName: '*.example.com' }),
    ).toEqual({
      'us-east-1': 200,
    });
  });

  it('reads a dual-stack name (weighted A and AAAA) as one set of weights', async () => {
    serveZone([east, { ...east, Type: 'AAAA' }, west, { ...west, Type: 'AAAA' }]);
    expect(await new Route53Dns(client).getWeights(record)).toEqual({ 'us-east-1': 200, 'us-west-2': 55 });
  });

  it('says so when the name has no weighted records', async () => {
    const error = await new Route53Dns(client)
      .getWeights({ hostedZoneId: ZONE, recordName: 'nothing.example.com' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe(`record nothing.example.com. in hosted zone ${ZONE} has no weighted records`);
  });

  it('names a hosted zone that does not exist', async () => {
    route53
      .on(ListResourceRecordSetsCommand)
      .rejects(new NoSuchHostedZone({ message: 'No hosted zone', $metadata: {} }));
    const error = await new Route53Dns(client).getWeights(record).catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe(`hosted zone ${ZONE} not found`);
  });
});

describe('Route53Dns.setWeights', () => {
  it('sends one batch deleting each record exactly as read and creating it with its new weight', async () => {
    const { changeId } = await new Route53Dns(client).setWeights(record, {
      'us-east-1': 0,
      'eu-west-1': 255,
    });

    expect(changeId).toBe('/change/C2682N5HXP0BZ4');
    const changes = route53.commandCalls(ChangeResourceRecordSetsCommand);
    expect(changes).toHaveLength(1);
    const input = changes[0]!.args[0].input;
    expect(input.HostedZoneId).toBe(ZONE);
    expect(input.ChangeBatch?.Changes).toEqual([
      { Action: 'DELETE', ResourceRecordSet: east },
      { Action: 'DELETE', ResourceRecordSet: europe },
      { Action: 'CREATE', ResourceRecordSet: { ...east, Weight: 0 } },
      { Action: 'CREATE', ResourceRecordSet: { ...europe, Weight: 255 } },
    ]);
  });

  it("says how long resolvers may still serve the old weights: an alias to a load balancer's 60 s", async () => {
    // east and west are aliases (no TTL of their own); europe has TTL 60 of its own.
    const dns = new Route53Dns(client);
    expect((await dns.setWeights(record, { 'us-east-1': 0, 'us-west-2': 100 })).ttlSeconds).toBe(
      ALIAS_TARGET_TTL_SECONDS,
    );
    expect(ALIAS_TARGET_TTL_SECONDS).toBe(60);
  });

  it('reads again and redoes the change when the record changed since it was read', async () => {
    const editedEast = { ...east, TTL: 30 };
    route53
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({ ResourceRecordSets: [east, west], IsTruncated: false })
      .resolves({ ResourceRecordSets: [editedEast, west], IsTruncated: false });
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejectsOnce(
        new InvalidChangeBatch({
          $metadata: { httpStatusCode: 400 },
          message: `[Tried to delete resource record set [name='api.example.com.', type='A', set-identifier='us-east-1'] but the values provided do not match the current values]`,
        }),
      )
      .resolves({ ChangeInfo: { Id: '/change/C2', Status: 'PENDING', SubmittedAt: new Date() } });
    await expect(new Route53Dns(client).setWeights(record, { 'us-east-1': 7 })).resolves.toEqual({
      changeId: '/change/C2',
      ttlSeconds: 30,
    });
    const last = route53.commandCalls(ChangeResourceRecordSetsCommand).at(-1)!.args[0].input;
    expect(last.ChangeBatch?.Changes).toEqual([
      { Action: 'DELETE', ResourceRecordSet: editedEast },
      { Action: 'CREATE', ResourceRecordSet: { ...editedEast, Weight: 7 } },
    ]);
  });

  it('gives up with TrafficEditedError when the record keeps changing under it', async () => {
    route53.on(ChangeResourceRecordSetsCommand).rejects(
      new InvalidChangeBatch({
        $metadata: { httpStatusCode: 400 },
        message: `[Tried to delete resource record set [name='api.example.com.', type='A', set-identifier='us-east-1'] but it was not found]`,
      }),
    );
    const error = await new Route53Dns(client).setWeights(record, { 'us-east-1': 7 }).catch((e) => e);
    expect(error).toBeInstanceOf(TrafficEditedError);
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(3);
  });

  it('stops a listing that does not advance (an API that never returns NextRecordIdentifier)', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [east],
      IsTruncated: true,
      NextRecordName: 'api.example.com.',
      NextRecordType: 'A',
    });
    await expect(new Route53Dns(client).getWeights(record)).rejects.toThrow(PagingStalledError);
    expect(route53.commandCalls(ListResourceRecordSetsCommand).length).toBeLessThanOrEqual(3);
  });

  it('writes a set identifier on every record type of a dual-stack name', async () => {
    serveZone([east, { ...east, Type: 'AAAA' }, west, { ...west, Type: 'AAAA' }]);
    await new Route53Dns(client).setWeights(record, { 'us-east-1': 1 });
    const changes = route53.commandCalls(ChangeResourceRecordSetsCommand)[0]!.args[0].input.ChangeBatch
      ?.Changes;
    expect(
      changes?.map((change) => [change.ResourceRecordSet?.Type, change.ResourceRecordSet?.Weight]),
    ).toEqual([
      ['A', 200],
      ['AAAA', 200],
      ['A', 1],
      ['AAAA', 1],
    ]);
  });

  it('refuses a change that leaves every weighted record at 0 (Route 53 would split evenly)', async () => {
    const error = await new Route53Dns(client)
      .setWeights(record, { 'us-east-1': 0, 'us-west-2': 0 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('even split');
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  it('allows draining one region while another keeps weight', async () => {
    await expect(
      new Route53Dns(client).setWeights(record, { 'us-east-1': 0, 'us-west-2': 0, 'eu-west-1': 1 }),
    ).resolves.toEqual({
      changeId: '/change/C2682N5HXP0BZ4',
      ttlSeconds: 60,
    });
  });

  it.each([256, -1, 1.5, Number.NaN])(
    'refuses weight %s (Route 53 weights are whole numbers 0–255)',
    async (weight) => {
      const error = await new Route53Dns(client).setWeights(record, { 'us-east-1': weight }).catch((e) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toContain('0 to 255');
      expect(route53.calls()).toHaveLength(0);
    },
  );

  it('refuses a set identifier the record does not have, naming the ones it has', async () => {
    const error = await new Route53Dns(client).setWeights(record, { 'ap-south-1': 10 }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('"ap-south-1"');
    expect(error.message).toContain('"us-east-1", "us-west-2", "eu-west-1"');
    expect(route53.commandCalls(ChangeResourceRecordSetsCommand)).toHaveLength(0);
  });

  it('reports PriorRequestNotComplete as transient', async () => {
    route53.on(ChangeResourceRecordSetsCommand).rejects(
      new PriorRequestNotComplete({
        message: 'The request was rejected',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const error = await new Route53Dns(client).setWeights(record, { 'us-east-1': 10 }).catch((e) => e);
    expect(error).toBeInstanceOf(TransientAwsError);
    expect(error.awsErrorName).toBe('PriorRequestNotComplete');
  });
});

describe('Route53Dns.isInSync', () => {
  it('is true once the change is INSYNC', async () => {
    route53
      .on(GetChangeCommand, { Id: '/change/C2682N5HXP0BZ4' })
      .resolvesOnce({
        ChangeInfo: { Id: '/change/C2682N5HXP0BZ4', Status: 'PENDING', SubmittedAt: new Date() },
      })
      .resolves({ ChangeInfo: { Id: '/change/C2682N5HXP0BZ4', Status: 'INSYNC', SubmittedAt: new Date() } });
    const dns = new Route53Dns(client);
    expect(await dns.isInSync('/change/C2682N5HXP0BZ4')).toBe(false);
    expect(await dns.isInSync('/change/C2682N5HXP0BZ4')).toBe(true);
  });
});

describe('the IAM Route53Dns is granted', () => {
  it('covers what it calls: the reader only lists and follows changes, and changes go by DELETE and CREATE', async () => {
    route53
      .on(GetChangeCommand)
      .resolves({ ChangeInfo: { Id: '/change/C1', Status: 'INSYNC', SubmittedAt: new Date() } });
    const called = () =>
      new Set(
        route53.calls().map((call) => `route53:${call.args[0].constructor.name.replace(/Command$/, '')}`),
      );
    const dns = new Route53Dns(client);
    await dns.getWeights(record);
    await dns.isInSync('/change/C1');
    expect(called()).toEqual(new Set(DNS_READER_IAM_ACTIONS));

    await dns.setWeights(record, { 'us-east-1': 0, 'eu-west-1': 255 });
    expect(called()).toEqual(new Set(DNS_IAM_ACTIONS));
    const actions = route53
      .commandCalls(ChangeResourceRecordSetsCommand)
      .flatMap((call) => call.args[0].input.ChangeBatch?.Changes ?? [])
      .map((change) => change.Action);
    expect(new Set(actions)).toEqual(new Set(DNS_CHANGE_ACTIONS));
  });
});
