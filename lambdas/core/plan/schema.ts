/**
 * The release plan language, defined once. The JSON Schema shipped in schema/ is generated from
 * these definitions (`switchyard schema`), so editors and API Gateway check the same rules.
 * The sections are in schema-primitives.ts, schema-analysis.ts, schema-strategy.ts and
 * schema-traffic.ts; this module assembles the document and re-exports them.
 * Cross-field rules (cycles, unknown dependencies, weights, waves) live in validate.ts.
 */
import * as z from 'zod';
import { formatDuration, parseDuration } from '../duration';
import {
  MAX_ALARM_NAME_LENGTH,
  MAX_CLUSTER_NAME_LENGTH,
  MAX_CONCURRENCY,
  MAX_DEPENDENCIES,
  MAX_DRAIN_RESTORE_INTERVAL_SECONDS,
  MAX_DRAIN_RESTORE_STEPS,
  MAX_EMERGENCY_REASON_LENGTH,
  MAX_HOSTED_ZONE_ID_LENGTH,
  MAX_IMAGE_LENGTH,
  MAX_KUBERNETES_NAME_LENGTH,
  MAX_RECORD_NAME_LENGTH,
  MAX_REGION_NAME_LENGTH,
  MAX_REGIONS,
  MAX_REPLICAS,
  MAX_ROLLBACK_ALARMS,
  MAX_ROLLBACK_WINDOW_SECONDS,
  MAX_SERVICES,
  MAX_SET_IDENTIFIER_LENGTH,
  MAX_URL_LENGTH,
  MAX_WAVE,
} from './limits';
import { Analysis, type Check } from './schema-analysis';
import { Duration, ReleaseId, ResourceName, ServiceReference, Text } from './schema-primitives';
import { Rollback } from './schema-rollback';
import { type CanaryStep, Strategy } from './schema-strategy';
import { type AlbIngressTraffic, type AlbTraffic, ReadinessPolicy, Traffic } from './schema-traffic';

export {
  AlarmCheck,
  Analysis,
  Check,
  CompareCheck,
  HttpCheck,
  JudgeCheck,
  LambdaCheck,
  TcpCheck,
} from './schema-analysis';
export { Duration, ReleaseId } from './schema-primitives';
export { Rollback, RollbackRamp } from './schema-rollback';
export {
  AnalysisStep,
  BlueGreenStrategy,
  CanaryStep,
  CanaryStrategy,
  PauseStep,
  RecreateStrategy,
  RollingStrategy,
  SetWeightStep,
  Strategy,
} from './schema-strategy';
export {
  AlbIngressTraffic,
  AlbTraffic,
  ReadinessPolicy,
  ReplicaRatioTraffic,
  Traffic,
} from './schema-traffic';

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
    rollback: Rollback.optional().describe(
      "Replaces defaults.rollback for this service: `rollback: {}` returns this service's traffic at once.",
    ),
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

export const RegionDrain = z
  .union([
    z.literal(true),
    z
      .object({
        restoreSteps: z
          .array(z.number().int().min(1).max(100))
          .min(1)
          .max(MAX_DRAIN_RESTORE_STEPS)
          .describe(
            "Percentages of the region's weight before the drain, rising to 100: the weight comes back in these steps.",
          ),
        restoreInterval: Duration.refine(
          (text) => (parseDuration(text) ?? 0) <= MAX_DRAIN_RESTORE_INTERVAL_SECONDS,
          `must be at most ${formatDuration(MAX_DRAIN_RESTORE_INTERVAL_SECONDS)}: the drain holds the failover lock until its weight is back`,
        )
          .default('1m')
          .describe('Wait between two restore steps.'),
      })
      .strict(),
  ])
  .describe(
    "Moves the region's Route 53 weight to 0 (the other regions scaled up first, as a failover does) before its services roll out, and back after they are verified. true restores the weight in one step.",
  );

export const RollbackWindow = Duration.refine(
  (text) => (parseDuration(text) ?? 0) <= MAX_ROLLBACK_WINDOW_SECONDS,
  `must be at most ${formatDuration(MAX_ROLLBACK_WINDOW_SECONDS)}: the release holds the lock through its window`,
);

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
    drain: RegionDrain.optional(),
    concurrency: z.number().int().min(1).max(MAX_CONCURRENCY).optional(),
    rollbackWindow: RollbackWindow.optional().describe(
      "This region's rollback window, in place of waves.rollbackWindow.",
    ),
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
        emergency: z
          .object({
            reason: z
              .string()
              .max(MAX_EMERGENCY_REASON_LENGTH)
              // Something other than spaces (so not empty either): one problem, not two.
              .regex(/\S/, 'must say why: it is empty or only spaces')
              .describe('Why it cannot wait: in the audit and the events, with who submitted it.'),
          })
          .strict()
          .optional()
          .describe(
            'An emergency release: it goes to the head of the release queue (it is always queued), and with preempt it first rolls back a release that holds the lock.',
          ),
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
        rollback: Rollback.optional().describe(
          'How rollbacks return traffic, for services without their own.',
        ),
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
      .object({
        bake: Duration.default('0s').describe('Bake between waves.'),
        rollbackWindow: RollbackWindow.default('0s').describe(
          "After the last wave, how long each region's alarms are still watched: an alarm within it rolls the whole release back. The release holds the lock (MONITORING) until the longest window ends. A region's own rollbackWindow overrides it.",
        ),
      })
      .strict()
      .default({ bake: '0s', rollbackWindow: '0s' }),
    rollbackAlarms: z
      .array(z.string().min(1).max(MAX_ALARM_NAME_LENGTH))
      .max(MAX_ROLLBACK_ALARMS)
      .optional()
      .describe(
        'CloudWatch alarms watched in every region for the whole release: one entering ALARM rolls the release back.',
      ),
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
export type RegionDrainPlan = z.infer<typeof RegionDrain>;
export type StrategyPlan = z.infer<typeof Strategy>;
export type CanaryStepPlan = z.infer<typeof CanaryStep>;
export type AnalysisPlan = z.infer<typeof Analysis>;
export type RollbackPlan = z.infer<typeof Rollback>;
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
