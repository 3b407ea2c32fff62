/**
 * The IAM actions the Kubernetes adapter calls (cluster discovery), in a module of their own so
 * the CDK app can read them without loading @kubernetes/client-node. Kubernetes permissions are
 * separate: an EKS access entry for the function's role (see docs/deploy-to-aws.md).
 */
export const CLUSTER_IAM_ACTIONS = ['eks:DescribeCluster'] as const;
