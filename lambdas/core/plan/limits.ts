/**
 * The largest value each plan field may take. Every number, string and list in a plan is bounded,
 * so validating and previewing any document takes time and memory in proportion to its size.
 * Where AWS or Kubernetes sets the limit, the constant is that limit; the rest are far above what
 * a real fleet writes. The schema (schema.ts) applies them, and so the published JSON Schema.
 */
import { EXECUTION_NAME_MAX } from '../naming';

// ── fleet size ──────────────────────────────────────────────────────────────

/** Services in one plan: the fleet the planner benchmark measures (10,000 services, 50,000 edges). */
export const MAX_SERVICES = 10_000;

/**
 * Regions in one plan: more than AWS has, since a plan names each region once. Waves hold at
 * least one region each, so there are never more waves than regions.
 */
export const MAX_REGIONS = 64;
export const MAX_WAVE = MAX_REGIONS;

/**
 * Service rollouts in one release (each service once in each region that runs it): ten regions
 * of the largest fleet. Each is a child Step Functions execution and a row of the preview, so
 * this, not the document's size, bounds what `preview` computes and prints.
 */
export const MAX_SERVICE_ROLLOUTS = 10 * MAX_SERVICES;

/**
 * Steps a drained region's weight comes back in: each is a whole percentage of the weight it had,
 * rising to 100, and each waits restoreInterval; ten is more than any gradual return needs.
 */
export const MAX_DRAIN_RESTORE_STEPS = 10;
/** Between two restore steps: the failover lock is held the whole time, so an hour at most. */
export const MAX_DRAIN_RESTORE_INTERVAL_SECONDS = 3600;

/** The longest rollback window: a release holds the lock (and every other release waits) through it. */
export const MAX_ROLLBACK_WINDOW_SECONDS = 24 * 3600;

/** What one service may list in dependsOn: any real service depends on far fewer. */
export const MAX_DEPENDENCIES = 1_000;

/**
 * Services rolling out at once in a region. Each is a service lane, an iteration of an inline Map
 * state, and an inline Map runs at most 40 iterations at once: more lanes would only queue.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
 */
export const MAX_CONCURRENCY = 40;

/**
 * Replicas of one Deployment: no more than the 150,000 pods a Kubernetes cluster is built for.
 * https://kubernetes.io/docs/setup/best-practices/cluster-large/
 */
export const MAX_REPLICAS = 150_000;

/**
 * Rolling batches: each batch is a whole percentage of the replicas, so there are at most 100
 * distinct ones; a batch smaller than 1 % of the replicas cannot be told from the next.
 */
export const MAX_ROLLING_BATCHES = 100;

/**
 * Steps of a canary: weights rise strictly within 1–100, so at most 100 `setWeight`, each with a
 * pause and an analysis. A service rollout of 300 steps stays far under Step Functions' 25,000
 * history events per execution.
 */
export const MAX_CANARY_STEPS = 300;

/**
 * A rollback ramp: a handful of canary weights on the way back to 0, each held at most ten
 * minutes, so the whole ramp (9 intervals, 90 minutes) ends inside the rollback's two-hour
 * lease (leases.ts) with room for stable to become ready first.
 */
export const MAX_ROLLBACK_RAMP_STEPS = 10;
export const MAX_ROLLBACK_RAMP_INTERVAL_SECONDS = 600;

/** Checks in one analysis, and alarms in one `cloudwatchAlarms` check. */
export const MAX_CHECKS = 50;
export const MAX_ALARMS_PER_CHECK = 100;
/** Alarms the plan names for the whole release (`rollbackAlarms`): watched in every region. */
export const MAX_ROLLBACK_ALARMS = 100;

// ── time ────────────────────────────────────────────────────────────────────

/**
 * The longest duration a plan may write: a Standard Step Functions execution runs at most one
 * year, so no wait inside a release can be longer.
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
export const MAX_DURATION_SECONDS = 365 * 24 * 3600;
/** The longest duration text: `8759h59m59s` is 11 characters; leading zeros get some room. */
export const MAX_DURATION_TEXT_LENGTH = 20;

/** Analysis intervals (and failures tolerated): a year of the shortest interval, one minute. */
export const MAX_ANALYSIS_COUNT = MAX_DURATION_SECONDS / 60;

/** Requests in one analysis interval: a billion a minute is beyond any one target group. */
export const MAX_REQUESTS_PER_INTERVAL = 1_000_000_000;

/**
 * The slowest p95 latency worth aborting on: an ALB closes a connection idle for longer than its
 * idle timeout, at most 4,000 seconds.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html
 */
export const MAX_LATENCY_MS = 4_000 * 1000;

/**
 * Per-minute samples a judge check may require per side: a day of minutes. The Mann-Whitney test
 * is computed in O(n log n) on the samples and the Hodges-Lehmann shift on their n² pairwise
 * differences, so this bounds its memory (1440² differences, about 16 MB).
 */
export const MAX_JUDGE_SAMPLES = 1440;

/** The judge's confidence: from a coin toss to one false alarm in ten thousand judgements. */
export const MIN_JUDGE_CONFIDENCE = 0.5;
export const MAX_JUDGE_CONFIDENCE = 0.9999;

/** Canary p95 as a multiple of stable's: a hundredfold is a limit nobody means to allow. */
export const MAX_LATENCY_RATIO = 100;

// ── names and text ──────────────────────────────────────────────────────────

/**
 * A release id is the release's Step Functions execution name (1–80 characters); child executions
 * are named from it and hashed when too long (naming.ts). DynamoDB keys built from it and the
 * other names below (`RELEASE#<id>`, `ROLLOUT#<region>#<service>`, `WATCH#<alarm>`,
 * `AUDIT_KEY#alarm/<alarm>`) stay under the 2,048-byte partition and 1,024-byte sort key limits:
 * the longest is an alarm name, at most 255 UTF-16 units and so at most 765 UTF-8 bytes.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-partition-sort-keys
 */
export const MAX_RELEASE_ID_LENGTH = EXECUTION_NAME_MAX;

/** A Kubernetes name (Deployment, namespace, container): a DNS-1123 label. */
export const MAX_KUBERNETES_NAME_LENGTH = 63;
/** A Kubernetes object name that may have dots (an Ingress): a DNS-1123 subdomain. */
export const MAX_KUBERNETES_SUBDOMAIN_LENGTH = 253;
/** A host name (a TCP probe's host): 253 characters in DNS. */
export const MAX_HOST_LENGTH = 253;

/**
 * An image reference: repository with its registry (255, the limit clients impose), `:` and a tag
 * (128), `@` and a digest (`sha512:` and 128 hex digits).
 * https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 */
export const MAX_IMAGE_LENGTH = 255 + 1 + 128 + 1 + 135;

/** AWS region names are about 15 characters. */
export const MAX_REGION_NAME_LENGTH = 32;

/**
 * An EKS cluster name.
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html
 */
export const MAX_CLUSTER_NAME_LENGTH = 100;

/**
 * Load balancer and target group names; a listener rule's host header and path pattern values.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
 */
export const MAX_LOAD_BALANCER_NAME_LENGTH = 32;
export const MAX_TARGET_GROUP_NAME_LENGTH = 32;
export const MAX_RULE_CONDITION_LENGTH = 128;

/**
 * A CloudWatch alarm name.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
export const MAX_ALARM_NAME_LENGTH = 255;

/**
 * A Lambda function: its name, or its full ARN with a version or alias.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export const MAX_FUNCTION_NAME_LENGTH = 170;

/**
 * Route 53: a hosted zone id (32, written bare or as `/hostedzone/<id>`), a record name, and a
 * weighted record's set identifier.
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html
 */
export const MAX_HOSTED_ZONE_ID_LENGTH = '/hostedzone/'.length + 32;
export const MAX_RECORD_NAME_LENGTH = 1024;
export const MAX_SET_IDENTIFIER_LENGTH = 128;

/** A URL (an HTTP probe's, `$schema`): 2 kB, longer than any health endpoint's. */
export const MAX_URL_LENGTH = 2048;

/** Text a person writes: descriptions, owners, reasons, what a probe's body must contain. */
export const MAX_TEXT_LENGTH = 4096;

/** An emergency release's reason: a sentence or two, kept whole in the audit and the events. */
export const MAX_EMERGENCY_REASON_LENGTH = 500;

// ── the document itself ─────────────────────────────────────────────────────

/**
 * The most problems one answer lists. Past it, checking stops: a person fixes what is listed and
 * checks again, and a document of a million wrong values costs no more than a thousand.
 */
export const MAX_PROBLEMS = 1000;

/**
 * How deeply a document may nest: a plan nests fewer than ten levels. Deeper text is refused
 * before it is composed, since the YAML composer recurses once per level.
 */
export const MAX_NESTING_DEPTH = 64;

/**
 * Entries in one list or mapping of a document: twice the longest list a plan may have (services).
 * A list a little too long is reported by the schema, at its path; a far longer one is refused
 * as it is read, before it costs its length.
 */
export const MAX_COLLECTION_ENTRIES = 2 * MAX_SERVICES;

/**
 * Keys and values in one document: five times the planner benchmark's plan (10,000 services hold
 * about 190,000). Reading YAML costs about a kilobyte a value, so this bounds what any text costs.
 */
export const MAX_DOCUMENT_VALUES = 1_000_000;

/**
 * The largest plan file the CLI reads: four times the planner benchmark's 10,000 services as
 * JSON (2.4 MB). The API reads at most MAX_BODY_BYTES (lambdas/api/http.ts).
 */
export const MAX_PLAN_FILE_BYTES = 10 * 1024 * 1024;
