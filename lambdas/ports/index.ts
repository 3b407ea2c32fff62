/**
 * The ports: every effect a handler has goes through one of these narrow interfaces, named in
 * the domain's words. AWS adapters implement them in production; the rehearsal's simulated
 * fleet and the tests' fakes implement the same interfaces.
 */
import type { LockHolder } from '../core/errors';
import type { AlbIngressTrafficPlan, AlbTrafficPlan, CheckPlan, ReleasePlan } from '../core/plan/schema';
import type { PreflightReport } from '../core/preflight';
import type { RegisteredTarget } from '../core/target-health';

export type { RegisteredTarget, TargetHealthState } from '../core/target-health';

// ── shared shapes ────────────────────────────────────────────────────────────

/** Percent of traffic on each side; they add up to 100. */
export interface Weights {
  stable: number;
  canary: number;
}

/** One Deployment in one region's cluster. The canary Deployment is `<deployment>-canary`. */
export interface WorkloadTarget {
  region: string;
  cluster: string;
  namespace: string;
  deployment: string;
}

export type Track = 'stable' | 'canary';

export interface DeploymentView {
  name: string;
  namespace: string;
  replicas: number;
  /** Image per container name. */
  images: Record<string, string>;
  /** The pod template as the API returned it (spec.template): what readiness scoring reads. */
  template: Record<string, unknown>;
  generation: number;
  labels: Record<string, string>;
}

/** What a workload looked like before the release touched it: what a rollback restores. */
export interface DeploymentSnapshot {
  target: WorkloadTarget;
  /** false when the release created it (rollback deletes it instead of restoring it). */
  existed: boolean;
  replicas: number;
  images: Record<string, string>;
  template: Record<string, unknown>;
  /** Whether the canary Deployment existed before, and its replicas then. */
  canary: { existed: boolean; replicas: number };
}

export interface RolloutStatus {
  /** Judged as `kubectl rollout status` judges: see adapters/kubernetes/rollout-status.ts. */
  state: 'complete' | 'progressing' | 'failed';
  message: string;
  desired: number;
  updated: number;
  ready: number;
  available: number;
}

export interface Cluster {
  readDeployment(target: WorkloadTarget, track?: Track): Promise<DeploymentView | undefined>;
  snapshot(target: WorkloadTarget): Promise<DeploymentSnapshot>;
  setImage(target: WorkloadTarget, container: string, image: string, track?: Track): Promise<void>;
  scale(target: WorkloadTarget, replicas: number, track?: Track): Promise<void>;
  /**
   * Creates or updates `<deployment>-canary` from the stable Deployment's template with the
   * new image, labelled `switchyard.dev/track: canary` so a Service or TargetGroupBinding can
   * select it. Returns the canary Deployment's name.
   */
  ensureCanary(
    target: WorkloadTarget,
    spec: { container: string; image: string; replicas: number },
  ): Promise<string>;
  /** Scales the canary to zero, or deletes it. Absent canaries are fine: this is idempotent. */
  removeCanary(target: WorkloadTarget, mode: 'scaleToZero' | 'delete'): Promise<void>;
  rolloutStatus(target: WorkloadTarget, track?: Track): Promise<RolloutStatus>;
  /**
   * The IPs of the running pods of one track: the canary Deployment's by its selector, and the
   * stable Deployment's by its selector less pods labelled `switchyard.dev/track: canary` (which
   * carry the stable labels too). What target groups of type `ip` register, to compare with.
   */
  podAddresses(target: WorkloadTarget, track: Track): Promise<string[]>;
  /** Re-applies the saved template and replicas (not ReplicaSet history), and the canary's state. */
  restore(snapshot: DeploymentSnapshot): Promise<void>;
}

/** Where one service's weights live in one region, by the names in the plan. */
export type TrafficTarget = AlbTarget | AlbIngressTarget;

/** An ALB listener or rule that Switchyard changes itself. */
export interface AlbTarget {
  service: string;
  region: string;
  alb: AlbTrafficPlan;
}

/** An Ingress action whose weights the AWS Load Balancer Controller carries to the ALB. */
export interface AlbIngressTarget {
  service: string;
  region: string;
  /** The EKS cluster the Ingress lives in. */
  cluster: string;
  /** The Ingress's namespace (the plan's, or the service's). */
  namespace: string;
  albIngress: AlbIngressTrafficPlan;
}

export function isAlbIngressTarget(target: TrafficTarget): target is AlbIngressTarget {
  return 'albIngress' in target;
}

/** The Traffic port for one kind of target: what each traffic adapter implements. */
export type TrafficFor<T extends TrafficTarget> = {
  [Method in keyof Traffic]: Traffic[Method] extends (
    target: TrafficTarget,
    ...rest: infer Rest
  ) => infer Result
    ? (target: T, ...rest: Rest) => Result
    : never;
};

export interface ResolvedTraffic {
  loadBalancerArn: string;
  listenerArn: string;
  ruleArn?: string;
  stableTargetGroupArn: string;
  canaryTargetGroupArn: string;
}

export interface TargetHealthSummary {
  /** The target group's name, for messages. */
  name: string;
  targets: RegisteredTarget[];
}

/**
 * What handlers that only look at traffic use: a port of its own, so their IAM grants hold no
 * write (the stack grants each port's actions to the handlers that declare it).
 */
export interface TrafficReader {
  resolve(target: TrafficTarget): Promise<ResolvedTraffic>;
  getWeights(target: TrafficTarget): Promise<Weights>;
  targetHealth(target: TrafficTarget): Promise<Record<Track, TargetHealthSummary>>;
}

export interface Traffic extends TrafficReader {
  /**
   * Puts the canary group into the forward action at weight 0 when it is not there, so the load
   * balancer health-checks its targets (a group nothing forwards to reads `unused`); the split
   * is unchanged.
   */
  attachCanary(target: TrafficTarget): Promise<void>;
  /**
   * Applies the weights, reads them back, and returns what was read. With `expected` (the
   * weights the caller last applied), live weights that differ mean someone else changed them:
   * TrafficEditedError, and nothing is written.
   */
  setWeights(target: TrafficTarget, weights: Weights, expected?: Weights): Promise<Weights>;
}

export interface DnsRecord {
  hostedZoneId: string;
  recordName: string;
}

/** What handlers that only look at DNS use (as TrafficReader is to Traffic). */
export interface DnsReader {
  /** Weight (0–255) per set identifier of the record's weighted records. */
  getWeights(record: DnsRecord): Promise<Record<string, number>>;
  /** true once the change is INSYNC. */
  isInSync(changeId: string): Promise<boolean>;
}

export interface Dns extends DnsReader {
  /**
   * One change batch for all the given set identifiers (each record deleted exactly as read and
   * created with its new weight, so a record edited meanwhile is never overwritten); returns the
   * change id to wait on.
   */
  setWeights(record: DnsRecord, weights: Record<string, number>): Promise<{ changeId: string }>;
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One target group's figures for one period, as CloudWatch has them. */
export interface VersionMetrics {
  /**
   * RequestCount; undefined when CloudWatch has no datapoint for the period. That is no data, never
   * zero requests: the period may not be published yet, or nothing was reported.
   */
  requests: number | undefined;
  /** Requests that failed at or on the way to a target: its 5xx plus connections it refused. */
  errors: number;
  /** undefined when no target answered a request in the period. */
  p95LatencyMs: number | undefined;
  /** The most targets unhealthy at once in the period; undefined when CloudWatch reported none. */
  unhealthyTargets?: number | undefined;
}

/** One analysis interval's canary and stable figures. */
export interface ComparisonSample {
  at: string;
  canary: VersionMetrics;
  stable: VersionMetrics;
}

export interface ProbeResult {
  ok: boolean;
  detail: string;
  latencyMs: number;
}

export interface Signals {
  alarmStates(region: string, alarmNames: readonly string[]): Promise<Record<string, AlarmState>>;
  /** Per-interval metrics of both target groups between `from` and `to`. */
  compareTargetGroups(
    region: string,
    traffic: ResolvedTraffic,
    window: { from: Date; to: Date; periodSeconds: number },
  ): Promise<ComparisonSample[]>;
  httpProbe(check: Extract<CheckPlan, { type: 'http' }>): Promise<ProbeResult>;
  tcpProbe(check: Extract<CheckPlan, { type: 'tcp' }>): Promise<ProbeResult>;
  invokeHook(
    region: string,
    functionName: string,
    payload: Record<string, unknown>,
  ): Promise<{ verdict: 'pass' | 'fail' | 'inconclusive'; detail: string }>;
}

// ── preflight ────────────────────────────────────────────────────────────────

/** One EKS access entry, as DescribeAccessEntry and ListAssociatedAccessPolicies describe it. */
export interface AccessEntryView {
  principalArn: string;
  /** Kubernetes groups the entry maps its principal to: what they may do is RBAC's, not EKS's, to say. */
  kubernetesGroups: string[];
  accessPolicies: Array<{
    /** e.g. arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy */
    policyArn: string;
    scope: { type: 'cluster' } | { type: 'namespace'; namespaces: string[] };
  }>;
}

export interface ClusterAccessView {
  /** DescribeCluster's status, e.g. ACTIVE. */
  status: string;
  /** accessConfig.authenticationMode: API, API_AND_CONFIG_MAP or CONFIG_MAP. */
  authenticationMode?: string;
  /** The entries of the principals asked about that exist; a principal without one is absent. */
  entries: AccessEntryView[];
}

/** A target group as DescribeTargetGroups describes it. */
export interface TargetGroupView {
  arn: string;
  name: string;
  vpcId?: string;
  protocol?: string;
  port?: number;
  targetType?: string;
}

/** A Kubernetes authorization question, as a SelfSubjectAccessReview's resourceAttributes ask it. */
export interface AccessQuestion {
  namespace: string;
  verb: string;
  /** The API group: "apps" for Deployments, "networking.k8s.io" for Ingresses. */
  group: string;
  resource: string;
}

/**
 * What preflight reads of the account and the clusters before a release touches anything. Read
 * only: nothing here changes a resource.
 */
/**
 * The load balancers and Route 53 records Switchyard's roles may change, as the stack was
 * configured. A field left out is not limited by name (the stack's tag condition, or a rehearsal).
 */
export interface SwitchyardGrants {
  /** Load balancers whose listeners and rules the traffic handlers may modify. */
  loadBalancerNames?: readonly string[];
  /** Hosted zones whose records may be read and changed. */
  hostedZoneIds?: readonly string[];
  /** Record names that may be changed in those zones. */
  dnsRecordNames?: readonly string[];
}

export interface Inventory {
  /**
   * The IAM roles Switchyard's handlers change Deployments and Ingresses as: each needs an access
   * entry on every cluster. (The stack names them; a rehearsal has one simulated role.)
   */
  clusterRoleArns(): readonly string[];
  /** What Switchyard's own IAM lets it change (the stack's configuration). */
  grants(): SwitchyardGrants;
  /**
   * The cluster and the access entries of the given principals (DescribeCluster, ListAccessEntries,
   * DescribeAccessEntry, ListAssociatedAccessPolicies); undefined when the cluster does not exist.
   */
  clusterAccess(
    region: string,
    cluster: string,
    principalArns: readonly string[],
  ): Promise<ClusterAccessView | undefined>;
  /**
   * Whether this process's own identity may do what is asked (a SelfSubjectAccessReview). It
   * proves nothing about any other role: those are judged from their access entries.
   */
  mayI(
    location: { region: string; cluster: string },
    question: AccessQuestion,
  ): Promise<{ allowed: boolean; reason?: string }>;
  /** The target groups among these ARNs that exist. */
  targetGroups(region: string, arns: readonly string[]): Promise<TargetGroupView[]>;
  /** The names among these that are CloudWatch alarms (metric or composite) in the region. */
  existingAlarms(region: string, alarmNames: readonly string[]): Promise<string[]>;
}

/**
 * Preflight where the account and clusters can be read: what the API asks. In AWS the API
 * function invokes the preflight function (which holds the read grants and the cluster access);
 * on this machine it runs against the simulated fleet.
 */
export interface Preflight {
  check(plan: ReleasePlan): Promise<PreflightReport>;
}

// ── store ────────────────────────────────────────────────────────────────────

export type ReleaseStatus =
  | 'PENDING'
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'ROLLING_BACK'
  | 'ROLLED_BACK'
  | 'FAILED'
  | 'ABORTED'
  /** Refused by preflight before anything was touched: nothing changed. */
  | 'REFUSED';

export interface ReleaseRecord {
  releaseId: string;
  status: ReleaseStatus;
  /** sha256 of the canonical plan: the same id with another plan is a conflict. */
  planHash: string;
  createdAt: string;
  updatedAt: string;
  executionArn?: string;
  reason?: string;
  /** Who asked for it: the API caller, or the CLI user of a rehearsal. */
  submittedBy?: string;
  /** What the record is; absent on records written before kinds were recorded (releases, or failovers told apart by submittedBy). */
  kind?: 'release' | 'failover' | 'failback';
}

export type ServiceRolloutStatus =
  | 'PENDING'
  | 'IN_PROGRESS'
  | 'VALIDATING'
  | 'COMPLETED'
  | 'FAILED'
  | 'ROLLED_BACK'
  | 'SKIPPED';

export interface ServiceRolloutRecord {
  releaseId: string;
  region: string;
  service: string;
  status: ServiceRolloutStatus;
  stepIndex: number;
  stepCount: number;
  weights: Weights;
  checksPassed: number;
  checksFailed: number;
  /** Consecutive failed analysis intervals, for consecutiveFailureLimit. */
  consecutiveFailures: number;
  verdict?: 'pass' | 'fail' | 'inconclusive';
  reason?: string;
  /** The lane that claimed it: a retried claim by the same lane gets the same service back. */
  claimedBy?: string;
  startedAt?: string;
  endedAt?: string;
  updatedAt: string;
}

export type ServiceRolloutPatch = Partial<
  Pick<
    ServiceRolloutRecord,
    | 'status'
    | 'stepIndex'
    | 'weights'
    | 'checksPassed'
    | 'checksFailed'
    | 'consecutiveFailures'
    | 'verdict'
    | 'reason'
    | 'claimedBy'
    | 'startedAt'
    | 'endedAt'
  >
>;

export type { AuditAction, AuditEntry, NewAuditEntry } from '../core/audit';

import type { AuditEntry, NewAuditEntry } from '../core/audit';

export interface LockLease extends LockHolder {}

export type TaskTokenKind = 'approval' | 'dependency' | 'region';

export interface TaskTokenKey {
  releaseId: string;
  kind: TaskTokenKind;
  /** Names what waits, e.g. `us-east-1/auth/step-3` or `us-east-1/lane-2`. */
  name: string;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface Store {
  /** Creates the release, storing its plan; returns the existing one for the same id and hash. */
  createRelease(
    release: ReleaseRecord,
    planDocument: unknown,
  ): Promise<{ created: boolean; release: ReleaseRecord }>;
  getRelease(releaseId: string): Promise<ReleaseRecord | undefined>;
  getPlanDocument(releaseId: string): Promise<unknown>;
  /** Moves the status, only from one of `from` when given (throws ConditionFailed otherwise). */
  setReleaseStatus(
    releaseId: string,
    status: ReleaseStatus,
    changes?: { reason?: string; executionArn?: string; from?: readonly ReleaseStatus[] },
  ): Promise<ReleaseRecord>;
  listReleases(query: {
    status?: ReleaseStatus;
    since?: string;
    limit?: number;
    cursor?: string;
  }): Promise<Page<ReleaseRecord>>;

  /** Writes PENDING records; existing ones are kept (a retry changes nothing). */
  putServiceRollouts(records: readonly ServiceRolloutRecord[]): Promise<void>;
  getServiceRollout(
    releaseId: string,
    region: string,
    service: string,
  ): Promise<ServiceRolloutRecord | undefined>;
  listServiceRollouts(releaseId: string, region?: string): Promise<ServiceRolloutRecord[]>;
  /**
   * Applies the patch and appends the audit entry in one transaction; when `expect` is given,
   * only if the record's status is one of those.
   */
  updateServiceRollout(
    key: { releaseId: string; region: string; service: string },
    patch: ServiceRolloutPatch,
    audit: NewAuditEntry,
    expect?: readonly ServiceRolloutStatus[],
    /** Only while the release has this status, in the same transaction (ConditionFailedError otherwise). */
    whileRelease?: ReleaseStatus,
  ): Promise<ServiceRolloutRecord>;

  /** First write wins: a retried snapshot never overwrites the original. */
  putSnapshot(
    releaseId: string,
    service: string,
    snapshot: DeploymentSnapshot & { weights?: Weights },
  ): Promise<void>;
  getSnapshots(
    releaseId: string,
    region?: string,
  ): Promise<Array<{ service: string; snapshot: DeploymentSnapshot & { weights?: Weights } }>>;

  /** Appends in order; the same key twice stores one entry and returns it. */
  appendAudit(entry: NewAuditEntry): Promise<AuditEntry>;
  listAudit(releaseId: string, query?: { afterSeq?: number; limit?: number }): Promise<AuditEntry[]>;

  /**
   * Takes the scope's lease when free, expired, or already held by the same release and kind;
   * a rollback or failover may take over a release's lease. Otherwise throws LockHeldError.
   */
  acquireLock(
    scope: string,
    holder: Pick<LockHolder, 'releaseId' | 'kind'>,
    leaseSeconds: number,
  ): Promise<LockLease>;
  releaseLock(scope: string, releaseId: string): Promise<void>;
  /** The scope's live lease; an expired one reads as free (undefined). */
  getLock(scope: string): Promise<LockLease | undefined>;

  watchAlarms(releaseId: string, alarmNames: readonly string[]): Promise<void>;
  unwatchAlarms(releaseId: string): Promise<void>;
  releasesWatching(alarmName: string): Promise<string[]>;

  putTaskToken(key: TaskTokenKey, token: string): Promise<void>;
  /** Removes and returns the token, so two callers cannot both resume it. */
  takeTaskToken(key: TaskTokenKey): Promise<string | undefined>;
  listTaskTokens(releaseId: string, kind?: TaskTokenKind): Promise<Array<TaskTokenKey & { token: string }>>;

  /** true the first time an id is seen: EventBridge delivers at least once. */
  markEventSeen(eventId: string, ttlSeconds: number): Promise<boolean>;
}

// ── workflow and events ─────────────────────────────────────────────────────

export type MachineName =
  | 'release'
  | 'regionRollout'
  | 'serviceLane'
  | 'serviceRollout'
  | 'rollback'
  | 'failover';

export interface ExecutionDescription {
  executionArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  startDate: string;
  stopDate?: string;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface Workflow {
  /** Starts `name`; an execution of that name with the same input counts as started. */
  startExecution(
    machine: MachineName,
    name: string,
    input: Record<string, unknown>,
  ): Promise<{ executionArn: string; alreadyExisted: boolean }>;
  stopExecution(executionArn: string, reason: { error: string; cause: string }): Promise<void>;
  describeExecution(executionArn: string): Promise<ExecutionDescription | undefined>;
  executionArnFor(machine: MachineName, name: string): string;
  sendTaskSuccess(token: string, output: Record<string, unknown>): Promise<void>;
  sendTaskFailure(token: string, error: string, cause: string): Promise<void>;
  sendTaskHeartbeat(token: string): Promise<void>;
}

/** Detail types of Switchyard's own events (source `switchyard`), documented in the README. */
export type EventDetailType =
  | 'Release Started'
  | 'Release Succeeded'
  | 'Release Failed'
  | 'Release Rolled Back'
  | 'Release Refused'
  | 'Service Rollout Step'
  | 'Service Rollout Completed'
  | 'Service Rollout Failed'
  | 'Rollback Started'
  | 'Rollback Completed'
  | 'Failover Started'
  | 'Failover Completed'
  | 'Failover Failed'
  | 'Failback Completed';

export interface SwitchyardEvent {
  detailType: EventDetailType;
  releaseId: string;
  detail: Record<string, unknown>;
}

export interface Events {
  publish(events: readonly SwitchyardEvent[]): Promise<void>;
}

/** Time, so the rehearsal can run handlers on a virtual clock. */
export interface Clock {
  now(): Date;
}

/** Ports by region: each AWS region has its own clients. */
export interface Ports {
  cluster: Cluster;
  traffic: Traffic;
  /** The same traffic, read only: what a handler that never changes weights declares. */
  trafficReader: TrafficReader;
  dns: Dns;
  /** The same DNS, read only. */
  dnsReader: DnsReader;
  signals: Signals;
  inventory: Inventory;
  preflight: Preflight;
  store: Store;
  workflow: Workflow;
  events: Events;
  clock: Clock;
}
