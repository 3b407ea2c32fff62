/**
 * SelfSubjectAccessReviews as the fake API server answers them: from its access rules, tried in
 * order as an authorizer chain is (see fake-kube-apiserver.ts).
 */
import { asObject, clone, HttpProblem, isObject, type Json } from './fake-kube-objects';

/**
 * One authorization rule SelfSubjectAccessReviews are answered from. `verb`, `group` and
 * `resource` match exactly, or anything with "*" as in RBAC; "" is the core API group.
 */
export interface AccessRule {
  /** Only this namespace (a RoleBinding); absent, every namespace and the cluster scope (a ClusterRoleBinding). */
  namespace?: string;
  verb: string;
  group: string;
  resource: string;
  /** Default allow. RBAC only ever allows; a webhook authorizer (EKS access policies) may deny. */
  effect?: 'allow' | 'deny';
  /** status.reason when this rule decides. */
  reason?: string;
}

/** What a review is answered from: the server's rules and authorization settings. */
export interface AccessPolicy {
  readonly accessRules: readonly AccessRule[];
  readonly basicUser: boolean;
  readonly user: string;
  readonly accessEvaluationError: string | undefined;
}

export function reviewSelfAccess(policy: AccessPolicy, method: string, body: unknown): [number, Json] {
  if (method !== 'POST') {
    throw new HttpProblem(405, 'MethodNotAllowed', `${method} is not allowed on selfsubjectaccessreviews`);
  }
  // Creating the review is itself authorized: by a rule, or else by system:basic-user.
  const own = accessRuleFor(policy.accessRules, {
    verb: 'create',
    group: 'authorization.k8s.io',
    resource: 'selfsubjectaccessreviews',
  });
  if (own ? own.effect === 'deny' : !policy.basicUser) {
    throw new HttpProblem(
      403,
      'Forbidden',
      `selfsubjectaccessreviews.authorization.k8s.io is forbidden: User "${policy.user}" cannot create resource "selfsubjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope`,
      { group: 'authorization.k8s.io', kind: 'selfsubjectaccessreviews' },
    );
  }
  if (!isObject(body)) {
    throw new HttpProblem(400, 'BadRequest', 'the request body must be a SelfSubjectAccessReview');
  }
  const spec = asObject(body.spec);
  const given = ['resourceAttributes', 'nonResourceAttributes'].filter((key) => isObject(spec[key]));
  if (given.length !== 1) {
    const [field, reason, message] =
      given.length === 0
        ? [
            'spec.resourceAttributes',
            'FieldValueRequired',
            'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
          ]
        : [
            'spec.nonResourceAttributes',
            'FieldValueInvalid',
            'Invalid value: cannot be specified in combination with resourceAttributes',
          ];
    throw new HttpProblem(
      422,
      'Invalid',
      `SelfSubjectAccessReview.authorization.k8s.io "" is invalid: ${field}: ${message}`,
      {
        group: 'authorization.k8s.io',
        kind: 'SelfSubjectAccessReview',
        causes: [{ reason, message, field }],
      },
    );
  }
  // Non-resource URLs have no rules here: no opinion.
  const rule = isObject(spec.resourceAttributes)
    ? accessRuleFor(policy.accessRules, spec.resourceAttributes)
    : undefined;
  const denied = rule?.effect === 'deny';
  const status: Json = { allowed: rule !== undefined && !denied };
  if (denied) status.denied = true;
  if (rule?.reason) status.reason = rule.reason;
  if (policy.accessEvaluationError) status.evaluationError = policy.accessEvaluationError;
  return [
    201,
    {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: clone(spec),
      status,
    },
  ];
}

/** The first rule that decides these resource attributes, or undefined for no opinion. */
function accessRuleFor(rules: readonly AccessRule[], attributes: Json): AccessRule | undefined {
  const matches = (pattern: string, value: unknown) => pattern === '*' || pattern === String(value ?? '');
  return rules.find(
    (rule) =>
      (rule.namespace === undefined || rule.namespace === String(attributes.namespace ?? '')) &&
      matches(rule.verb, attributes.verb) &&
      matches(rule.group, attributes.group) &&
      matches(rule.resource, attributes.resource),
  );
}
