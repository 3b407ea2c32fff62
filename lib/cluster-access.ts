/**
 * Kubernetes access for the handlers that act on clusters. IAM lets a role find a cluster;
 * acting on Deployments needs an EKS access entry for that role on each cluster, with an
 * access policy scoped to the namespaces Switchyard deploys to. The entries are created here
 * (optionally) for clusters in the stack's own region and account; for the others the outputs
 * carry the commands to run.
 */
import { Aws, CfnOutput, Fn, Stack } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface SwitchyardCluster {
  /** The cluster's region: one of the workload regions. */
  readonly region: string;
  readonly clusterName: string;
  /** Namespaces the handlers may change Deployments (and albIngress Ingresses) in. */
  readonly namespaces: readonly string[];
}

/**
 * The EKS access policy granted, namespaced: it allows what the Kubernetes adapters do to
 * Deployments (get, create, update, patch, delete, and the scale subresource) and, for albIngress
 * traffic, to Ingresses (get, patch).
 */
export const CLUSTER_ACCESS_POLICY = 'AmazonEKSEditPolicy';

export interface ClusterAccessProps {
  readonly clusters: readonly SwitchyardCluster[];
  /** Roles of the handlers that use the cluster port, or the traffic port (albIngress Ingresses). */
  readonly roles: readonly IRole[];
  /** Create the access entries for clusters in this stack's region (same account). */
  readonly createAccessEntries: boolean;
}

export class ClusterAccess extends Construct {
  readonly accessEntries: CfnAccessEntry[] = [];
  /** The roles that need an access entry on every cluster. */
  readonly roles: readonly IRole[];

  constructor(scope: Construct, id: string, props: ClusterAccessProps) {
    super(scope, id);
    this.roles = props.roles;
    const stack = Stack.of(this);
    const policyArn = `arn:${Aws.PARTITION}:eks::aws:cluster-access-policy/${CLUSTER_ACCESS_POLICY}`;

    new CfnOutput(this, 'ClusterHandlerRoleArns', {
      description:
        'Roles that need an EKS access entry on every cluster Switchyard deploys to (space-separated)',
      value: Fn.join(
        ' ',
        props.roles.map((role) => role.roleArn),
      ),
    });

    props.clusters.forEach((cluster, index) => {
      const namespaces = cluster.namespaces.join(',');
      const created = props.createAccessEntries && cluster.region === stack.region;
      if (created) {
        props.roles.forEach((role, roleIndex) => {
          this.accessEntries.push(
            new CfnAccessEntry(this, `Cluster${index}Role${roleIndex}`, {
              clusterName: cluster.clusterName,
              principalArn: role.roleArn,
              type: 'STANDARD',
              accessPolicies: [
                { policyArn, accessScope: { type: 'namespace', namespaces: [...cluster.namespaces] } },
              ],
            }),
          );
        });
      }
      new CfnOutput(this, `Cluster${index}Access`, {
        description: created
          ? `EKS access entries for ${cluster.clusterName} (${cluster.region}) are created by this stack`
          : `Run once for EKS cluster ${cluster.clusterName} (${cluster.region}), with SWITCHYARD_CLUSTER_ROLES set to the ClusterHandlerRoleArns output`,
        value: created
          ? `created: ${props.roles.length} access entries on ${cluster.clusterName}, ${CLUSTER_ACCESS_POLICY} on namespaces ${namespaces}`
          : [
              'for ROLE in $SWITCHYARD_CLUSTER_ROLES; do',
              `aws eks create-access-entry --region ${cluster.region} --cluster-name ${cluster.clusterName} --principal-arn "$ROLE" --type STANDARD &&`,
              `aws eks associate-access-policy --region ${cluster.region} --cluster-name ${cluster.clusterName} --principal-arn "$ROLE"`,
              `--policy-arn ${policyArn} --access-scope type=namespace,namespaces=${namespaces};`,
              'done',
            ].join(' '),
      });
    });
  }
}
