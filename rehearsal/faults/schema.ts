/**
 * The fault file: what goes wrong, and when, during a rehearsal. Defined once here; the JSON
 * Schema in schema/fault-file.schema.json is generated from it (`faultFileJsonSchema`), and the
 * rules that need the plan (names of services and regions, steps) live in validate.ts.
 *
 * Times are virtual: a duration since the rehearsal started (`at: 12m`).
 */
import * as z from 'zod';
import { Duration, ReleaseId } from '../../lambdas/core/plan/schema';

/** Every port operation the fleet simulates, by port and method: what an operation fault names. */
export const CLUSTER_OPERATIONS = [
  'cluster.readDeployment',
  'cluster.snapshot',
  'cluster.setImage',
  'cluster.scale',
  'cluster.ensureCanary',
  'cluster.removeCanary',
  'cluster.rolloutStatus',
  'cluster.podAddresses',
  'cluster.restore',
] as const;
export const TRAFFIC_OPERATIONS = [
  'traffic.resolve',
  'traffic.getWeights',
  'traffic.attachCanary',
  'traffic.setWeights',
  'traffic.targetHealth',
] as const;
export const DNS_OPERATIONS = ['dns.getWeights', 'dns.setWeights', 'dns.isInSync'] as const;
export const SIGNALS_OPERATIONS = [
  'signals.alarmStates',
  'signals.compareTargetGroups',
  'signals.httpProbe',
  'signals.tcpProbe',
  'signals.invokeHook',
] as const;
export const OPERATIONS = [
  ...CLUSTER_OPERATIONS,
  ...TRAFFIC_OPERATIONS,
  ...DNS_OPERATIONS,
  ...SIGNALS_OPERATIONS,
] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * Kubernetes API failures a cluster operation can be made to meet, by the Status reason the API
 * server reports (429, 500, 503, 504, 409): all of them are worth retrying.
 */
export const CLUSTER_ERROR_REASONS = {
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
  Conflict: 409,
} as const;
export type ClusterErrorReason = keyof typeof CLUSTER_ERROR_REASONS;

const At = Duration.describe('Virtual time since the rehearsal started: 90s, 12m, 1h30m.');
const ServiceName = z.string().min(1).describe('A service of the plan.');
const RegionName = z.string().min(1).describe('A region of the plan.');
const RegionScope = RegionName.optional().describe('A region of the plan; absent means every region.');
const Version = z
  .enum(['new', 'previous'])
  .default('new')
  .describe("Which version: `new` runs the plan's image, `previous` what runs before the release.");

export const FaultStart = z
  .union([
    z
      .object({ step: z.number().int().min(1) })
      .strict()
      .describe("From the service's Nth traffic step (its Nth setWeight), counted from 1."),
    z
      .object({ weight: z.number().min(0).max(100) })
      .strict()
      .describe('From when the new version first takes at least this percent of the traffic.'),
    z.object({ at: At }).strict().describe('From a virtual time.'),
  ])
  .describe('When the fault starts, per region; absent means from the start.');

export const DegradedVersionFault = z
  .object({
    type: z.literal('degradedVersion'),
    service: ServiceName,
    region: RegionScope,
    version: Version,
    errorRatePercent: z.number().min(0).max(100).optional().describe('Percent of requests that fail.'),
    p95LatencyMs: z.number().positive().optional().describe('95th percentile latency in milliseconds.'),
    from: FaultStart.optional(),
  })
  .strict()
  .describe("A version's error rate or latency, from a step, a weight or a time.");

export const CrashingVersionFault = z
  .object({
    type: z.literal('crashingVersion'),
    service: ServiceName,
    region: RegionScope,
    version: Version,
    from: FaultStart.optional(),
  })
  .strict()
  .describe(
    "A version's pods accept no connections, from a step, a weight or a time: its targets fail their health checks and the load balancer counts a target connection error for each request they get.",
  );

export const OperationFailureFault = z
  .object({
    type: z.literal('operationFailure'),
    operation: z.enum(OPERATIONS),
    region: RegionScope,
    service: ServiceName.optional().describe('Only calls about this service; absent means any.'),
    times: z.number().int().min(1).default(1).describe('How many matching calls fail, from `at` on.'),
    error: z
      .string()
      .regex(/^[A-Z][A-Za-z0-9]*$/, { message: 'must be an error name such as ThrottlingException' })
      .optional()
      .describe(
        'The error: an AWS error name (ThrottlingException…) or, for cluster operations, a Kubernetes reason (TooManyRequests, InternalError, ServiceUnavailable, Timeout, Conflict).',
      ),
    timeout: z
      .literal(true)
      .optional()
      .describe('The call times out instead: the Task fails with States.Timeout.'),
    applied: z
      .boolean()
      .default(false)
      .describe('With timeout: the call took effect before the caller gave up on it.'),
    at: At.optional().describe('Calls before this virtual time are not counted.'),
  })
  .strict()
  .describe('A port operation fails its next N calls with a named error, or times out.');

export const RolloutNeverReadyFault = z
  .object({
    type: z.literal('rolloutNeverReady'),
    service: ServiceName,
    region: RegionScope,
    version: Version,
  })
  .strict()
  .describe(
    'Pods of the version never pass their readiness probe: the rollout exceeds its progress deadline.',
  );

export const AlarmFault = z
  .object({
    type: z.literal('alarm'),
    alarmName: z.string().min(1),
    region: RegionName,
    at: At,
    until: At.optional().describe('Back to OK at this virtual time; absent means it stays in ALARM.'),
    after: z
      .enum(['start', 'lastWave'])
      .default('start')
      .describe(
        "What `at` and `until` count from: the rehearsal's start, or the moment the rehearsed release's last wave ended (its rollback window opened). An alarm after a last wave the release never reached never fires.",
      ),
    deliveries: z
      .number()
      .int()
      .min(1)
      .max(5)
      .default(1)
      .describe('How many times EventBridge delivers the state change (2 rehearses a duplicated event).'),
  })
  .strict()
  .describe('A CloudWatch alarm enters ALARM.');

export const RegionOutageFault = z
  .object({
    type: z.literal('regionOutage'),
    region: RegionName,
    at: At,
    until: At.optional().describe('The region recovers at this virtual time; absent means it stays down.'),
    controlPlane: z
      .boolean()
      .default(true)
      .describe(
        'false: the APIs answer but the workloads are down (targets unhealthy, every request fails).',
      ),
  })
  .strict()
  .describe(
    'A region goes down: its cluster and load balancer calls fail, its targets are unhealthy, its requests fail and its alarms are in ALARM.',
  );

export const SecondReleaseFault = z
  .object({
    type: z.literal('secondRelease'),
    at: At,
    plan: z
      .string()
      .min(1)
      .optional()
      .describe('A plan file, relative to the fault file; absent means the same plan.'),
    releaseId: ReleaseId.optional().describe(
      "The second release's id; absent means the plan's id + `-second`.",
    ),
  })
  .strict()
  .describe('Someone submits another release while this one runs.');

/** The id a second release is submitted under: its own, or the rehearsed plan's with `-second`. */
export function secondReleaseId(fault: { releaseId?: unknown }, planReleaseId: string): string {
  return typeof fault.releaseId === 'string' ? fault.releaseId : `${planReleaseId}-second`.slice(0, 80);
}

export const InsecureWorkloadFault = z
  .object({
    type: z.literal('insecureWorkload'),
    service: ServiceName,
    region: RegionScope,
  })
  .strict()
  .describe(
    "The service's pod template runs as root with a writable root filesystem, privilege escalation, all capabilities, no limits and no probes: it fails the readiness gate.",
  );

export const SharedSelectorFault = z
  .object({
    type: z.literal('sharedSelector'),
    service: ServiceName,
    region: RegionScope,
  })
  .strict()
  .describe(
    "The stable target group's Kubernetes Service selects on the app label alone, so it also selects the canary's pods (which carry every stable label): stable and canary share a target group.",
  );

export const TrafficEditedFault = z
  .object({
    type: z.literal('trafficEdited'),
    service: ServiceName,
    region: RegionScope,
    at: At,
    weights: z
      .object({
        stable: z.number().int().min(0).max(100),
        canary: z.number().int().min(0).max(100),
      })
      .strict()
      .refine((weights) => weights.stable + weights.canary === 100, {
        message: 'stable and canary must add up to 100',
      })
      .describe('The percentages they set, adding up to 100.'),
  })
  .strict()
  .describe(
    "Someone else (a person in the console, another tool) sets the service's ALB weights at a virtual time.",
  );

export const DnsRecordEditedFault = z
  .object({
    type: z.literal('dnsRecordEdited'),
    setIdentifier: z.string().min(1).describe("A set identifier of the plan's weighted record."),
    at: At.describe('The first Route 53 change from this virtual time on meets the edit.'),
    ttl: z.number().int().min(0).max(2_147_483_647).describe('The TTL they set, in seconds.'),
  })
  .strict()
  .describe(
    "Someone else changes the record's TTL just before Switchyard's next change of the record reaches Route 53.",
  );

export const ControllerManagedFault = z
  .object({
    type: z.literal('controllerManaged'),
    loadBalancer: z
      .string()
      .min(1)
      .max(32)
      .describe(
        'The loadBalancerName of plain alb services of the plan (at most 32 characters, as ALB names).',
      ),
    region: RegionScope,
  })
  .strict()
  .describe(
    'The AWS Load Balancer Controller owns this load balancer (it carries its tags and gets its rules put back at each reconcile): plain alb services on it are refused before their traffic moves.',
  );

/** What a missingResource fault can take away: each is something preflight checks. */
export const MISSING_RESOURCE_KINDS = [
  'cluster',
  'deployment',
  'container',
  'loadBalancer',
  'listener',
  'rule',
  'targetGroup',
  'alarm',
  'record',
] as const;
export type MissingResourceKind = (typeof MISSING_RESOURCE_KINDS)[number];

export const MissingResourceFault = z
  .object({
    type: z.literal('missingResource'),
    kind: z.enum(MISSING_RESOURCE_KINDS),
    name: z
      .string()
      .min(1)
      .max(255)
      .describe(
        "The resource's name as the plan gives it: a cluster, Deployment, container, load balancer or target group name, a listener port, a rule's priority, an alarm name, or a record's set identifier.",
      ),
    region: RegionScope,
  })
  .strict()
  .describe('One resource the plan names does not exist when the release starts: preflight refuses it.');

export const FailoverFault = z
  .object({ type: z.literal('failover'), region: RegionName, at: At })
  .strict()
  .describe(
    'An operator fails the region over at a virtual time: its Route 53 weight to 0, the others scaled up.',
  );

export const FailbackFault = z
  .object({ type: z.literal('failback'), region: RegionName, at: At })
  .strict()
  .describe(
    "An operator fails the region back at a virtual time: its weight and the others' replicas restored.",
  );

export const Fault = z.discriminatedUnion('type', [
  DegradedVersionFault,
  CrashingVersionFault,
  OperationFailureFault,
  RolloutNeverReadyFault,
  AlarmFault,
  RegionOutageFault,
  SecondReleaseFault,
  InsecureWorkloadFault,
  SharedSelectorFault,
  TrafficEditedFault,
  DnsRecordEditedFault,
  ControllerManagedFault,
  MissingResourceFault,
  FailoverFault,
  FailbackFault,
]);

export const FleetSettings = z
  .object({
    images: z
      .record(z.string(), z.string().min(1))
      .default({})
      .describe(
        "The image each service runs before the release; absent means the plan's repository with tag `previous`.",
      ),
    requestsPerSecond: z
      .number()
      .positive()
      .optional()
      .describe('Requests per second each service serves in each region; absent means 40–80, by seed.'),
    rollout: z
      .object({
        replicaIntervalSeconds: z
          .number()
          .positive()
          .default(5)
          .describe('A new pod starts every this many seconds.'),
        readinessDelaySeconds: z
          .number()
          .min(0)
          .default(10)
          .describe('A new pod becomes ready after this long.'),
        progressDeadlineSeconds: z
          .number()
          .int()
          .positive()
          .default(600)
          .describe("The Deployments' progressDeadlineSeconds."),
      })
      .strict()
      .default({ replicaIntervalSeconds: 5, readinessDelaySeconds: 10, progressDeadlineSeconds: 600 }),
    dnsPropagationSeconds: z
      .number()
      .min(0)
      .max(3600)
      .default(30)
      .describe('How long a Route 53 change stays PENDING before it is INSYNC.'),
    healthCheckIntervalSeconds: z
      .number()
      .int()
      .min(5)
      .max(300)
      .default(30)
      .describe(
        "The target groups' HealthCheckIntervalSeconds (5–300, the ELB API's bounds and default): a new target reads `initial` until its first health check passes.",
      ),
  })
  .strict();

export const FaultFile = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional().describe('What this file rehearses.'),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .optional()
      .describe('The seed used when `--seed` is not given.'),
    expect: z
      .object({
        outcome: z.enum(['succeeded', 'rolledBack', 'failed', 'refused']),
        note: z.string().optional(),
      })
      .strict()
      .optional()
      .describe('The outcome this file should lead to, for tests that rehearse it.'),
    fleet: FleetSettings.default({
      images: {},
      rollout: { replicaIntervalSeconds: 5, readinessDelaySeconds: 10, progressDeadlineSeconds: 600 },
      dnsPropagationSeconds: 30,
      healthCheckIntervalSeconds: 30,
    }),
    faults: z.array(Fault).default([]),
  })
  .strict();

export type FaultFile = z.infer<typeof FaultFile>;
export type FaultPlan = z.infer<typeof Fault>;
export type FleetSettingsPlan = z.infer<typeof FleetSettings>;
export type DegradedVersionFault = z.infer<typeof DegradedVersionFault>;
export type CrashingVersionFault = z.infer<typeof CrashingVersionFault>;
export type FaultStart = z.infer<typeof FaultStart>;
export type OperationFailureFault = z.infer<typeof OperationFailureFault>;
export type RolloutNeverReadyFault = z.infer<typeof RolloutNeverReadyFault>;
export type AlarmFault = z.infer<typeof AlarmFault>;
export type RegionOutageFault = z.infer<typeof RegionOutageFault>;
export type SecondReleaseFault = z.infer<typeof SecondReleaseFault>;
export type InsecureWorkloadFault = z.infer<typeof InsecureWorkloadFault>;
export type SharedSelectorFault = z.infer<typeof SharedSelectorFault>;
export type TrafficEditedFault = z.infer<typeof TrafficEditedFault>;
export type DnsRecordEditedFault = z.infer<typeof DnsRecordEditedFault>;
export type ControllerManagedFault = z.infer<typeof ControllerManagedFault>;
export type MissingResourceFault = z.infer<typeof MissingResourceFault>;
export type FailoverFault = z.infer<typeof FailoverFault>;
export type FailbackFault = z.infer<typeof FailbackFault>;

/** A fault file with nothing in it: the fleet behaves, every call succeeds. */
export function noFaults(): FaultFile {
  return FaultFile.parse({});
}

export function faultFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(FaultFile, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  return {
    $id: 'https://switchyard.dev/schema/fault-file.schema.json',
    title: 'Switchyard rehearsal fault file',
    ...schema,
  };
}
