/**
 * The deployable stack under other settings (no load balancers, zones or concurrency), the state
 * machine files against asl-validator, and the guards on settings and generated handler entries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { substitutePlaceholders } from '../../lambdas/core/asl-placeholders';
import { addSwitchyardStacks, settingsFromContext } from '../../lib/app';
import { API_FUNCTION, handlerFunctions } from '../../lib/handler-catalog';
import { handlerEntrySource } from '../../lib/handler-entries';
import { HANDLER_BUNDLING } from '../../lib/handler-function';
import {
  MACHINE_FILES,
  MACHINE_NAMES,
  readMachineDefinition,
  substitutionsFor,
} from '../../lib/state-machine-files';
import { DEFAULT_PROJECT_ROOT, Switchyard, type SwitchyardProps } from '../../lib/switchyard';
import {
  ACCOUNT,
  aslValidator,
  functionsAllowed,
  HOME,
  OTHER,
  type Resource,
  reservedConcurrency,
  resourceTexts,
  type Synth,
  statementsGranting,
  TRAFFIC_WRITERS,
} from './switchyard-support';

// The shared synth set this account before these tests when they shared its file; they keep that environment.
beforeAll(() => {
  process.env.CDK_DEFAULT_ACCOUNT = ACCOUNT;
});

describe('the Switchyard stack with no load balancers, zones or concurrency configured', () => {
  let unconfigured: Synth;
  let warnings: string[];

  beforeAll(() => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: false,
    });
    const unconfiguredStacks = addSwitchyardStacks(app, {
      homeRegion: HOME,
      workloadRegions: [HOME, OTHER],
      clusters: [],
      createClusterAccessEntries: false,
      rollbackReservedConcurrency: 3,
      alarmReservedConcurrency: 2,
      apiReservedConcurrency: 7,
    });
    // Throws when cdk-nag reports a finding nobody acknowledged.
    const synthesized = Template.fromStack(unconfiguredStacks.home);
    unconfigured = {
      stacks: unconfiguredStacks,
      resources: synthesized.toJSON().Resources as Record<string, Resource>,
    };
    warnings = Annotations.fromStack(unconfiguredStacks.home)
      .findWarning('*', Match.anyValue())
      .map((warning) => JSON.stringify(warning.entry.data));
  });

  it('lets the traffic writers modify only listeners and rules tagged switchyard.dev/managed=true', () => {
    expect(functionsAllowed('elasticloadbalancing:ModifyRule', unconfigured)).toEqual(TRAFFIC_WRITERS);
    const listener = statementsGranting('elasticloadbalancing:ModifyListener', unconfigured);
    const rule = statementsGranting('elasticloadbalancing:ModifyRule', unconfigured);
    const everywhere = (type: string) =>
      [HOME, OTHER].map((region) => `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:${type}/app/*`).sort();
    expect(resourceTexts(listener)).toEqual(everywhere('listener'));
    expect(resourceTexts(rule)).toEqual(everywhere('listener-rule'));
    for (const statement of [...listener, ...rule]) {
      expect(statement.Condition).toEqual({
        StringEquals: { 'aws:ResourceTag/switchyard.dev/managed': 'true' },
      });
    }
  });

  it('lets no function read or change a Route 53 record, and says so when it synthesizes', () => {
    expect(functionsAllowed('route53:ChangeResourceRecordSets', unconfigured)).toEqual([]);
    expect(functionsAllowed('route53:ListResourceRecordSets', unconfigured)).toEqual([]);
    expect(warnings.some((warning) => warning.includes('No hostedZoneIds'))).toBe(true);
  });

  it('reserves the concurrency the settings ask for', () => {
    const rollback = readMachineDefinition(join(DEFAULT_PROJECT_ROOT, 'statemachines'), 'rollback').functions;
    expect(reservedConcurrency(unconfigured)).toEqual({
      ...Object.fromEntries(rollback.map((name) => [name, 3])),
      onAlarm: 2,
      [API_FUNCTION.name]: 7,
    });
  });
});

describe('the state machine files', () => {
  it('pass asl-validator once their placeholders are substituted', () => {
    const dir = join(DEFAULT_PROJECT_ROOT, 'statemachines');
    for (const machine of MACHINE_NAMES) {
      const definition = substitutePlaceholders(
        JSON.parse(readFileSync(join(dir, MACHINE_FILES[machine]), 'utf8')),
        {
          functionArn: (handler) => `arn:aws:lambda:${HOME}:${ACCOUNT}:function:switchyard-${handler}`,
          stateMachineArn: (child) => `arn:aws:states:${HOME}:${ACCOUNT}:stateMachine:switchyard-${child}`,
        },
      );
      const { isValid, errorsText } = aslValidator(definition);
      expect(isValid, `${machine}: ${errorsText('\n')}`).toBe(true);
    }
  });
});

describe('guards', () => {
  it('refuses a definition with a placeholder no function or state machine fills', () => {
    const placeholder = (name: string) => `\${${name}}`;
    const definition = {
      machine: 'rollback' as const,
      text: JSON.stringify({
        StartAt: 'A',
        States: {
          A: {
            Type: 'Task',
            Resource: placeholder('restoreEverythingFunctionArn'),
            End: true,
            Comment: placeholder('region'),
          },
        },
      }),
      functions: ['restoreEverything'],
      children: [],
    };
    expect(() =>
      substitutionsFor(definition, { functionArn: () => undefined, stateMachineArn: () => 'arn' }),
    ).toThrow(/rollback\.asl\.json: no substitution for \$\{restoreEverythingFunctionArn\}, \$\{region\}/);
  });

  it('refuses settings that would misroute alarms or name clusters outside the workload regions', () => {
    const build = (props: Partial<SwitchyardProps>) => () =>
      new Switchyard(new Stack(new App(), 'Guard', { env: { region: HOME } }), 'Switchyard', {
        workloadRegions: [HOME],
        ...props,
      });
    expect(build({ alarmNamePrefix: 'switchyard-' })).toThrow(/overlaps the orchestrator's own alarm names/);
    expect(build({ clusters: [{ region: OTHER, clusterName: 'prod', namespaces: ['shop'] }] })).toThrow(
      /prod is in eu-west-1, which is not a workload region/,
    );
    expect(build({ workloadRegions: [] })).toThrow(/name at least one region/);
  });

  it('refuses names that would widen the grants they narrow, and concurrency that would stop a function', () => {
    const build = (props: Partial<SwitchyardProps>) => () =>
      new Switchyard(new Stack(new App(), 'Guard', { env: { region: HOME } }), 'Switchyard', {
        workloadRegions: [HOME],
        ...props,
      });
    expect(build({ loadBalancerNames: ['shop-*'] })).toThrow(/"shop-\*" is not a load balancer name/);
    expect(build({ hostedZoneIds: ['*'] })).toThrow(/"\*" is not a hosted zone id/);
    expect(build({ dnsRecordNames: ['api.example.com'] })).toThrow(/give the hostedZoneIds they are in/);
    expect(build({ hostedZoneIds: ['Z0123456789'], dnsRecordNames: [] })).toThrow(/name at least one record/);
    expect(build({ rollbackReservedConcurrency: 0 })).toThrow(/rollbackReservedConcurrency: 0 must be/);
    expect(build({ apiReservedConcurrency: 2.5 })).toThrow(/apiReservedConcurrency: 2.5 must be/);
  });

  it('reserves no concurrency when told not to, for accounts whose quota leaves too little', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Unreserved', {
      env: { region: HOME },
    });
    const switchyard = new Switchyard(stack, 'Switchyard', {
      workloadRegions: [HOME],
      reserveConcurrency: false,
    });
    const reserved = Object.values(switchyard.functions).map(
      (fn) => (fn.function.node.defaultChild as CfnFunction).reservedConcurrentExecutions,
    );
    expect(reserved.every((value) => value === undefined)).toBe(true);
  });

  it('reads the load balancers, zones, record names and concurrency from context', () => {
    const settings = settingsFromContext(
      new App({
        context: {
          'switchyard:homeRegion': HOME,
          'switchyard:loadBalancerNames': 'shop-public, shop-internal',
          'switchyard:hostedZoneIds': '["Z0123456789"]',
          'switchyard:dnsRecordNames': ['api.example.com'],
          'switchyard:reserveConcurrency': 'false',
          'switchyard:rollbackReservedConcurrency': '4',
          'switchyard:apiReservedConcurrency': 12,
        },
      }),
    );
    expect(settings).toMatchObject({
      loadBalancerNames: ['shop-public', 'shop-internal'],
      hostedZoneIds: ['Z0123456789'],
      dnsRecordNames: ['api.example.com'],
      reserveConcurrency: false,
      rollbackReservedConcurrency: 4,
      apiReservedConcurrency: 12,
    });
    expect(settings.alarmReservedConcurrency).toBeUndefined();
    expect(() =>
      settingsFromContext(
        new App({ context: { 'switchyard:homeRegion': HOME, 'switchyard:apiReservedConcurrency': 'many' } }),
      ),
    ).toThrow(/switchyard:apiReservedConcurrency: expected a number/);
  });

  it('generates entries that import the handler and only the factories of its declared ports', () => {
    for (const deployed of handlerFunctions()) {
      const source = handlerEntrySource(deployed, '/repo', '/repo/.build/lambda-entries');
      expect(source).toContain(
        `import { ${deployed.exportName} as definition } from '../../${deployed.modulePath}';`,
      );
      const factories = /import \{ ([^}]+) \} from '\.\.\/\.\.\/lambdas\/handlers\/aws\/ports';/.exec(
        source,
      )?.[1];
      expect(factories?.split(', ').sort(), deployed.name).toEqual(
        [...deployed.ports].map((port) => `${port}Port`).sort(),
      );
    }
  });

  it('keeps class names through minification: error names are what Retry and Catch match', () => {
    expect(HANDLER_BUNDLING).toMatchObject({ minify: true, keepNames: true });
  });
});
