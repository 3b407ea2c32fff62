/**
 * What preflight reads before a release touches anything: the EKS cluster and the access entries
 * of the roles that will act on it, the target groups and the alarms the plan names. Read only.
 * Whether this process's own identity may act in the cluster (a SelfSubjectAccessReview) is the
 * Kubernetes adapters' to ask: it comes in as `mayI`.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  type AssociatedAccessPolicy,
  DescribeAccessEntryCommand,
  DescribeClusterCommand,
  type DescribeClusterCommandOutput,
  type EKSClient,
  ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand,
} from '@aws-sdk/client-eks';
import {
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  AccessEntryView,
  AccessQuestion,
  ClusterAccessView,
  Inventory,
  SwitchyardGrants,
  TargetGroupView,
} from '../../ports/index';
import { describeAlarmStates } from './alarm-states';
import type { ClientForRegion } from './clients';
import { awsErrorName, callAws } from './errors';
import { pages } from './paging';

export const INVENTORY_IAM_ACTIONS = [
  'eks:DescribeCluster',
  'eks:ListAccessEntries',
  'eks:DescribeAccessEntry',
  'eks:ListAssociatedAccessPolicies',
  'elasticloadbalancing:DescribeTargetGroups',
  'cloudwatch:DescribeAlarms',
] as const;

/**
 * ListAccessEntries and ListAssociatedAccessPolicies take maxResults 1–100 and answer a nextToken
 * while there is more.
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_ListAccessEntries.html
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_ListAssociatedAccessPolicies.html
 */
const EKS_PAGE_SIZE = 100;
/**
 * DescribeTargetGroups documents no limit on TargetGroupArns, but refuses more than 20 with
 * ValidationError "You cannot describe more than '20' target groups at a time"
 * (https://github.com/ansible-collections/amazon.aws/pull/1593). Its PageSize is 1–400.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetGroups.html
 */
const TARGET_GROUP_ARNS_PER_CALL = 20;

export interface InventoryClients {
  eks: ClientForRegion<EKSClient>;
  elbv2: ClientForRegion<ElasticLoadBalancingV2Client>;
  cloudWatch: ClientForRegion<CloudWatchClient>;
  mayI: Inventory['mayI'];
  /** The roles the cluster handlers act as (the stack's ClusterHandlerRoleArns). */
  clusterRoleArns: readonly string[];
  /** What the stack lets Switchyard change; nothing limited by name when left out. */
  grants?: SwitchyardGrants;
}

export class AwsInventory implements Inventory {
  constructor(private readonly clients: InventoryClients) {}

  clusterRoleArns(): readonly string[] {
    return this.clients.clusterRoleArns;
  }

  grants(): SwitchyardGrants {
    return this.clients.grants ?? {};
  }

  async clusterAccess(
    region: string,
    cluster: string,
    principalArns: readonly string[],
  ): Promise<ClusterAccessView | undefined> {
    const eks = this.clients.eks(region);
    let described: DescribeClusterCommandOutput;
    try {
      described = await callAws(eks.send(new DescribeClusterCommand({ name: cluster })));
    } catch (error) {
      // https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeCluster.html
      if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
    const status = described.cluster?.status ?? 'UNKNOWN';
    const authenticationMode = described.cluster?.accessConfig?.authenticationMode;
    const view: ClusterAccessView = {
      status,
      ...(authenticationMode !== undefined && { authenticationMode }),
      entries: [],
    };
    // A CONFIG_MAP cluster has no access entries at all: its principals are mapped in the aws-auth
    // ConfigMap, and the access entry API answers InvalidRequestException "The cluster's
    // authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this
    // operation" (https://github.com/aws-ia/terraform-aws-eks-blueprints/issues/1877).
    // https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html
    if (principalArns.length === 0 || authenticationMode === 'CONFIG_MAP') return view;

    const stored = await this.accessEntryPrincipals(eks, region, cluster);
    const asked = [...new Set(principalArns)];
    const found = await Promise.all(
      asked.map((principalArn) => {
        const match = stored.find((arn) => arn === principalArn) ?? stored.find(sameIdentity(principalArn));
        return match === undefined ? undefined : this.accessEntry(eks, cluster, principalArn, match);
      }),
    );
    view.entries = found.filter((entry): entry is AccessEntryView => entry !== undefined);
    return view;
  }

  mayI(
    location: { region: string; cluster: string },
    question: AccessQuestion,
  ): Promise<{ allowed: boolean; reason?: string }> {
    return this.clients.mayI(location, question);
  }

  async targetGroups(region: string, arns: readonly string[]): Promise<TargetGroupView[]> {
    const client = this.clients.elbv2(region);
    const asked = [...new Set(arns)];
    const byArn = new Map<string, TargetGroupView>();
    for (let index = 0; index < asked.length; index += TARGET_GROUP_ARNS_PER_CALL) {
      const chunk = asked.slice(index, index + TARGET_GROUP_ARNS_PER_CALL);
      for (const group of await describeExistingTargetGroups(client, region, chunk)) {
        byArn.set(group.arn, group);
      }
    }
    return asked.flatMap((arn) => byArn.get(arn) ?? []);
  }

  async existingAlarms(region: string, alarmNames: readonly string[]): Promise<string[]> {
    const states = await describeAlarmStates(this.clients.cloudWatch(region), region, alarmNames);
    return [...new Set(alarmNames)].filter((name) => states[name] !== undefined);
  }

  /** Every principal ARN with an access entry on the cluster, as EKS stores it. */
  private accessEntryPrincipals(eks: EKSClient, region: string, cluster: string): Promise<string[]> {
    return everyEksItem(
      `ListAccessEntries of EKS cluster "${cluster}" in ${region}`,
      (page) =>
        eks.send(new ListAccessEntriesCommand({ clusterName: cluster, maxResults: EKS_PAGE_SIZE, ...page })),
      (page) => page.accessEntries,
    );
  }

  /**
   * One access entry with its access policies, reported under the ARN it was asked by (which may
   * differ from the stored one in its path); undefined when it went away since it was listed.
   */
  private async accessEntry(
    eks: EKSClient,
    cluster: string,
    askedArn: string,
    storedArn: string,
  ): Promise<AccessEntryView | undefined> {
    try {
      const [described, policies] = await Promise.all([
        callAws(eks.send(new DescribeAccessEntryCommand({ clusterName: cluster, principalArn: storedArn }))),
        this.associatedPolicies(eks, cluster, storedArn),
      ]);
      return {
        principalArn: askedArn,
        kubernetesGroups: described.accessEntry?.kubernetesGroups ?? [],
        accessPolicies: policies.flatMap(policyView),
      };
    } catch (error) {
      // https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAccessEntry.html
      if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  private associatedPolicies(
    eks: EKSClient,
    cluster: string,
    principalArn: string,
  ): Promise<AssociatedAccessPolicy[]> {
    return everyEksItem(
      `ListAssociatedAccessPolicies of ${principalArn} on EKS cluster "${cluster}"`,
      (page) =>
        eks.send(
          new ListAssociatedAccessPoliciesCommand({
            clusterName: cluster,
            principalArn,
            maxResults: EKS_PAGE_SIZE,
            ...page,
          }),
        ),
      (page) => page.associatedAccessPolicies,
    );
  }
}

/** Every item of an EKS list call, page after page while it answers a nextToken. */
async function everyEksItem<Page extends { nextToken?: string | undefined }, Item>(
  what: string,
  fetch: (page: { nextToken?: string }) => Promise<Page>,
  itemsOf: (page: Page) => Item[] | undefined,
): Promise<Item[]> {
  const items: Item[] = [];
  const listing = pages(
    what,
    (nextToken: string | undefined) => callAws(fetch(nextToken === undefined ? {} : { nextToken })),
    (page) => page.nextToken || undefined,
  );
  for await (const page of listing) items.push(...(itemsOf(page) ?? []));
  return items;
}

/**
 * The target groups of up to 20 ARNs that exist. One missing ARN fails the whole call with
 * TargetGroupNotFoundException, so on that error each ARN is asked for on its own.
 */
async function describeExistingTargetGroups(
  client: ElasticLoadBalancingV2Client,
  region: string,
  arns: readonly string[],
): Promise<TargetGroupView[]> {
  try {
    const groups: TargetGroupView[] = [];
    const listing = pages(
      `DescribeTargetGroups in ${region}`,
      (marker: string | undefined) =>
        callAws(client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [...arns], Marker: marker }))),
      (page) => page.NextMarker || undefined,
    );
    for await (const page of listing) groups.push(...(page.TargetGroups ?? []).flatMap(targetGroupView));
    return groups;
  } catch (error) {
    if (awsErrorName(error) !== 'TargetGroupNotFoundException') throw error;
    if (arns.length === 1) return [];
    const each: TargetGroupView[] = [];
    for (const arn of arns) each.push(...(await describeExistingTargetGroups(client, region, [arn])));
    return each;
  }
}

function targetGroupView(group: TargetGroup): TargetGroupView[] {
  if (group.TargetGroupArn === undefined || group.TargetGroupName === undefined) return [];
  return [
    {
      arn: group.TargetGroupArn,
      name: group.TargetGroupName,
      ...(group.VpcId !== undefined && { vpcId: group.VpcId }),
      ...(group.Protocol !== undefined && { protocol: group.Protocol }),
      ...(group.Port !== undefined && { port: group.Port }),
      ...(group.TargetType !== undefined && { targetType: group.TargetType }),
    },
  ];
}

function policyView(policy: AssociatedAccessPolicy): AccessEntryView['accessPolicies'] {
  if (policy.policyArn === undefined) return [];
  const scope = policy.accessScope;
  // https://docs.aws.amazon.com/eks/latest/APIReference/API_AccessScope.html: cluster | namespace.
  // A scope of any other shape is read as namespaces it names, none if it names none: what it
  // grants cannot be assumed.
  return [
    {
      policyArn: policy.policyArn,
      scope:
        scope?.type === 'cluster'
          ? { type: 'cluster' }
          : { type: 'namespace', namespaces: [...(scope?.namespaces ?? [])] },
    },
  ];
}

/**
 * An IAM role or user ARN without its path: `arn:aws:iam::111122223333:role/apps/deployer` and
 * `…:role/deployer` are the same role, since a role's (or user's) name is unique in its account
 * whatever its path (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html).
 * An access entry keeps the ARN as it was created, path included or not, while an aws-auth
 * ConfigMap entry cannot have one
 * (https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html), so the ARN a
 * caller knows and the one an entry holds may differ in the path alone. Other ARNs are kept.
 */
export function withoutIamPath(arn: string): string {
  const match = /^(arn:[^:]+:iam::\d{12}:(?:role|user))\/(?:[^/]+\/)*([^/]+)$/.exec(arn);
  return match === null ? arn : `${match[1]}/${match[2]}`;
}

function sameIdentity(principalArn: string): (storedArn: string) => boolean {
  const identity = withoutIamPath(principalArn);
  return (storedArn) => withoutIamPath(storedArn) === identity;
}
