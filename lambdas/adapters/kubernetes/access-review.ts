/**
 * The Inventory port's `mayI` on EKS: a SelfSubjectAccessReview (authorization.k8s.io/v1), the
 * question `kubectl auth can-i` asks, sent through the same connection and error handling as the
 * Cluster adapter (api-calls.ts, eks-connection.ts).
 * https://kubernetes.io/docs/reference/access-authn-authz/authorization/#checking-api-access
 * https://kubernetes.io/docs/reference/kubernetes-api/authorization-resources/self-subject-access-review-v1/
 *
 * Asking needs `create` on selfsubjectaccessreviews. Every authenticated user has it by default:
 * the ClusterRole system:basic-user grants it, bound to the group system:authenticated (before
 * 1.14 to system:unauthenticated too), and the API server restores both at each start unless an
 * administrator opted out with the annotation `rbac.authorization.kubernetes.io/autoupdate: "false"`.
 * https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles
 * https://github.com/kubernetes/kubernetes/blob/master/plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go
 * So no RBAC is needed beyond what the release itself needs, and no IAM beyond CLUSTER_IAM_ACTIONS.
 * "Authenticated" on EKS takes an access entry (or aws-auth mapping): without one the token
 * itself is refused with 401, before any review.
 * https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
 */
import type { V1SelfSubjectAccessReview, V1SubjectAccessReviewStatus } from '@kubernetes/client-node';
import type { AccessQuestion, Inventory } from '../../ports';
import { KubernetesApiCaller, statusMessage } from './api-calls';
import { ApiException, AuthorizationV1Api } from './client-node';
import { connectorFor, type EksAdapterOptions } from './eks-connection';

/** Whether this process's own identity may do what is asked in one cluster. */
export type SelfAccessReview = Inventory['mayI'];

type AccessVerdict = Awaited<ReturnType<SelfAccessReview>>;

/** Create once per process: connections and tokens are cached inside. */
export function createSelfAccessReview(options: EksAdapterOptions = {}): SelfAccessReview {
  const authorization = new KubernetesApiCaller(connectorFor(options), AuthorizationV1Api);
  return async (location, question) => {
    const subject = `SelfSubjectAccessReview (${describeQuestion(question)}) in EKS cluster "${location.cluster}" (${location.region})`;
    const body: V1SelfSubjectAccessReview = {
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
    };
    try {
      const review = await authorization.call(location, subject, (api) =>
        api.createSelfSubjectAccessReview({ body }),
      );
      return verdictOf(review.status);
    } catch (error) {
      throw isForbidden(error) ? reviewForbidden(subject, error.cause) : error;
    }
  };
}

let production: SelfAccessReview | undefined;

/**
 * `mayI` with the production EKS connection (DescribeCluster, the default credential chain),
 * made on first use so that importing this module connects nothing.
 */
export const selfAccessReview: SelfAccessReview = (location, question) => {
  production ??= createSelfAccessReview();
  return production(location, question);
};

/**
 * The answer from the review's status. An authorizer allows, denies, or has no opinion; with no
 * opinion from any, `allowed` and `denied` are both false (or `denied` absent) and the API
 * server refuses the request, so that is "not allowed" too. `evaluationError` can come with a
 * usable answer (RBAC missing one role but granting through another), so it only adds to the reason.
 */
function verdictOf(status: V1SubjectAccessReviewStatus | undefined): AccessVerdict {
  const said = [
    status?.reason,
    status?.evaluationError && `evaluation error: ${status.evaluationError}`,
  ].filter(Boolean);
  // "Denied may not be true if Allowed is true": should a server say both, the refusal counts.
  if (status?.allowed === true && status.denied !== true) {
    return said.length > 0 ? { allowed: true, reason: said.join('; ') } : { allowed: true };
  }
  const verdict = !status
    ? 'the API server returned no status'
    : status.denied
      ? 'denied'
      : 'no authorizer had an opinion, and the API server denies what none allows';
  return { allowed: false, reason: said.length > 0 ? `${verdict} (${said.join('; ')})` : verdict };
}

function describeQuestion({ namespace, verb, group, resource }: AccessQuestion): string {
  // As kubectl names it: `create deployments.apps -n shop`.
  const where = namespace === '' ? 'in all namespaces or cluster-wide' : `in namespace "${namespace}"`;
  return `${verb} ${group === '' ? resource : `${resource}.${group}`} ${where}`;
}

function isForbidden(error: unknown): error is Error & { cause: ApiException<unknown> } {
  return error instanceof Error && error.cause instanceof ApiException && error.cause.code === 403;
}

/** 403 on the review itself: not a "no" but no answer at all, so it must not read as one. */
function reviewForbidden(subject: string, refusal: ApiException<unknown>): Error {
  const detail = statusMessage(refusal.body);
  return new Error(
    `${subject}: the API server refused the review itself (403)${detail ? `: ${detail}` : ''}. ` +
      'Every authenticated identity may create selfsubjectaccessreviews by default (ClusterRole ' +
      'system:basic-user, bound to system:authenticated); this cluster does not grant it to this role, ' +
      'so what the role may do there cannot be asked',
    { cause: refusal },
  );
}
