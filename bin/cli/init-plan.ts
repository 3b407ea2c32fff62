/**
 * What `switchyard init` writes: a starter release plan from the Deployments of one namespace,
 * as a YAML document whose comments say what was read, what was guessed and what is left to
 * decide. Pure: the command (init-command.ts) reads the cluster and hands the objects here.
 */
import type { V1Deployment, V1Ingress, V1OwnerReference, V1Probe, V1Service } from '@kubernetes/client-node';
import { Document, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { MAX_RELEASE_ID_LENGTH } from '../../lambdas/core/plan/limits';
import { type ReadinessFinding, readinessGateFailure, scoreReadiness } from '../../lambdas/core/readiness';

/** Where the context's cluster is, as far as the kubeconfig tells. */
export interface ClusterLocation {
  region?: string;
  cluster?: string;
  /** How it was told, for the comment: "the cluster ARN …", "the server URL …". */
  source?: string;
}

export interface InitInput {
  namespace: string;
  context: string;
  /** The API server's URL, for the comment. */
  server: string;
  location: ClusterLocation;
  deployments: readonly V1Deployment[];
  /** undefined when they could not be read (the reason is in `unread`). */
  services?: readonly V1Service[];
  ingresses?: readonly V1Ingress[];
  /** What could not be read and why, e.g. "Services (forbidden)". */
  unread: readonly string[];
}

/** Plans carry a Readiness gate policy of 80 by default (schema-traffic.ts). */
const DEFAULT_MIN_SCORE = 80;
/** Kubernetes' own default maxSurge: a batch of a quarter of the replicas. */
const DEFAULT_BATCH_PERCENT = 25;
/** plan/validate.ts: a rolling update takes at most 100 batches. */
const MAX_ROLLING_BATCHES = 100;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PLACEHOLDER_REGION = 'us-east-1';

export interface StarterPlan {
  document: Document;
  services: string[];
  skipped: Array<{ deployment: string; why: string }>;
}

export function starterPlan(input: InitInput): StarterPlan {
  const skipped: StarterPlan['skipped'] = [];
  const chosen: V1Deployment[] = [];
  for (const deployment of input.deployments) {
    const why = skipReason(deployment);
    if (why) skipped.push({ deployment: deployment.metadata?.name ?? '?', why });
    else chosen.push(deployment);
  }

  const doc = new Document({
    metadata: { releaseId: releaseIdFor(input.namespace) },
    regions: [
      {
        name: input.location.region ?? PLACEHOLDER_REGION,
        cluster: input.location.cluster ?? 'CHANGE-ME',
        wave: 1,
      },
    ],
    services: chosen.map((deployment) => serviceEntry(deployment, input.namespace)),
  });
  doc.commentBefore = [
    ` A starter release plan for namespace ${input.namespace}, written by switchyard init from the`,
    ` Deployments that context ${input.context} (${input.server}) showed.`,
    ' Every guess below says so. Before a release: set each image to the one to roll out, fill in',
    ' dependsOn, then `switchyard validate`, `switchyard preview` and `switchyard preflight` this file.',
    ...input.unread.map((what) => ` Not read: ${what}; traffic was guessed without them.`),
  ].join('\n');

  const root = doc.contents as YAMLMap;
  commentOn(
    pairOf(root, 'metadata'),
    ' One id per release: it names the release and its Step Functions execution.',
  );
  const regions = pairOf(root, 'regions');
  commentOn(
    regions,
    [
      input.location.region && input.location.cluster
        ? ` From ${input.location.source}.`
        : ` TODO: the kubeconfig does not say which EKS cluster this is (${input.location.source ?? 'no EKS cluster ARN or endpoint'}): set the region and the cluster's name.`,
      ' More regions: one entry each; the regions of a wave roll out together, waves one after another.',
    ].join('\n'),
  );

  const services = pairOf(root, 'services');
  commentOn(
    services,
    skipped.length === 0
      ? undefined
      : skipped.map(({ deployment, why }) => ` Skipped Deployment ${deployment}: ${why}.`).join('\n'),
  );
  const entries = (services.value as YAMLSeq).items as YAMLMap[];
  chosen.forEach((deployment, index) => {
    describeService(doc, entries[index]!, deployment, input);
  });
  return { document: doc, services: chosen.map((d) => serviceName(d)), skipped };
}

/** Why a Deployment is left out of the plan, or undefined to take it. */
function skipReason(deployment: V1Deployment): string | undefined {
  // Owned objects are managed through their owner
  // (https://kubernetes.io/docs/concepts/overview/working-with-objects/owners-dependents/):
  // Switchyard changing its image would fight the controller that owns it.
  const owners: V1OwnerReference[] = deployment.metadata?.ownerReferences ?? [];
  if (owners.length > 0) {
    const names = owners.map((owner) => `${owner.kind} ${owner.name} (${owner.apiVersion})`).join(', ');
    return `owned by ${names}, which decides how it rolls out; two controllers would fight over it`;
  }
  const name = deployment.metadata?.name ?? '';
  if (!DNS_LABEL.test(name) || name.length > 63)
    return 'its name is not a DNS label (lowercase letters, digits and "-"), which a plan service name must be';
  if ((deployment.spec?.template.spec?.containers ?? []).length === 0)
    return 'its pod template has no containers';
  return undefined;
}

function serviceName(deployment: V1Deployment): string {
  return deployment.metadata!.name!;
}

function releaseIdFor(namespace: string): string {
  return `${namespace}-CHANGE-ME`.slice(0, MAX_RELEASE_ID_LENGTH);
}

function serviceEntry(deployment: V1Deployment, namespace: string): Record<string, unknown> {
  const name = serviceName(deployment);
  const container = deployment.spec!.template.spec!.containers[0]!;
  const replicas = deployment.spec?.replicas ?? 1;
  return {
    name,
    namespace,
    deployment: name,
    ...(container.name !== name && { container: container.name }),
    image: container.image ?? 'CHANGE-ME',
    replicas,
    dependsOn: [],
    // analysisPerBatch turns true below when its readiness probe gives a check.
    strategy: strategyFor(deployment, replicas),
  };
}

function strategyFor(deployment: V1Deployment, replicas: number): Record<string, unknown> {
  if (deployment.spec?.strategy?.type === 'Recreate')
    return { type: 'recreate', reason: "the Deployment's own strategy is Recreate" };
  return { type: 'rolling', batch: rollingBatch(deployment, replicas), analysisPerBatch: false };
}

/** The Deployment's maxSurge as a batch, so a release moves as fast as its own rollouts did. */
function rollingBatch(deployment: V1Deployment, replicas: number): { size: number } | { percent: number } {
  const surge = deployment.spec?.strategy?.rollingUpdate?.maxSurge;
  if (typeof surge === 'number' && surge > 0 && Math.ceil(replicas / surge) <= MAX_ROLLING_BATCHES)
    return { size: surge };
  const percent = typeof surge === 'string' ? Number(/^(\d+)%$/.exec(surge)?.[1]) : Number.NaN;
  if (Number.isInteger(percent) && percent >= 1 && percent <= 100) return { percent };
  return { percent: DEFAULT_BATCH_PERCENT };
}

interface HttpProbe {
  path: string;
  port: string;
  scheme: string;
}

function httpProbe(probe: V1Probe | undefined): HttpProbe | undefined {
  const get = probe?.httpGet;
  if (!get) return undefined;
  return { path: get.path ?? '/', port: String(get.port), scheme: (get.scheme ?? 'HTTP').toLowerCase() };
}

/** The comments of one service, and its analysis when the readiness probe can be reached from outside. */
function describeService(doc: Document, entry: YAMLMap, deployment: V1Deployment, input: InitInput): void {
  const name = serviceName(deployment);
  const containers = deployment.spec!.template.spec!.containers;
  const first = containers[0]!;
  const replicas = deployment.spec?.replicas ?? 1;
  const others = containers.slice(1).map((container) => container.name);
  const service = input.services ? selectingService(input.services, deployment) : undefined;
  const ingress =
    service && input.ingresses ? routingIngress(input.ingresses, service.metadata!.name!) : undefined;

  const head = [
    ` ${name}: Deployment ${input.namespace}/${name}, ${replicas} replica${replicas === 1 ? '' : 's'}.`,
    others.length > 0
      ? ` It runs ${containers.length} containers; the release sets the image of "${first.name}" (the first); ${others.join(', ')} ${others.length === 1 ? 'keeps its own' : 'keep theirs'}.`
      : undefined,
    service
      ? ` Reached through Service ${service.metadata!.name}${ports(service)}${ingress ? ` and Ingress ${ingress.ingress.metadata!.name}${ingress.host ? ` (host ${ingress.host})` : ''}` : ''}.`
      : input.services
        ? ' No Service selects its pods: traffic follows its replicas (replicaRatio).'
        : undefined,
  ];
  entry.commentBefore = head.filter((line) => line !== undefined).join('\n');

  const image = entry.get('image', true) as Scalar;
  image.comment = ' running now: set the image this release rolls out';
  commentOn(
    pairOf(entry, 'dependsOn'),
    ' Services of this plan to roll out before this one, e.g. [postgres]; a region runs them as a DAG.',
  );

  const strategyPair = pairOf(entry, 'strategy');
  (strategyPair.value as YAMLMap).flow = true;
  const isRecreate = deployment.spec?.strategy?.type === 'Recreate';
  const strategyNotes = isRecreate
    ? [' Guessed from the Deployment: two versions never run side by side.']
    : [
        ' Guessed: rolling, in batches of its maxSurge. Canary and blueGreen need stable and canary traffic:',
        ...trafficHint(service, ingress),
      ];

  const probe = httpProbe(first.readinessProbe);
  if (probe && !isRecreate) {
    const url = ingress?.host
      ? `${ingress.tls ? 'https' : 'http'}://${ingress.host}${probe.path}`
      : undefined;
    if (url) {
      (strategyPair.value as YAMLMap).set('analysisPerBatch', true);
      entry.add(
        doc.createPair('analysis', {
          interval: '1m',
          count: 2,
          checks: [{ type: 'http', url, expectStatus: 200 }],
        }),
      );
      commentOn(
        pairOf(entry, 'analysis'),
        ` Health after each batch: its readiness probe's path (${probe.path}) through the Ingress host. Check it answers there.`,
      );
    } else {
      strategyNotes.push(
        ` Its readiness probe is GET ${probe.scheme}://<pod>:${probe.port}${probe.path}; an http check needs a URL Switchyard can`,
        ' reach (it does not run inside the cluster): add analysis: { interval: 1m, count: 2, checks: [{ type: http, url: … }] }',
        ' and set analysisPerBatch: true to judge each batch.',
      );
    }
  }
  commentOn(strategyPair, strategyNotes.join('\n'));

  const gate = scoreReadiness(deployment.spec!.template as Record<string, unknown>, {
    minScore: DEFAULT_MIN_SCORE,
    enforce: true,
  });
  const failure = readinessGateFailure(gate, DEFAULT_MIN_SCORE);
  if (failure) {
    entry.add(doc.createPair('readiness', { minScore: DEFAULT_MIN_SCORE, enforce: true }));
    const readiness = pairOf(entry, 'readiness');
    (readiness.value as YAMLMap).flow = true;
    const missing = missingByContainer(gate.findings);
    commentOn(
      readiness,
      [
        ` The readiness gate would stop this service before traffic moves: ${failure} (score ${gate.score}/100).`,
        ...missing.map((line) => ` ${line}`),
        ' Fix the pod template, or set enforce: false to have it reported only.',
      ].join('\n'),
    );
  }
}

/** What the readiness gate found missing, one line per container: "worker lacks runAsNonRoot, …". */
function missingByContainer(findings: readonly ReadinessFinding[]): string[] {
  const byContainer = new Map<string, string[]>();
  for (const finding of findings) {
    if (finding.ok) continue;
    byContainer.set(finding.container, [...(byContainer.get(finding.container) ?? []), finding.check]);
  }
  return [...byContainer].map(([container, checks]) => `Container ${container} lacks: ${checks.join(', ')}.`);
}

function trafficHint(service: V1Service | undefined, ingress: RoutingIngress | undefined): string[] {
  if (ingress?.alb && service) {
    const port = service.spec?.ports?.[0];
    return [
      ` its ALB comes from Ingress ${ingress.ingress.metadata!.name} (AWS Load Balancer Controller), so use`,
      ` traffic: { type: albIngress, ingress: ${ingress.ingress.metadata!.name}, stableService: ${service.metadata!.name},`,
      `   canaryService: ${service.metadata!.name}-canary, servicePort: ${port?.name ?? port?.port ?? 80} }`,
      ` with a Service ${service.metadata!.name}-canary selecting only switchyard.dev/track: canary pods (README: albIngress).`,
    ];
  }
  return [
    ' traffic: { type: alb, loadBalancerName, port, stableTargetGroup, canaryTargetGroup }, two target groups',
    ' of target type ip behind one listener rule (README: Target groups: stable and canary apart).',
  ];
}

/** The first Service whose selector the pod template's labels satisfy (a selector can only require labels). */
function selectingService(services: readonly V1Service[], deployment: V1Deployment): V1Service | undefined {
  const labels = deployment.spec?.template.metadata?.labels ?? {};
  return services.find((service) => {
    const selector = Object.entries(service.spec?.selector ?? {});
    return selector.length > 0 && selector.every(([key, value]) => labels[key] === value);
  });
}

function ports(service: V1Service): string {
  const list = (service.spec?.ports ?? []).map(
    (port) =>
      `${port.port}${port.targetPort !== undefined && String(port.targetPort) !== String(port.port) ? ` → ${port.targetPort}` : ''}`,
  );
  return list.length > 0 ? ` (port ${list.join(', ')})` : '';
}

interface RoutingIngress {
  ingress: V1Ingress;
  host?: string;
  tls: boolean;
  /** Made into an ALB by the AWS Load Balancer Controller (class alb). */
  alb: boolean;
}

function routingIngress(ingresses: readonly V1Ingress[], serviceName: string): RoutingIngress | undefined {
  for (const ingress of ingresses) {
    const spec = ingress.spec;
    const rule = spec?.rules?.find((candidate) =>
      candidate.http?.paths.some((path) => path.backend.service?.name === serviceName),
    );
    if (!rule && spec?.defaultBackend?.service?.name !== serviceName) continue;
    const host = rule?.host;
    const className =
      spec?.ingressClassName ?? ingress.metadata?.annotations?.['kubernetes.io/ingress.class'];
    return {
      ingress,
      ...(host && { host }),
      tls: (spec?.tls ?? []).some((tls) => host !== undefined && (tls.hosts ?? []).includes(host)),
      alb: className === 'alb',
    };
  }
  return undefined;
}

function pairOf(map: YAMLMap, key: string): Pair {
  const pair = map.items.find((item) => (item.key as Scalar).value === key);
  if (!pair) throw new Error(`no ${key} in the starter plan`);
  return pair as Pair;
}

function commentOn(pair: Pair, comment: string | undefined): void {
  if (comment) (pair.key as Scalar).commentBefore = comment;
}
