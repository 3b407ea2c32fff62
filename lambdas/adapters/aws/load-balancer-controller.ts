/**
 * What the AWS Load Balancer Controller writes down, in one place: the tags it puts on the load
 * balancers, listeners, rules and target groups it makes from Ingress objects, and the action
 * annotation whose forward config it turns into a weighted forward action. Shared by both ALB
 * adapters and the rehearsal's simulated controller; free of SDK and Kubernetes clients.
 *
 * Resource tags: https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#resource-tags
 * (and pkg/deploy/tracking/provider.go in kubernetes-sigs/aws-load-balancer-controller).
 */

/** On every AWS resource the controller made: the `--cluster-name` it runs with. */
export const CLUSTER_TAG = 'elbv2.k8s.aws/cluster';
/** The same, from the AWS ALB Ingress Controller (v1) the controller still tags for. */
export const LEGACY_CLUSTER_TAG = 'ingress.k8s.aws/cluster';
/** The IngressGroup: its `group.name`, or `namespace/name` for an Ingress of its own. */
export const INGRESS_STACK_TAG = 'ingress.k8s.aws/stack';
/** What the resource is: `LoadBalancer`, `<port>`, `<port>:<priority>`, `ns/ingress-service:port`. */
export const INGRESS_RESOURCE_TAG = 'ingress.k8s.aws/resource';
/** ALBs the controller made from a Gateway (Gateway API) carry this instead of the Ingress stack. */
export const GATEWAY_STACK_TAG = 'gateway.k8s.aws.alb/stack';

/** Tags that only the controller writes: any of them means the controller owns the resource. */
export const OWNERSHIP_TAGS = [
  CLUSTER_TAG,
  LEGACY_CLUSTER_TAG,
  INGRESS_STACK_TAG,
  GATEWAY_STACK_TAG,
] as const;

/** https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#actions */
export const ACTION_ANNOTATION_PREFIX = 'alb.ingress.kubernetes.io/actions.';
/** https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#group.name */
export const GROUP_NAME_ANNOTATION = 'alb.ingress.kubernetes.io/group.name';
/** The backend port name that sends an Ingress path to an action instead of a Service. */
export const USE_ANNOTATION_PORT = 'use-annotation';

/** DescribeTags takes at most this many ARNs a call. */
export const DESCRIBE_TAGS_LIMIT = 20;

export function actionAnnotation(actionName: string): string {
  return `${ACTION_ANNOTATION_PREFIX}${actionName}`;
}

/** The stack an Ingress belongs to, as its load balancer's `ingress.k8s.aws/stack` tag says it. */
export function ingressStack(namespace: string, name: string, annotations: Readonly<Record<string, string>>) {
  return annotations[GROUP_NAME_ANNOTATION] ?? `${namespace}/${name}`;
}

/**
 * The `ingress.k8s.aws/resource` tag of the target group the controller makes for a Service port
 * an Ingress sends to (pkg/ingress/model_build_target_group.go, buildTargetGroupResourceID).
 */
export function targetGroupResourceId(
  namespace: string,
  ingress: string,
  service: string,
  port: number | string,
): string {
  return `${namespace}/${ingress}-${service}:${port}`;
}

/** Who owns a resource, from its tags; undefined when the controller does not. */
export interface ControllerOwnership {
  cluster?: string;
  /** The IngressGroup (or `gateway: …` for a Gateway) the resource was made for. */
  stack?: string;
}

export function controllerOwnership(tags: Readonly<Record<string, string>>): ControllerOwnership | undefined {
  if (!OWNERSHIP_TAGS.some((key) => key in tags)) return undefined;
  const cluster = tags[CLUSTER_TAG] ?? tags[LEGACY_CLUSTER_TAG];
  const gateway = tags[GATEWAY_STACK_TAG];
  const stack = tags[INGRESS_STACK_TAG] ?? (gateway === undefined ? undefined : `gateway: ${gateway}`);
  return { ...(cluster !== undefined && { cluster }), ...(stack !== undefined && { stack }) };
}

// ── the action annotation ───────────────────────────────────────────────────

/** One target of a forward action, in the controller's advanced schema. */
export interface ActionTargetGroup {
  serviceName?: string;
  servicePort?: number | string;
  targetGroupARN?: string;
  targetGroupName?: string;
  weight?: number;
}

export interface ForwardActionConfig {
  type: 'forward';
  forwardConfig: {
    targetGroups: ActionTargetGroup[];
    targetGroupStickinessConfig?: { enabled?: boolean; durationSeconds?: number };
  };
}

/**
 * The action annotation's value as a forward config; a message naming what is wrong otherwise.
 * The simplified schema (`targetGroupARN` at the top) sends everything to one target group.
 */
export function parseForwardAction(value: string): ForwardActionConfig | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return 'is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'is not a JSON object';
  const action = parsed as Record<string, unknown>;
  if (action.type !== 'forward') return `is a ${JSON.stringify(action.type)} action, not a forward`;
  const config = action.forwardConfig as Record<string, unknown> | undefined;
  if (config === undefined) {
    const arn = action.targetGroupARN ?? action.targetGroupName;
    return typeof arn === 'string'
      ? { type: 'forward', forwardConfig: { targetGroups: [action] } }
      : 'has no forwardConfig';
  }
  if (!Array.isArray(config.targetGroups)) return 'has no forwardConfig.targetGroups list';
  const targetGroups: ActionTargetGroup[] = [];
  for (const entry of config.targetGroups as unknown[]) {
    if (typeof entry !== 'object' || entry === null) return 'has a target group that is not an object';
    const group = entry as Record<string, unknown>;
    const weight = group.weight;
    if (weight !== undefined && (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0)) {
      return `gives weight ${JSON.stringify(weight)}, not a whole number`;
    }
    targetGroups.push(group as ActionTargetGroup);
  }
  const stickiness =
    config.targetGroupStickinessConfig as ForwardActionConfig['forwardConfig']['targetGroupStickinessConfig'];
  return {
    type: 'forward',
    forwardConfig: {
      targetGroups,
      ...(stickiness !== undefined && { targetGroupStickinessConfig: stickiness }),
    },
  };
}

/** The port as the annotation and the resource tag spell it: `80` and `"80"` are the same port. */
export function samePort(a: number | string | undefined, b: number | string): boolean {
  return a !== undefined && String(a) === String(b);
}
