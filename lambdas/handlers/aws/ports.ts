/**
 * The composition root for AWS: one factory per port, each building its adapter with SDK v3
 * clients created once per container (module scope). Per-region clients come from one module per
 * service (adapters/aws/sdk-clients/): esbuild keeps every export of a module imported with
 * `await import()`, and so every SDK package it imports, which Node loads at init. A Lambda entry imports only the factories
 * of the ports its handler declares, so a bundle carries only the adapters it uses. Every client
 * goes through prepareClient (traced once a Lambda entry has imported ./powertools).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IngressApi } from '../../adapters/aws/alb-ingress-traffic';
import { prepareClient } from '../../adapters/aws/client-hook';
import type {
  AbortAlarms,
  Clock,
  Cluster,
  Dns,
  DnsReader,
  Events,
  Inventory,
  Ports,
  Preflight,
  Signals,
  Store,
  Traffic,
  TrafficReader,
  Workflow,
} from '../../ports';

export type PortFactories = { [Name in keyof Ports]?: () => Ports[Name] | Promise<Ports[Name]> };

export const systemClock: Clock = { now: () => new Date() };

export function clockPort(): Clock {
  return systemClock;
}

const PORT_NAMES: ReadonlySet<string> = new Set<keyof Ports>([
  'store',
  'workflow',
  'events',
  'cluster',
  'traffic',
  'trafficReader',
  'dns',
  'dnsReader',
  'signals',
  'abortAlarms',
  'inventory',
  'preflight',
  'clock',
]);

let store: Store | undefined;
export async function storePort(): Promise<Store> {
  if (!store) {
    const { DynamoDbStore } = await import('../../adapters/dynamodb/store');
    const { ENVIRONMENT, requiredEnvironment } = await import('./environment');
    store = new DynamoDbStore({
      client: prepareClient(new DynamoDBClient({})),
      tableName: requiredEnvironment(ENVIRONMENT.tableName),
      clock: systemClock,
    });
  }
  return store;
}

let workflow: Workflow | undefined;
export async function workflowPort(): Promise<Workflow> {
  if (!workflow) {
    const { StepFunctionsWorkflow } = await import('../../adapters/aws/stepfunctions-workflow');
    const { SFNClient } = await import('@aws-sdk/client-sfn');
    const { stateMachineArns } = await import('./environment');
    workflow = new StepFunctionsWorkflow(prepareClient(new SFNClient({})), stateMachineArns());
  }
  return workflow;
}

let events: Events | undefined;
export async function eventsPort(): Promise<Events> {
  if (!events) {
    const { EventBridgeEvents } = await import('../../adapters/aws/eventbridge-events');
    const { EventBridgeClient } = await import('@aws-sdk/client-eventbridge');
    const { ENVIRONMENT, requiredEnvironment } = await import('./environment');
    events = new EventBridgeEvents(prepareClient(new EventBridgeClient({})), {
      eventBusName: requiredEnvironment(ENVIRONMENT.eventBusName),
    });
  }
  return events;
}

let cluster: Cluster | undefined;
export async function clusterPort(): Promise<Cluster> {
  if (!cluster) {
    const { createEksCluster } = await import('../../adapters/kubernetes/cluster');
    cluster = createEksCluster();
  }
  return cluster;
}

let traffic: Traffic | undefined;
/** Dispatches by the plan's traffic type; the Kubernetes client loads only for an albIngress call. */
export async function trafficPort(): Promise<Traffic> {
  if (!traffic) {
    const { AlbTraffic } = await import('../../adapters/aws/alb-traffic');
    const { AlbIngressTraffic } = await import('../../adapters/aws/alb-ingress-traffic');
    const { TrafficByType } = await import('../../adapters/aws/traffic');
    const { elbv2ClientFor } = await import('../../adapters/aws/sdk-clients/elbv2');
    let ingressApi: Promise<IngressApi> | undefined;
    const connected = () => {
      ingressApi ??= import('../../adapters/kubernetes/ingress-api').then((module) =>
        module.createEksIngressApi(),
      );
      return ingressApi;
    };
    const ingresses: IngressApi = {
      read: async (ref) => (await connected()).read(ref),
      patchAnnotations: async (ref, annotations, resourceVersion) =>
        (await connected()).patchAnnotations(ref, annotations, resourceVersion),
    };
    traffic = new TrafficByType({
      alb: new AlbTraffic(elbv2ClientFor),
      albIngress: new AlbIngressTraffic({ elbv2For: elbv2ClientFor, ingresses }),
    });
  }
  return traffic;
}

/**
 * The traffic adapter itself, typed to its reads: a reader's role holds no write grant, so AWS
 * would refuse a write even if one were attempted.
 */
export function trafficReaderPort(): Promise<TrafficReader> {
  return trafficPort();
}

let dns: Dns | undefined;
export async function dnsPort(): Promise<Dns> {
  if (!dns) {
    const { Route53Dns } = await import('../../adapters/aws/route53-dns');
    const { route53Client } = await import('../../adapters/aws/sdk-clients/route53');
    dns = new Route53Dns(route53Client());
  }
  return dns;
}

/** The DNS adapter itself, typed to its reads (as trafficReaderPort is). */
export function dnsReaderPort(): Promise<DnsReader> {
  return dnsPort();
}

let signals: Signals | undefined;
export async function signalsPort(): Promise<Signals> {
  if (!signals) {
    const { CloudWatchSignals } = await import('../../adapters/aws/cloudwatch-signals');
    const { cloudWatchClientFor } = await import('../../adapters/aws/sdk-clients/cloudwatch');
    const { lambdaClientFor } = await import('../../adapters/aws/sdk-clients/lambda');
    signals = new CloudWatchSignals({ cloudWatch: cloudWatchClientFor, lambda: lambdaClientFor });
  }
  return signals;
}

let abortAlarms: AbortAlarms | undefined;
export async function abortAlarmsPort(): Promise<AbortAlarms> {
  if (!abortAlarms) {
    const { CloudWatchAbortAlarms } = await import('../../adapters/aws/cloudwatch-abort-alarms');
    const { cloudWatchClientFor } = await import('../../adapters/aws/sdk-clients/cloudwatch');
    abortAlarms = new CloudWatchAbortAlarms(cloudWatchClientFor);
  }
  return abortAlarms;
}

let inventory: Inventory | undefined;
/** The Kubernetes client loads only when preflight asks its own access review. */
export async function inventoryPort(): Promise<Inventory> {
  if (!inventory) {
    const { AwsInventory } = await import('../../adapters/aws/inventory');
    const { cloudWatchClientFor } = await import('../../adapters/aws/sdk-clients/cloudwatch');
    const { eksClientFor } = await import('../../adapters/aws/sdk-clients/eks');
    const { elbv2ClientFor } = await import('../../adapters/aws/sdk-clients/elbv2');
    const { ENVIRONMENT, environmentList, requiredEnvironment } = await import('./environment');
    const loadBalancerNames = environmentList(ENVIRONMENT.loadBalancerNames);
    const hostedZoneIds = environmentList(ENVIRONMENT.hostedZoneIds);
    const dnsRecordNames = environmentList(ENVIRONMENT.dnsRecordNames);
    inventory = new AwsInventory({
      clusterRoleArns: requiredEnvironment(ENVIRONMENT.clusterRoleArns).split(/\s+/).filter(Boolean),
      grants: {
        ...(loadBalancerNames && { loadBalancerNames }),
        ...(hostedZoneIds && { hostedZoneIds }),
        ...(dnsRecordNames && { dnsRecordNames }),
      },
      eks: eksClientFor,
      elbv2: elbv2ClientFor,
      cloudWatch: cloudWatchClientFor,
      mayI: async (location, question) => {
        const { selfAccessReview } = await import('../../adapters/kubernetes/access-review');
        return selfAccessReview(location, question);
      },
    });
  }
  return inventory;
}

let preflight: Preflight | undefined;
export async function preflightPort(): Promise<Preflight> {
  if (!preflight) {
    const { LambdaPreflight } = await import('../../adapters/aws/lambda-preflight');
    const { LambdaClient } = await import('@aws-sdk/client-lambda');
    const { ENVIRONMENT, requiredEnvironment } = await import('./environment');
    preflight = new LambdaPreflight(
      prepareClient(new LambdaClient({})),
      requiredEnvironment(ENVIRONMENT.preflightFunctionName),
    );
  }
  return preflight;
}

/** Every port's factory: the default wiring. Entries pass only the ones their handler declares. */
export const AWS_PORT_FACTORIES: Required<PortFactories> = {
  store: storePort,
  workflow: workflowPort,
  events: eventsPort,
  cluster: clusterPort,
  traffic: trafficPort,
  trafficReader: trafficReaderPort,
  dns: dnsPort,
  dnsReader: dnsReaderPort,
  signals: signalsPort,
  abortAlarms: abortAlarmsPort,
  inventory: inventoryPort,
  preflight: preflightPort,
  clock: clockPort,
};

/**
 * Ports for a handler: declared ones built, others refusing loudly (a missing declaration is a bug).
 * `factories` has no default: referencing AWS_PORT_FACTORIES here would pull every adapter into
 * every bundle, since esbuild cannot drop factories a reachable object still names.
 */
export async function buildPorts(
  declared: ReadonlyArray<keyof Ports>,
  factories: PortFactories,
): Promise<Ports> {
  const built: Partial<Ports> = {};
  for (const name of declared) {
    const factory = factories[name];
    if (!factory) throw new Error(`no factory for the ${name} port`);
    Object.assign(built, { [name]: await factory() });
  }
  return new Proxy(built as Ports, {
    get(target, property: string) {
      if (property in target) return target[property as keyof Ports];
      if (typeof property === 'string' && PORT_NAMES.has(property)) {
        throw new Error(
          `this handler uses the ${property} port without declaring it (its IAM grants would be missing)`,
        );
      }
      return undefined;
    },
  });
}
