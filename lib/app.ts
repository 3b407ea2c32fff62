/**
 * The Switchyard CDK app: the Switchyard stack in the home region, one alarm-forwarding stack
 * per other workload region, and cdk-nag's AwsSolutions checks over all of them (synth fails on
 * an unacknowledged finding). Settings come from context (cdk.json or `-c key=value`).
 */
import { type App, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { AlarmForwardingStack } from './alarm-forwarding';
import type { SwitchyardCluster } from './cluster-access';
import { eventBusName, Switchyard, type SwitchyardProps } from './switchyard';

export const CONTEXT = {
  homeRegion: 'switchyard:homeRegion',
  workloadRegions: 'switchyard:workloadRegions',
  clusters: 'switchyard:clusters',
  loadBalancerNames: 'switchyard:loadBalancerNames',
  hostedZoneIds: 'switchyard:hostedZoneIds',
  dnsRecordNames: 'switchyard:dnsRecordNames',
  reserveConcurrency: 'switchyard:reserveConcurrency',
  rollbackReservedConcurrency: 'switchyard:rollbackReservedConcurrency',
  alarmReservedConcurrency: 'switchyard:alarmReservedConcurrency',
  apiReservedConcurrency: 'switchyard:apiReservedConcurrency',
  alarmNamePrefix: 'switchyard:alarmNamePrefix',
  namePrefix: 'switchyard:namePrefix',
  createClusterAccessEntries: 'switchyard:createClusterAccessEntries',
  notifications: 'switchyard:notifications',
  githubRepository: 'switchyard:githubRepository',
  githubBranch: 'switchyard:githubBranch',
  githubPreflightOnPullRequests: 'switchyard:githubPreflightOnPullRequests',
} as const;

export interface SwitchyardAppSettings {
  readonly homeRegion: string;
  readonly workloadRegions: readonly string[];
  readonly clusters: readonly SwitchyardCluster[];
  readonly loadBalancerNames?: readonly string[];
  readonly hostedZoneIds?: readonly string[];
  readonly dnsRecordNames?: readonly string[];
  readonly reserveConcurrency?: boolean;
  readonly rollbackReservedConcurrency?: number;
  readonly alarmReservedConcurrency?: number;
  readonly apiReservedConcurrency?: number;
  readonly alarmNamePrefix?: string;
  readonly namePrefix?: string;
  readonly createClusterAccessEntries: boolean;
  /** Release notifications to a topic the stack creates. */
  readonly notifications?: boolean;
  /** `OWNER/REPO` whose GitHub Actions may start releases (from githubBranch, default main). */
  readonly githubRepository?: string;
  readonly githubBranch?: string;
  readonly githubPreflightOnPullRequests?: boolean;
}

/** Reads the settings from context; lists may be JSON arrays or comma-separated text. */
export function settingsFromContext(scope: Construct): SwitchyardAppSettings {
  const read = (key: string): unknown => scope.node.tryGetContext(key);
  const homeRegion = text(read(CONTEXT.homeRegion), CONTEXT.homeRegion) ?? process.env.CDK_DEFAULT_REGION;
  if (!homeRegion) {
    throw new Error(`set the home region: -c ${CONTEXT.homeRegion}=<region> (or in cdk.json's context)`);
  }
  const workloadRegions = list(read(CONTEXT.workloadRegions), CONTEXT.workloadRegions) ?? [homeRegion];
  return {
    homeRegion,
    workloadRegions,
    clusters: clusters(read(CONTEXT.clusters)),
    loadBalancerNames: list(read(CONTEXT.loadBalancerNames), CONTEXT.loadBalancerNames),
    hostedZoneIds: list(read(CONTEXT.hostedZoneIds), CONTEXT.hostedZoneIds),
    dnsRecordNames: list(read(CONTEXT.dnsRecordNames), CONTEXT.dnsRecordNames),
    reserveConcurrency:
      read(CONTEXT.reserveConcurrency) === undefined ? undefined : flag(read(CONTEXT.reserveConcurrency)),
    rollbackReservedConcurrency: count(
      read(CONTEXT.rollbackReservedConcurrency),
      CONTEXT.rollbackReservedConcurrency,
    ),
    alarmReservedConcurrency: count(read(CONTEXT.alarmReservedConcurrency), CONTEXT.alarmReservedConcurrency),
    apiReservedConcurrency: count(read(CONTEXT.apiReservedConcurrency), CONTEXT.apiReservedConcurrency),
    alarmNamePrefix: text(read(CONTEXT.alarmNamePrefix), CONTEXT.alarmNamePrefix),
    namePrefix: text(read(CONTEXT.namePrefix), CONTEXT.namePrefix),
    createClusterAccessEntries: flag(read(CONTEXT.createClusterAccessEntries)),
    notifications: flag(read(CONTEXT.notifications)),
    githubRepository: text(read(CONTEXT.githubRepository), CONTEXT.githubRepository),
    githubBranch: text(read(CONTEXT.githubBranch), CONTEXT.githubBranch),
    githubPreflightOnPullRequests: flag(read(CONTEXT.githubPreflightOnPullRequests)),
  };
}

export interface SwitchyardStackProps extends StackProps {
  readonly switchyard: SwitchyardProps;
}

export class SwitchyardStack extends Stack {
  readonly switchyard: Switchyard;

  constructor(scope: Construct, id: string, props: SwitchyardStackProps) {
    super(scope, id, props);
    this.switchyard = new Switchyard(this, 'Switchyard', props.switchyard);
  }
}

export interface SwitchyardAppStacks {
  readonly home: SwitchyardStack;
  /** By region: every workload region other than the home region. */
  readonly forwarding: Readonly<Record<string, AlarmForwardingStack>>;
}

/** Adds Switchyard's stacks and the nag checks to `app`. */
export function addSwitchyardStacks(
  app: App,
  settings: SwitchyardAppSettings,
  overrides: Partial<SwitchyardProps> = {},
): SwitchyardAppStacks {
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const namePrefix = settings.namePrefix ?? 'switchyard';
  const alarmNamePrefix = settings.alarmNamePrefix ?? 'switchyard-rollback-';
  const home = new SwitchyardStack(app, 'Switchyard', {
    env: { account, region: settings.homeRegion },
    description: 'Switchyard: deployment orchestrator for microservices on Amazon EKS',
    switchyard: {
      workloadRegions: settings.workloadRegions,
      clusters: settings.clusters,
      loadBalancerNames: settings.loadBalancerNames,
      hostedZoneIds: settings.hostedZoneIds,
      dnsRecordNames: settings.dnsRecordNames,
      reserveConcurrency: settings.reserveConcurrency,
      rollbackReservedConcurrency: settings.rollbackReservedConcurrency,
      alarmReservedConcurrency: settings.alarmReservedConcurrency,
      apiReservedConcurrency: settings.apiReservedConcurrency,
      alarmNamePrefix,
      namePrefix,
      createClusterAccessEntries: settings.createClusterAccessEntries,
      notifications: settings.notifications,
      ...(settings.githubRepository !== undefined && {
        githubDeployRole: {
          repository: settings.githubRepository,
          branch: settings.githubBranch,
          preflightOnPullRequests: settings.githubPreflightOnPullRequests,
        },
      }),
      ...overrides,
    },
  });
  const forwarding: Record<string, AlarmForwardingStack> = {};
  for (const region of settings.workloadRegions.filter((region) => region !== settings.homeRegion)) {
    const stack = new AlarmForwardingStack(app, `SwitchyardAlarmForwarding-${region}`, {
      env: { account, region },
      description: `Switchyard: forwards ${region}'s rollback alarms to ${settings.homeRegion}`,
      homeRegion: settings.homeRegion,
      eventBusName: eventBusName(namePrefix),
      alarmNamePrefix,
      namePrefix,
    });
    // The target bus must exist before a rule can point at it.
    stack.addStackDependency(home);
    forwarding[region] = stack;
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { home, forwarding };
}

function text(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw new Error(`context ${key}: expected text, got ${JSON.stringify(value)}`);
  return value;
}

function list(value: unknown, key: string): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'string' && value.trim().startsWith('[') ? JSON.parse(value) : value;
  if (typeof parsed === 'string')
    return parsed
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
  throw new Error(`context ${key}: expected a list of names, got ${JSON.stringify(value)}`);
}

/** A number, or its text (`-c key=10`). */
function count(value: unknown, key: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'string' ? Number(value) : value;
  if (typeof parsed !== 'number' || Number.isNaN(parsed))
    throw new Error(`context ${key}: expected a number, got ${JSON.stringify(value)}`);
  return parsed;
}

function flag(value: unknown): boolean {
  return value === true || value === 'true';
}

/** `[{ "region", "clusterName", "namespaces": [...] }]`, as JSON text or a value from cdk.json. */
function clusters(value: unknown): SwitchyardCluster[] {
  if (value === undefined || value === null || value === '') return [];
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (item) =>
        item &&
        typeof item.region === 'string' &&
        typeof item.clusterName === 'string' &&
        Array.isArray(item.namespaces) &&
        item.namespaces.every((namespace: unknown) => typeof namespace === 'string'),
    );
  if (!valid) {
    throw new Error(
      `context ${CONTEXT.clusters}: expected [{"region":"…","clusterName":"…","namespaces":["…"]}], got ${JSON.stringify(value)}`,
    );
  }
  return parsed as SwitchyardCluster[];
}
