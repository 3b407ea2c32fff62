/**
 * The release plan language, defined once. The JSON Schema shipped in schema/ is generated from
 * these definitions (`switchyard schema`), so editors and API Gateway check the same rules.
 * Cross-field rules (cycles, unknown dependencies, weights, waves) live in validate.ts.
 */
import * as z from 'zod';
import { formatDuration, parseDuration } from '../duration';
import {
  MAX_ALARM_NAME_LENGTH,
  MAX_ALARMS_PER_CHECK,
  MAX_ANALYSIS_COUNT,
  MAX_CANARY_STEPS,
  MAX_CHECKS,
  MAX_CLUSTER_NAME_LENGTH,
  MAX_CONCURRENCY,
  MAX_DEPENDENCIES,
  MAX_DURATION_SECONDS,
  MAX_DURATION_TEXT_LENGTH,
  MAX_FUNCTION_NAME_LENGTH,
  MAX_HOST_LENGTH,
  MAX_HOSTED_ZONE_ID_LENGTH,
  MAX_IMAGE_LENGTH,
  MAX_KUBERNETES_NAME_LENGTH,
  MAX_KUBERNETES_SUBDOMAIN_LENGTH,
  MAX_LATENCY_MS,
  MAX_LATENCY_RATIO,
  MAX_LOAD_BALANCER_NAME_LENGTH,
  MAX_RECORD_NAME_LENGTH,
  MAX_REGION_NAME_LENGTH,
  MAX_REGIONS,
  MAX_RELEASE_ID_LENGTH,
  MAX_REPLICAS,
  MAX_REQUESTS_PER_INTERVAL,
  MAX_RULE_CONDITION_LENGTH,
  MAX_SERVICES,
  MAX_SET_IDENTIFIER_LENGTH,
  MAX_TARGET_GROUP_NAME_LENGTH,
  MAX_TEXT_LENGTH,
  MAX_URL_LENGTH,
  MAX_WAVE,
} from './limits';

const DURATION_TEXT = /^(?=\d)(?:\d+h)?(?:\d+m)?(?:\d+s)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const Duration = z
  .string()
  // Past the length cap the text is no duration anyway: one problem, and no pattern run over it.
  .max(MAX_DURATION_TEXT_LENGTH, { abort: true })
  .regex(DURATION_TEXT, { message: 'must be a duration such as 30s, 10m, 2h or 1h30m' })
  .refine((text) => (parseDuration(text) ?? 0) <= MAX_DURATION_SECONDS, {
    message: `must be at most ${formatDuration(MAX_DURATION_SECONDS)} (a year: the longest a Step Functions execution runs)`,
  })
  .describe(
    `A duration: a number followed by s, m or h, e.g. 30s, 10m, 2h, 1h30m; at most ${formatDuration(MAX_DURATION_SECONDS)}.`,
  );

/** Bounded free text: descriptions, owners, reasons. */
const Text = z.string().max(MAX_TEXT_LENGTH);

/** A reference to a service of the plan by name; unknown names are validate.ts's to report. */
const ServiceReference = z.string().max(MAX_KUBERNETES_NAME_LENGTH);

const ResourceName = z
  .string()
  .min(1)
  .max(MAX_KUBERNETES_NAME_LENGTH)
  .regex(DNS_LABEL, { message: 'must be a Kubernetes name: lowercase letters, digits and "-"' });

const RELEASE_ID_MESSAGE = `must be 1 to ${MAX_RELEASE_ID_LENGTH} characters of letters, digits, "-" and "_" (it names the Step Functions execution)`;
export const ReleaseId = z
  .string()
  .max(MAX_RELEASE_ID_LENGTH, { message: RELEASE_ID_MESSAGE, abort: true })
  .regex(new RegExp(`^[A-Za-z0-9_-]{1,${MAX_RELEASE_ID_LENGTH}}$`), { message: RELEASE_ID_MESSAGE })
  .describe('Names the release and its Step Functions execution.');

// ── analysis ─────────────────────────────────────────────────────────────────

export const AlarmCheck = z
  .object({
    type: z.literal('cloudwatchAlarms'),
    alarmNames: z.array(z.string().min(1).max(MAX_ALARM_NAME_LENGTH)).min(1).max(MAX_ALARMS_PER_CHECK),
  })
  .strict()
  .describe('Fails while any of these CloudWatch alarms is in ALARM.');

export const CompareCheck = z
  .object({
    type: z.literal('compare'),
    maxErrorRateIncreasePoints: z
      .number()
      .min(0)
      .max(100)
      .default(0.5)
      .describe('Canary error rate may exceed stable by at most this many percentage points.'),
    maxP95LatencyRatio: z
      .number()
      .min(1)
      .max(MAX_LATENCY_RATIO)
      .default(1.1)
      .describe('Canary p95 latency may be at most this multiple of stable p95 (1.1 = +10 %).'),
    minRequests: z
      .number()
      .int()
      .min(1)
      .max(MAX_REQUESTS_PER_INTERVAL)
      .default(100)
      .describe('Fewer canary requests than this in an interval is inconclusive, never a pass or fail.'),
    abortErrorRatePercent: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('Roll back at once when the canary error rate passes this.'),
    abortP95LatencyMs: z
      .number()
      .positive()
      .max(MAX_LATENCY_MS)
      .optional()
      .describe('Roll back at once when canary p95 passes this.'),
    maxUnhealthyTargets: z
      .number()
      .int()
      .min(0)
      .max(MAX_REPLICAS)
      .default(0)
      .describe(
        "An interval fails when more of the canary's targets than this were unhealthy at once (UnHealthyHostCount's maximum), whatever its traffic.",
      ),
  })
  .strict()
  .describe(
    "Compares canary against stable target-group metrics (ALB traffic only). Canary errors are its targets' 5xx plus the connections the load balancer could not make to them.",
  );

/** On http and tcp checks: a probe runs where Switchyard runs, so local targets are refused unless meant. */
const AllowLocalTargets = z
  .boolean()
  .optional()
  .describe(
    'true lets this probe reach a local address: loopback (localhost, 127.0.0.0/8, ::1), link-local (169.254.0.0/16, fe80::/10), the instance metadata service or EKS Pod Identity Agent (fd00:ec2::254, fd00:ec2::23) or unspecified (0.0.0.0, ::). Refused otherwise: a probe runs where Switchyard runs, not beside the service.',
  );

export const HttpCheck = z
  .object({
    type: z.literal('http'),
    url: z.url().max(MAX_URL_LENGTH),
    expectStatus: z.number().int().min(100).max(599).default(200),
    bodyContains: Text.optional(),
    timeout: Duration.default('5s'),
    allowLocalTargets: AllowLocalTargets,
  })
  .strict();

export const TcpCheck = z
  .object({
    type: z.literal('tcp'),
    host: z.string().min(1).max(MAX_HOST_LENGTH),
    port: z.number().int().min(1).max(65535),
    timeout: Duration.default('3s'),
    allowLocalTargets: AllowLocalTargets,
  })
  .strict();

export const LambdaCheck = z
  .object({
    type: z.literal('lambda'),
    functionName: z.string().min(1).max(MAX_FUNCTION_NAME_LENGTH),
  })
  .strict()
  .describe('Invokes a Lambda hook; it returns { "verdict": "pass" | "fail" | "inconclusive" }.');

export const Check = z.discriminatedUnion('type', [
  AlarmCheck,
  CompareCheck,
  HttpCheck,
  TcpCheck,
  LambdaCheck,
]);

export const Analysis = z
  .object({
    interval: Duration.default('1m').describe(
      'How long each judged interval is: a whole number of minutes, since ALB metrics come per minute.',
    ),
    duration: Duration.optional().describe('How long to analyse; give this or count.'),
    count: z
      .number()
      .int()
      .min(1)
      .max(MAX_ANALYSIS_COUNT)
      .optional()
      .describe('How many intervals to analyse; give this or duration.'),
    failureLimit: z
      .number()
      .int()
      .min(0)
      .max(MAX_ANALYSIS_COUNT)
      .default(0)
      .describe('Failed intervals tolerated before the verdict is fail.'),
    consecutiveFailureLimit: z.number().int().min(1).max(MAX_ANALYSIS_COUNT).optional(),
    inconclusive: z
      .enum(['pause', 'fail', 'pass'])
      .default('pause')
      .describe('What an inconclusive verdict does: pause for approval, fail, or pass.'),
    approvalTimeout: Duration.default('1h').describe('How long an inconclusive pause waits before failing.'),
    checks: z.array(Check).min(1).max(MAX_CHECKS),
  })
  .strict();

// ── strategies ───────────────────────────────────────────────────────────────

/** Said once, whichever bound a weight misses; validate.ts compares the weights that are in range. */
const weightOutOfRange = (issue: { input?: unknown }) =>
  `weight ${String(issue.input)} is outside 1..100 (a whole percentage)`;
export const SetWeightStep = z
  .object({
    setWeight: z
      .number()
      .int({ error: weightOutOfRange })
      .min(1, { error: weightOutOfRange })
      .max(100, { error: weightOutOfRange }),
  })
  .strict();
export const PauseStep = z
  .object({
    pause: z.union([
      z.object({ duration: Duration }).strict(),
      z.object({ untilApproved: z.literal(true), timeout: Duration.default('1h') }).strict(),
    ]),
  })
  .strict();
export const AnalysisStep = z
  .object({
    analysis: z
      .object({
        duration: Duration.optional(),
        count: z.number().int().min(1).max(MAX_ANALYSIS_COUNT).optional(),
      })
      .strict()
      .describe("Runs the service's analysis; duration or count override its length for this step."),
  })
  .strict();
export const CanaryStep = z.union([SetWeightStep, PauseStep, AnalysisStep]);

export const CanaryStrategy = z
  .object({
    type: z.literal('canary'),
    steps: z.array(CanaryStep).min(1).max(MAX_CANARY_STEPS),
  })
  .strict();

export const BlueGreenStrategy = z
  .object({
    type: z.literal('blueGreen'),
    previewAnalysis: z
      .boolean()
      .default(true)
      .describe('Analyse the green version before switching traffic.'),
    autoPromotionDelay: Duration.optional().describe(
      'Switch after this delay; absent means wait for approval.',
    ),
    scaleDownDelay: Duration.default('10m').describe(
      'How long the old (blue) version is kept after the switch.',
    ),
  })
  .strict();

export const RollingStrategy = z
  .object({
    type: z.literal('rolling'),
    batch: z.union([
      z.object({ size: z.number().int().min(1).max(MAX_REPLICAS) }).strict(),
      z.object({ percent: z.number().int().min(1).max(100) }).strict(),
    ]),
    analysisPerBatch: z.boolean().default(true),
  })
  .strict();

export const RecreateStrategy = z
  .object({
    type: z.literal('recreate'),
    reason: Text.optional().describe('Why two versions cannot run side by side.'),
  })
  .strict();

export const Strategy = z.discriminatedUnion('type', [
  CanaryStrategy,
  BlueGreenStrategy,
  RollingStrategy,
  RecreateStrategy,
]);

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

// ── the document ─────────────────────────────────────────────────────────────

export const Service = z
  .object({
    name: ResourceName,
    namespace: ResourceName.default('default'),
    deployment: ResourceName.optional().describe('Defaults to the service name.'),
    container: z
      .string()
      .min(1)
      .max(MAX_KUBERNETES_NAME_LENGTH)
      .optional()
      .describe('Defaults to the service name.'),
    image: z.string().min(1).max(MAX_IMAGE_LENGTH),
    dependsOn: z.array(ServiceReference).max(MAX_DEPENDENCIES).default([]),
    replicas: z
      .number()
      .int()
      .min(0)
      .max(MAX_REPLICAS)
      .optional()
      .describe('Expected replicas, for the planner; the cluster is authoritative at run time.'),
    strategy: Strategy.optional(),
    traffic: Traffic.default({ type: 'replicaRatio' }),
    analysis: Analysis.optional(),
    readiness: ReadinessPolicy.default({ minScore: 80, enforce: true }),
    failover: z
      .object({
        scale: z
          .boolean()
          .describe(
            'false keeps its replicas when a failover scales the surviving regions up (a single writer, a leader-elected store).',
          ),
      })
      .strict()
      .optional()
      .describe('How a failover treats this service; services with strategy recreate are never scaled.'),
  })
  .strict();

export const RegionName = z
  .string()
  .max(MAX_REGION_NAME_LENGTH, { abort: true })
  .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'must be an AWS region name such as us-east-1' });

export const Region = z
  .object({
    name: RegionName,
    cluster: z.string().min(1).max(MAX_CLUSTER_NAME_LENGTH).describe('The EKS cluster name in this region.'),
    wave: z.number().int().min(1).max(MAX_WAVE),
    services: z
      .array(ServiceReference)
      .max(MAX_SERVICES)
      .optional()
      .describe('A subset of services; absent means all.'),
    dns: z
      .object({
        setIdentifier: z.string().min(1).max(MAX_SET_IDENTIFIER_LENGTH),
        weight: z.number().int().min(0).max(255),
      })
      .strict()
      .optional(),
    concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).optional(),
  })
  .strict();

// The plan's long lists, bounded once: ReleasePlan holds them, and check.ts checks their elements
// one at a time against the same bounds (ReleasePlanOutline).
const regionList = <T extends z.ZodType>(region: T) => z.array(region).min(1).max(MAX_REGIONS);
const serviceList = <T extends z.ZodType>(service: T) => z.array(service).min(1).max(MAX_SERVICES);
const phaseList = <T extends z.ZodType>(phase: T) => z.array(phase).min(1).max(MAX_SERVICES);

export const BaselinePhase = z.array(ServiceReference).min(1).max(MAX_SERVICES);

export const Baseline = z
  .object({
    description: Text,
    phases: phaseList(BaselinePhase),
    estimate: z.object({ min: Duration, max: Duration }).strict().optional(),
  })
  .strict();

export const ReleasePlan = z
  .object({
    $schema: z.string().max(MAX_URL_LENGTH).optional(),
    metadata: z
      .object({
        releaseId: ReleaseId,
        description: Text.optional(),
        owner: Text.optional(),
      })
      .strict(),
    dns: z
      .object({
        hostedZoneId: z.string().min(1).max(MAX_HOSTED_ZONE_ID_LENGTH),
        recordName: z.string().min(1).max(MAX_RECORD_NAME_LENGTH),
      })
      .strict()
      .optional()
      .describe('The weighted Route 53 record that spreads traffic across regions.'),
    defaults: z
      .object({
        strategy: Strategy.optional(),
        analysis: Analysis.optional(),
        concurrency: z
          .number()
          .int()
          .min(1)
          .max(MAX_CONCURRENCY)
          .default(4)
          .describe('Services rolling out at once per region.'),
        stepRolloutEstimate: Duration.default('30s').describe('Planner estimate of one rollout action.'),
      })
      .strict()
      .default({ concurrency: 4, stepRolloutEstimate: '30s' }),
    waves: z
      .object({ bake: Duration.default('0s').describe('Bake between waves.') })
      .strict()
      .default({ bake: '0s' }),
    regions: regionList(Region),
    services: serviceList(Service),
    baseline: Baseline.optional().describe(
      'The schedule this plan replaces (sequential phases), shown beside the DAG figure by preview.',
    ),
  })
  .strict();

/**
 * ReleasePlan with the elements of its long lists (regions, services, baseline phases) left
 * unchecked, for check.ts to check one at a time: a document with a million wrong values then
 * stops at the problems it lists, instead of holding a million of them.
 */
export const ReleasePlanOutline = ReleasePlan.extend({
  regions: regionList(z.unknown()),
  services: serviceList(z.unknown()),
  baseline: Baseline.extend({ phases: phaseList(z.unknown()) }).optional(),
});

export type ReleasePlan = z.infer<typeof ReleasePlan>;
export type ServicePlan = z.infer<typeof Service>;
export type RegionPlan = z.infer<typeof Region>;
export type StrategyPlan = z.infer<typeof Strategy>;
export type CanaryStepPlan = z.infer<typeof CanaryStep>;
export type AnalysisPlan = z.infer<typeof Analysis>;
export type CheckPlan = z.infer<typeof Check>;
export type TrafficPlan = z.infer<typeof Traffic>;
export type AlbTrafficPlan = z.infer<typeof AlbTraffic>;
export type AlbIngressTrafficPlan = z.infer<typeof AlbIngressTraffic>;

export function releasePlanJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ReleasePlan, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  return {
    $id: 'https://switchyard.dev/schema/release-plan.schema.json',
    title: 'Switchyard release plan',
    ...schema,
  };
}
