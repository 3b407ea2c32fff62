/**
 * Simulated Amazon EKS control plane, answering the SDK commands the inventory adapter sends
 * (DescribeCluster, ListAccessEntries, DescribeAccessEntry, ListAssociatedAccessPolicies), so the
 * rehearsal's preflight runs the real adapter (lambdas/adapters/aws/inventory.ts) against it.
 *
 * One cluster per region of the plan, ACTIVE, in authentication mode API_AND_CONFIG_MAP, with the
 * access entry the documented setup creates (README, "Give Switchyard access to each cluster"): the
 * cluster handlers' role, AmazonEKSEditPolicy scoped to the namespaces Switchyard acts in there
 * (the services' and their albIngress Ingresses'). A cluster a missingResource fault takes away
 * does not exist. Lists page as EKS pages them: maxResults 1–100 (100 by default), a nextToken
 * while there is more.
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_ListAccessEntries.html
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_ListAssociatedAccessPolicies.html
 */
import {
  type AccessEntry,
  type AssociatedAccessPolicy,
  type Cluster,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  type EKSClient,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
} from '@aws-sdk/client-eks';
import { createRandom, deriveSeed } from '../../random';
import type { FleetContext } from '../context';
import { SimulatedAwsError } from '../errors';
import { SIMULATED_ACCOUNT } from './elbv2';

const HANDLER_ROLE_NAME = 'switchyard-cluster-handlers';
/** The role the handlers that act on clusters run as, with an access entry on every cluster. */
export const SIMULATED_HANDLER_ROLE_ARN = `arn:aws:iam::${SIMULATED_ACCOUNT}:role/${HANDLER_ROLE_NAME}`;
const EDIT_POLICY_ARN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy';
const MAX_RESULTS = 100;

interface SimulatedCluster {
  description: Cluster;
  /** By principal ARN. */
  entries: Map<string, { entry: AccessEntry; policies: AssociatedAccessPolicy[] }>;
}

export class SimulatedEks {
  /** By `region/cluster`. */
  private readonly clusters = new Map<string, SimulatedCluster>();

  constructor(private readonly context: FleetContext) {
    const createdAt = new Date(context.startMs);
    for (const region of context.plan.regions) {
      if (context.isMissing('cluster', region.cluster, region.name)) continue;
      const namespaces = new Set<string>();
      for (const name of region.services) {
        const service = context.service(name);
        if (!service) continue;
        namespaces.add(service.namespace);
        if (service.traffic.type === 'albIngress')
          namespaces.add(service.traffic.namespace ?? service.namespace);
      }
      const random = createRandom(deriveSeed(context.seed, 'eks', region.name, region.cluster));
      const entry: AccessEntry = {
        clusterName: region.cluster,
        principalArn: SIMULATED_HANDLER_ROLE_ARN,
        kubernetesGroups: [],
        accessEntryArn: `arn:aws:eks:${region.name}:${SIMULATED_ACCOUNT}:access-entry/${region.cluster}/role/${SIMULATED_ACCOUNT}/${HANDLER_ROLE_NAME}/${uuidFrom(random.alphanumeric(32, '0123456789abcdef'))}`,
        createdAt,
        modifiedAt: createdAt,
        tags: {},
        // What EKS makes the username of a role's STANDARD entry when none is given.
        username: `arn:aws:sts::${SIMULATED_ACCOUNT}:assumed-role/${HANDLER_ROLE_NAME}/{{SessionName}}`,
        type: 'STANDARD',
      };
      const policy: AssociatedAccessPolicy = {
        policyArn: EDIT_POLICY_ARN,
        accessScope: { type: 'namespace', namespaces: [...namespaces].sort() },
        associatedAt: createdAt,
        modifiedAt: createdAt,
      };
      this.clusters.set(`${region.name}/${region.cluster}`, {
        description: {
          name: region.cluster,
          arn: `arn:aws:eks:${region.name}:${SIMULATED_ACCOUNT}:cluster/${region.cluster}`,
          createdAt,
          status: 'ACTIVE',
          accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
        },
        entries: new Map([[SIMULATED_HANDLER_ROLE_ARN, { entry, policies: [policy] }]]),
      });
    }
  }

  /** An EKS client for a region, answering from this simulation. */
  client(region: string): EKSClient {
    return { send: (command: unknown) => this.send(region, command) } as unknown as EKSClient;
  }

  async send(region: string, command: unknown): Promise<unknown> {
    if (!this.context.plan.regions.some((candidate) => candidate.name === region)) {
      throw new SimulatedAwsError('UnrecognizedClientException', `no simulated region ${region}`);
    }
    if (this.context.outageAt(region, this.context.nowMs())?.controlPlane) {
      throw new SimulatedAwsError(
        'ServiceUnavailableException',
        `Amazon EKS in ${region} is unavailable`,
        503,
      );
    }
    if (command instanceof DescribeClusterCommand) {
      return { cluster: structuredClone(this.cluster(region, command.input.name).description) };
    }
    if (command instanceof ListAccessEntriesCommand) {
      const { entries } = this.cluster(region, command.input.clusterName);
      const { items, nextToken } = page([...entries.keys()], command.input);
      return { accessEntries: items, ...(nextToken !== undefined && { nextToken }) };
    }
    if (command instanceof DescribeAccessEntryCommand) {
      const { entry } = this.entry(region, command.input.clusterName, command.input.principalArn);
      return { accessEntry: structuredClone(entry) };
    }
    if (command instanceof ListAssociatedAccessPoliciesCommand) {
      const { input } = command;
      const { policies } = this.entry(region, input.clusterName, input.principalArn);
      const { items, nextToken } = page(policies, input);
      return {
        clusterName: input.clusterName,
        principalArn: input.principalArn,
        associatedAccessPolicies: structuredClone(items),
        ...(nextToken !== undefined && { nextToken }),
      };
    }
    const name = (command as { constructor?: { name?: string } })?.constructor?.name ?? String(command);
    throw new Error(`the simulated Amazon EKS does not implement ${name}`);
  }

  private cluster(region: string, name: string | undefined): SimulatedCluster {
    const cluster = this.clusters.get(`${region}/${name}`);
    if (!cluster)
      throw new SimulatedAwsError('ResourceNotFoundException', `No cluster found for name: ${name}.`, 404);
    return cluster;
  }

  private entry(
    region: string,
    clusterName: string | undefined,
    principalArn: string | undefined,
  ): { entry: AccessEntry; policies: AssociatedAccessPolicy[] } {
    const found = this.cluster(region, clusterName).entries.get(principalArn ?? '');
    if (!found) {
      throw new SimulatedAwsError(
        'ResourceNotFoundException',
        `The specified principalArn could not be found. You can view your available access entries with 'list-access-entries'.`,
        404,
      );
    }
    return found;
  }
}

/** One page of `items` as EKS answers it: the token is where the next page starts. */
function page<T>(
  items: readonly T[],
  input: { maxResults?: number; nextToken?: string },
): { items: T[]; nextToken?: string } {
  const size = input.maxResults ?? MAX_RESULTS;
  if (!Number.isInteger(size) || size < 1 || size > MAX_RESULTS) {
    throw new SimulatedAwsError(
      'InvalidParameterException',
      `maxResults must be between 1 and ${MAX_RESULTS} (got ${size}).`,
    );
  }
  const offset = input.nextToken === undefined ? 0 : Number(input.nextToken);
  if (!Number.isInteger(offset) || offset < 0 || offset > items.length) {
    throw new SimulatedAwsError('InvalidParameterException', 'The nextToken is not valid.');
  }
  const end = offset + size;
  return { items: items.slice(offset, end), ...(end < items.length && { nextToken: String(end) }) };
}

/** 32 hex digits as a UUID: 8-4-4-4-12. */
function uuidFrom(hex: string): string {
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join(
    '-',
  );
}
