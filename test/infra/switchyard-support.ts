/** What the switchyard*.test.ts files share: the synthesized stacks, readers of their resources and IAM. */
import { createRequire } from 'node:module';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addSwitchyardStacks, type SwitchyardAppStacks } from '../../lib/app';

// asl-validator ships no type declarations.
export const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText: (separator?: string) => string;
};

export type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
export type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

export const HOME = 'us-east-1';
export const OTHER = 'eu-west-1';
export const ACCOUNT = '111111111111';
export const LOAD_BALANCERS = ['shop-public', 'shop-internal'];
/** The handlers that move traffic, and some that only look at it. */
export const TRAFFIC_WRITERS = [
  'onAlarm',
  'prepareCanary',
  'promoteCanary',
  'returnTrafficToStable',
  'shiftTraffic',
];
export const TRAFFIC_READERS = [
  'startServiceRollout',
  'verifyRollout',
  'runAnalysis',
  'verifyRestored',
  'preflightRelease',
  'preflightPlan',
];

export let stacks: SwitchyardAppStacks;
export let template: Template;
export let resources: Record<string, Resource>;

/**
 * The one synth a test file shares (bundling skipped); it throws when cdk-nag reports a finding
 * nobody acknowledged.
 */
export function synthesizeSwitchyard(): void {
  process.env.CDK_DEFAULT_ACCOUNT = ACCOUNT;
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [] },
    // CloudFormation's own template checks load a large WASM module (~15 s); `cdk synth` runs them.
    builtinCloudFormationValidation: false,
  });
  stacks = addSwitchyardStacks(app, {
    homeRegion: HOME,
    workloadRegions: [HOME, OTHER],
    clusters: [
      { region: HOME, clusterName: 'prod-use1', namespaces: ['shop', 'payments'] },
      { region: OTHER, clusterName: 'prod-euw1', namespaces: ['shop'] },
    ],
    loadBalancerNames: LOAD_BALANCERS,
    hostedZoneIds: ['Z0123456789'],
    dnsRecordNames: ['API.shop.example.com.', '*.edge.example.com'],
    createClusterAccessEntries: true,
  });
  // Throws when cdk-nag reports a finding nobody acknowledged.
  template = Template.fromStack(stacks.home);
  resources = template.toJSON().Resources as Record<string, Resource>;
}

export const ofType = (type: string, from = resources) =>
  Object.entries(from).filter(([, resource]) => resource.Type === type);
export const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
export const logicalIdOf = (construct: { node: { defaultChild?: unknown } }) =>
  stacks.home.getLogicalId(construct.node.defaultChild as never);

/** The statements of every IAM policy attached to a role, by policy logical id. */
export function policiesOfRole(roleLogicalId: string, from = resources): Record<string, Statement[]> {
  return Object.fromEntries(
    ofType('AWS::IAM::Policy', from)
      .filter(([, policy]) =>
        (policy.Properties.Roles as unknown[]).some(
          (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId }),
        ),
      )
      .map(([id, policy]) => [
        id,
        (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      ]),
  );
}
export const actionsOf = (statements: Statement[]) =>
  new Set(statements.flatMap((statement) => asList(statement.Action)));

export interface Synth {
  stacks: SwitchyardAppStacks;
  resources: Record<string, Resource>;
}

/** Every statement of every policy on a function's role. */
export function statementsOfFunction(name: string, synth: Synth = { stacks, resources }): Statement[] {
  const fn = synth.stacks.home.switchyard.functions[name]!;
  const roleId = synth.stacks.home.getLogicalId(fn.role.node.defaultChild as never);
  return Object.values(policiesOfRole(roleId, synth.resources)).flat();
}

/** The functions whose roles may call `action`. */
export function functionsAllowed(action: string, synth: Synth = { stacks, resources }): string[] {
  return Object.keys(synth.stacks.home.switchyard.functions)
    .filter((name) => actionsOf(statementsOfFunction(name, synth)).has(action))
    .sort();
}

/** The statements of all functions granting `action`. */
export function statementsGranting(action: string, synth: Synth = { stacks, resources }): Statement[] {
  return Object.keys(synth.stacks.home.switchyard.functions)
    .flatMap((name) => statementsOfFunction(name, synth))
    .filter((statement) => asList(statement.Action).includes(action));
}

/** An ARN as the template builds it, with the partition read as `aws`. */
export function arnText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (JSON.stringify(value) === JSON.stringify({ Ref: 'AWS::Partition' })) return 'aws';
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(arnText).join(join[0]);
  throw new Error(`not an ARN: ${JSON.stringify(value)}`);
}
export const resourceTexts = (statements: Statement[]) =>
  [...new Set(statements.flatMap((statement) => asList(statement.Resource).map(arnText)))].sort();

/** Reserved concurrency of each function that has one. */
export function reservedConcurrency(synth: Synth = { stacks, resources }): Record<string, number> {
  return Object.fromEntries(
    Object.entries(synth.stacks.home.switchyard.functions).flatMap(([name, fn]) => {
      const id = synth.stacks.home.getLogicalId(fn.function.node.defaultChild as never);
      const reserved = synth.resources[id]!.Properties.ReservedConcurrentExecutions;
      return reserved === undefined ? [] : [[name, reserved as number]];
    }),
  );
}
