/** The Inventory and Preflight ports: what preflight reads before a release touches anything. */
import type { ReleasePlan } from '../core/plan/schema';
import type { PreflightReport } from '../core/preflight';

/** One EKS access entry, as DescribeAccessEntry and ListAssociatedAccessPolicies describe it. */
export interface AccessEntryView {
  principalArn: string;
  /** Kubernetes groups the entry maps its principal to: what they may do is RBAC's, not EKS's, to say. */
  kubernetesGroups: string[];
  accessPolicies: Array<{
    /** e.g. arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy */
    policyArn: string;
    scope: { type: 'cluster' } | { type: 'namespace'; namespaces: string[] };
  }>;
}

export interface ClusterAccessView {
  /** DescribeCluster's status, e.g. ACTIVE. */
  status: string;
  /** accessConfig.authenticationMode: API, API_AND_CONFIG_MAP or CONFIG_MAP. */
  authenticationMode?: string;
  /** The entries of the principals asked about that exist; a principal without one is absent. */
  entries: AccessEntryView[];
}

/** A target group as DescribeTargetGroups describes it. */
export interface TargetGroupView {
  arn: string;
  name: string;
  vpcId?: string;
  protocol?: string;
  port?: number;
  targetType?: string;
}

/** A Kubernetes authorization question, as a SelfSubjectAccessReview's resourceAttributes ask it. */
export interface AccessQuestion {
  namespace: string;
  verb: string;
  /** The API group: "apps" for Deployments, "networking.k8s.io" for Ingresses. */
  group: string;
  resource: string;
}

/**
 * The load balancers and Route 53 records Switchyard's roles may change, as the stack was
 * configured. A field left out is not limited by name (the stack's tag condition, or a rehearsal).
 */
export interface SwitchyardGrants {
  /** Load balancers whose listeners and rules the traffic handlers may modify. */
  loadBalancerNames?: readonly string[];
  /** Hosted zones whose records may be read and changed. */
  hostedZoneIds?: readonly string[];
  /** Record names that may be changed in those zones. */
  dnsRecordNames?: readonly string[];
}

/**
 * What preflight reads of the account and the clusters before a release touches anything. Read
 * only: nothing here changes a resource.
 */
export interface Inventory {
  /**
   * The IAM roles Switchyard's handlers change Deployments and Ingresses as: each needs an access
   * entry on every cluster. (The stack names them; a rehearsal has one simulated role.)
   */
  clusterRoleArns(): readonly string[];
  /** What Switchyard's own IAM lets it change (the stack's configuration). */
  grants(): SwitchyardGrants;
  /**
   * The cluster and the access entries of the given principals (DescribeCluster, ListAccessEntries,
   * DescribeAccessEntry, ListAssociatedAccessPolicies); undefined when the cluster does not exist.
   */
  clusterAccess(
    region: string,
    cluster: string,
    principalArns: readonly string[],
  ): Promise<ClusterAccessView | undefined>;
  /**
   * Whether this process's own identity may do what is asked (a SelfSubjectAccessReview). It
   * proves nothing about any other role: those are judged from their access entries.
   */
  mayI(
    location: { region: string; cluster: string },
    question: AccessQuestion,
  ): Promise<{ allowed: boolean; reason?: string }>;
  /** The target groups among these ARNs that exist. */
  targetGroups(region: string, arns: readonly string[]): Promise<TargetGroupView[]>;
  /** The names among these that are CloudWatch alarms (metric or composite) in the region. */
  existingAlarms(region: string, alarmNames: readonly string[]): Promise<string[]>;
}

/**
 * Preflight where the account and clusters can be read: what the API asks. In AWS the API
 * function invokes the preflight function (which holds the read grants and the cluster access);
 * on this machine it runs against the simulated fleet.
 */
export interface Preflight {
  check(plan: ReleasePlan): Promise<PreflightReport>;
}
