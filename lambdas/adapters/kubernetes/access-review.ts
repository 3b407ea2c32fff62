/**
 * Whether this process's own identity may do something in a cluster: a SelfSubjectAccessReview
 * (authorization.k8s.io/v1), over the same EKS connection the Cluster adapter uses. Kubernetes
 * answers for the identity the bearer token names, so this proves nothing about any other role.
 * https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/self-subject-access-review-v1/
 */
import { AuthorizationV1Api } from '@kubernetes/client-node';
import type { AccessQuestion } from '../../ports';
import { KubernetesApiCaller } from './api-calls';
import {
  type ClusterLocation,
  type Connect,
  createEksConnector,
  type EksConnectorOptions,
} from './eks-connection';

export type SelfAccessReview = (
  location: ClusterLocation,
  question: AccessQuestion,
) => Promise<{ allowed: boolean; reason?: string }>;

export interface SelfAccessReviewOptions extends EksConnectorOptions {
  /** Replaces EKS discovery and tokens, e.g. to point the review at a local API server. */
  connect?: Connect;
}

/** Create once per process: connections and tokens are cached inside. */
export function createSelfAccessReview(options: SelfAccessReviewOptions = {}): SelfAccessReview {
  const authorization = new KubernetesApiCaller(
    options.connect ?? createEksConnector(options),
    AuthorizationV1Api,
  );
  return async (location, question) => {
    const subject = `SelfSubjectAccessReview (${question.verb} ${question.resource} in ${question.namespace}) in EKS cluster "${location.cluster}" (${location.region})`;
    const review = await authorization.call(location, subject, (api) =>
      api.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: {
            resourceAttributes: {
              namespace: question.namespace,
              verb: question.verb,
              group: question.group,
              resource: question.resource,
            },
          },
        },
      }),
    );
    // `allowed` false with no reason is an authorizer without an opinion: not allowed either way.
    const status = review.status;
    const reason = status?.reason || status?.evaluationError || undefined;
    return { allowed: status?.allowed === true, ...(reason !== undefined && { reason }) };
  };
}

let shared: SelfAccessReview | undefined;

/** The review over the default EKS connection, made on first use. */
export const selfAccessReview: SelfAccessReview = (location, question) => {
  shared ??= createSelfAccessReview();
  return shared(location, question);
};
