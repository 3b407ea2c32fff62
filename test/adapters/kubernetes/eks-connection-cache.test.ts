/** The connector's cache is bounded: a warm container meeting many clusters keeps only the recent ones. */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createEksConnector } from '../../../lambdas/adapters/kubernetes/eks-connection';

const eks = mockClient(EKSClient);
afterEach(() => eks.reset());

describe('createEksConnector', () => {
  it('keeps the connections of its most recently used clusters only, and reconnects to one it dropped', async () => {
    eks.on(DescribeClusterCommand).callsFake(({ name }: { name: string }) => ({
      cluster: {
        name,
        status: 'ACTIVE',
        endpoint: `https://${name}.gr7.eu-west-1.eks.amazonaws.com`,
        certificateAuthority: { data: 'Q0E=' },
      },
    }));
    const client = new EKSClient({ region: 'eu-west-1' });
    const connect = createEksConnector({
      eksClientFor: () => client,
      credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
      clock: { now: () => new Date('2030-01-01T00:00:00Z') },
      cachedClusters: 2,
    });
    const at = (cluster: string) => ({ region: 'eu-west-1', cluster });
    const described = () => eks.commandCalls(DescribeClusterCommand).map((call) => call.args[0].input.name);

    await connect(at('one'));
    await connect(at('two'));
    await connect(at('one')); // cached, and now the most recent
    expect(described()).toEqual(['one', 'two']);

    await connect(at('three')); // drops two, the least recently used
    await connect(at('one'));
    expect(described()).toEqual(['one', 'two', 'three']);
    await connect(at('two'));
    expect(described()).toEqual(['one', 'two', 'three', 'two']);
  });
});
