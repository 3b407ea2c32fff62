/**
 * Finding, through ELBv2, what the AWS Load Balancer Controller made for an Ingress: its load
 * balancer, listeners and target groups, told apart by the controller's tags
 * (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#resource-tags).
 */
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { NotFoundError } from '../../core/errors';
import type { AlbIngressTarget } from '../../ports/index';
import { callAws } from './errors';
import { DESCRIBE_TAGS_LIMIT, INGRESS_RESOURCE_TAG, INGRESS_STACK_TAG } from './load-balancer-controller';
import { pages } from './paging';

/** DescribeLoadBalancers answers at most 400 a page; ask for that many (moto pages only when asked). */
const LOAD_BALANCER_PAGE_SIZE = 400;

/** The load balancer whose DNS name the Ingress status gives (DNS names compare case-insensitively). */
export async function findLoadBalancer(
  client: ElasticLoadBalancingV2Client,
  hostnames: readonly string[],
  target: AlbIngressTarget,
): Promise<{ arn: string; name: string }> {
  const listing = pages(
    `DescribeLoadBalancers in ${target.region}`,
    (marker: string | undefined) =>
      callAws(
        client.send(new DescribeLoadBalancersCommand({ Marker: marker, PageSize: LOAD_BALANCER_PAGE_SIZE })),
      ),
    (page) => page.NextMarker || undefined,
  );
  for await (const page of listing) {
    for (const balancer of page.LoadBalancers ?? []) {
      if (
        balancer.DNSName &&
        hostnames.includes(balancer.DNSName.toLowerCase()) &&
        balancer.LoadBalancerArn
      ) {
        return {
          arn: balancer.LoadBalancerArn,
          name: balancer.LoadBalancerName ?? balancer.LoadBalancerArn,
        };
      }
    }
  }
  throw new NotFoundError(
    `no load balancer in ${target.region} has the DNS name ${hostnames.join(' or ')} that ${describe(target)} reports`,
  );
}

export async function loadBalancerTags(
  client: ElasticLoadBalancingV2Client,
  arn: string,
): Promise<Record<string, string>> {
  return (await tagsOf(client, [arn])).get(arn) ?? {};
}

/** Tags per ARN, DESCRIBE_TAGS_LIMIT ARNs a call. */
export async function tagsOf(
  client: ElasticLoadBalancingV2Client,
  arns: readonly string[],
): Promise<Map<string, Record<string, string>>> {
  const tags = new Map<string, Record<string, string>>();
  for (let start = 0; start < arns.length; start += DESCRIBE_TAGS_LIMIT) {
    const { TagDescriptions } = await callAws(
      client.send(new DescribeTagsCommand({ ResourceArns: arns.slice(start, start + DESCRIBE_TAGS_LIMIT) })),
    );
    for (const description of TagDescriptions ?? []) {
      if (description.ResourceArn === undefined) continue;
      tags.set(
        description.ResourceArn,
        Object.fromEntries((description.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      );
    }
  }
  return tags;
}

/** The load balancer's target groups of the stack, by their `ingress.k8s.aws/resource` tag. */
export async function targetGroupsOf(
  client: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
  stack: string,
): Promise<Map<string, string>> {
  const arns: string[] = [];
  const listing = pages(
    `DescribeTargetGroups of ${loadBalancerArn}`,
    (marker: string | undefined) =>
      callAws(
        client.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: loadBalancerArn, Marker: marker })),
      ),
    (page) => page.NextMarker || undefined,
  );
  for await (const page of listing) {
    for (const group of page.TargetGroups ?? []) if (group.TargetGroupArn) arns.push(group.TargetGroupArn);
  }
  const byResource = new Map<string, string>();
  for (const [arn, tags] of await tagsOf(client, arns)) {
    const resource = tags[INGRESS_RESOURCE_TAG];
    if (resource !== undefined && tags[INGRESS_STACK_TAG] === stack) byResource.set(resource, arn);
  }
  return byResource;
}

export async function listenersOf(
  client: ElasticLoadBalancingV2Client,
  loadBalancerArn: string,
): Promise<string[]> {
  const arns: string[] = [];
  const listing = pages(
    `DescribeListeners of ${loadBalancerArn}`,
    (marker: string | undefined) =>
      callAws(
        client.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker: marker })),
      ),
    (page) => page.NextMarker || undefined,
  );
  for await (const page of listing) {
    for (const listener of page.Listeners ?? []) if (listener.ListenerArn) arns.push(listener.ListenerArn);
  }
  return arns;
}

/** The Ingress, in words, for error messages. */
export function describe(target: AlbIngressTarget): string {
  return `Ingress ${target.namespace}/${target.albIngress.ingress} in EKS cluster "${target.cluster}" (${target.region})`;
}
