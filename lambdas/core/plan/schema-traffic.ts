/** The plan language: how traffic reaches a service, and when a service counts as ready. */
import * as z from 'zod';
import {
  MAX_KUBERNETES_NAME_LENGTH,
  MAX_KUBERNETES_SUBDOMAIN_LENGTH,
  MAX_LOAD_BALANCER_NAME_LENGTH,
  MAX_RULE_CONDITION_LENGTH,
  MAX_TARGET_GROUP_NAME_LENGTH,
} from './limits';

import { ResourceName } from './schema-primitives';

// ── traffic and readiness ────────────────────────────────────────────────────

export const AlbTraffic = z
  .object({
    type: z.literal('alb'),
    loadBalancerName: z.string().min(1).max(MAX_LOAD_BALANCER_NAME_LENGTH),
    port: z.number().int().min(1).max(65535),
    rule: z
      .object({
        hostHeader: z.string().max(MAX_RULE_CONDITION_LENGTH).optional(),
        pathPattern: z.string().max(MAX_RULE_CONDITION_LENGTH).optional(),
        priority: z.number().int().min(1).max(50000).optional(),
      })
      .strict()
      .optional()
      .describe("Selects a listener rule by its conditions; absent means the listener's default action."),
    stableTargetGroup: z.string().min(1).max(MAX_TARGET_GROUP_NAME_LENGTH),
    canaryTargetGroup: z.string().min(1).max(MAX_TARGET_GROUP_NAME_LENGTH),
  })
  .strict()
  .describe('Weighted target groups of an ALB listener or rule, resolved by name in each region.');

/** A Service name: a DNS-1035 label (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/). */
const ServiceName = z
  .string()
  .min(1)
  .max(MAX_KUBERNETES_NAME_LENGTH)
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, {
    message: 'must be a Kubernetes Service name: lowercase letters, digits and "-", starting with a letter',
  });

export const AlbIngressTraffic = z
  .object({
    type: z.literal('albIngress'),
    ingress: z
      .string()
      .min(1)
      .max(MAX_KUBERNETES_SUBDOMAIN_LENGTH)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
        message: 'must be a Kubernetes object name: lowercase letters, digits, "-" and "."',
      })
      .describe('The Ingress (networking.k8s.io/v1) the AWS Load Balancer Controller made the ALB from.'),
    namespace: ResourceName.optional().describe("The Ingress's namespace; defaults to the service's."),
    actionName: ServiceName.optional().describe(
      'The action in `alb.ingress.kubernetes.io/actions.<actionName>`, which an Ingress path names as its backend service with port `use-annotation`; defaults to stableService.',
    ),
    stableService: ServiceName.describe('The Service selecting the stable pods.'),
    canaryService: ServiceName.describe(
      'The Service selecting only the canary pods (label `switchyard.dev/track: canary`).',
    ),
    servicePort: z
      .union([
        z.number().int().min(1).max(65535),
        z
          .string()
          .max(15)
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a port name such as http' }),
      ])
      .describe('The port of both Services, by number or name, as the action annotation gives it.'),
  })
  .strict()
  .describe(
    'Weights through the AWS Load Balancer Controller: Switchyard writes the Ingress action annotation and the controller changes the ALB rule.',
  );

export const ReplicaRatioTraffic = z
  .object({ type: z.literal('replicaRatio') })
  .strict()
  .describe('No load balancer: traffic follows the ratio of canary to stable replicas.');

export const Traffic = z.discriminatedUnion('type', [AlbTraffic, AlbIngressTraffic, ReplicaRatioTraffic]);

export const ReadinessPolicy = z
  .object({
    minScore: z.number().int().min(0).max(100).default(80),
    enforce: z.boolean().default(true).describe('false reports the score and blockers without stopping.'),
  })
  .strict();
