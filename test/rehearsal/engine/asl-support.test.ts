/**
 * The rehearsal runs only ASL the local engine executes as AWS would: anything it would ignore
 * or misread (JSONata, variables, Distributed Map, dynamic heartbeats, other service
 * integrations) is refused before a state runs, and the shipped state machines use none of it.
 * What it runs is the files themselves: nothing is rewritten for the engine's sake.
 */
import { describe, expect, it } from 'vitest';
import type { MachineName } from '../../../lambdas/ports';
import {
  type AslDefinition,
  type AslState,
  LOCAL_ARNS,
  substitutePlaceholders,
  UnsupportedAslError,
  unsupportedFeatures,
} from '../../../rehearsal/engine/asl-support';
import { loadEngine } from '../../../rehearsal/engine/load-engine';
import { LocalStepFunctions } from '../../../rehearsal/engine/local-step-functions';
import { VirtualScheduler } from '../../../rehearsal/engine/virtual-time';
import { readStateMachines } from '../../../rehearsal/rehearse';

/** The placeholders the ASL files carry, which CDK and the rehearsal fill with ARNs. */
const functionArn = (handler: string) => `\${${handler}FunctionArn}`;
const stateMachineArn = (machine: string) => `\${${machine}StateMachineArn}`;

const task = (extra: Record<string, unknown> = {}): AslState => ({
  Type: 'Task',
  Resource: functionArn('checkThings'),
  End: true,
  ...extra,
});

const oneState = (state: AslState, extra: Partial<AslDefinition> = {}): AslDefinition => ({
  StartAt: 'Only State',
  States: { 'Only State': state },
  ...extra,
});

const inlineMap = (processor: Record<string, unknown>, extra: Record<string, unknown> = {}): AslState => ({
  Type: 'Map',
  ItemsPath: '$.items',
  ItemProcessor: { StartAt: 'Per Item', States: { 'Per Item': task() }, ...processor },
  End: true,
  ...extra,
});

/** Definitions the engine would not run as AWS does, with what the refusal must name. */
const REFUSED: Array<{ feature: string; definition: AslDefinition; names: string[] }> = [
  {
    feature: 'QueryLanguage JSONata on the machine',
    definition: oneState({ Type: 'Pass', End: true }, { QueryLanguage: 'JSONata' }),
    names: ['QueryLanguage JSONata'],
  },
  {
    feature: 'QueryLanguage JSONata on a state',
    definition: oneState({ Type: 'Pass', QueryLanguage: 'JSONata', End: true }),
    names: ['Only State', 'QueryLanguage'],
  },
  {
    feature: 'JSONata Arguments and Output on a Task',
    definition: oneState(
      task({ Arguments: { id: '{% $states.input.id %}' }, Output: '{% $states.result %}' }),
    ),
    names: ['Only State', 'Arguments', 'Output'],
  },
  {
    feature: 'Assign (variables)',
    definition: oneState({ Type: 'Pass', Assign: { attempt: 1 }, End: true }),
    names: ['Only State', 'Assign'],
  },
  {
    feature: 'ItemReader',
    definition: oneState(
      inlineMap({}, { ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: {} } }),
    ),
    names: ['Only State', 'ItemReader'],
  },
  {
    feature: 'a Distributed Map',
    definition: oneState(
      inlineMap(
        { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
        { ToleratedFailurePercentage: 5, ItemBatcher: { MaxItemsPerBatch: 10 } },
      ),
    ),
    names: ['Distributed Map', 'ToleratedFailurePercentage', 'ItemBatcher'],
  },
  {
    feature: 'HeartbeatSecondsPath',
    definition: oneState(
      task({
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: functionArn('requestApproval'),
          Payload: { 'taskToken.$': '$$.Task.Token' },
        },
        HeartbeatSecondsPath: '$.heartbeat',
      }),
    ),
    names: ['Only State', 'HeartbeatSecondsPath'],
  },
  {
    feature: 'a service integration the rehearsal cannot run',
    definition: oneState(task({ Resource: 'arn:aws:states:::dynamodb:putItem' })),
    names: ['Only State', 'arn:aws:states:::dynamodb:putItem'],
  },
  {
    feature: 'an unsupported field deep inside a Parallel branch of a Map',
    definition: oneState(
      inlineMap({
        StartAt: 'Fan Out',
        States: {
          'Fan Out': {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Remember', States: { Remember: { Type: 'Pass', Assign: { x: 1 }, End: true } } },
            ],
            End: true,
          },
        },
      }),
    ),
    names: ['Remember', 'Assign'],
  },
];

function localStepFunctions(definitions: Partial<Record<MachineName, AslDefinition>>): LocalStepFunctions {
  const scheduler = new VirtualScheduler(new Date('2026-01-05T09:00:00.000Z'));
  return new LocalStepFunctions(
    loadEngine(scheduler, () => 0.5),
    scheduler,
    definitions as Record<MachineName, AslDefinition>,
    async () => ({}),
  );
}

describe('unsupportedFeatures', () => {
  it.each(REFUSED)('names $feature', ({ definition, names }) => {
    const problems = unsupportedFeatures(definition).join('\n');
    expect(problems).not.toBe('');
    for (const name of names) expect(problems).toContain(name);
  });

  it('accepts JSONPath with the Tasks the rehearsal emulates', () => {
    const definition: AslDefinition = {
      QueryLanguage: 'JSONPath',
      StartAt: 'Run Child',
      States: {
        'Run Child': {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          Parameters: { StateMachineArn: stateMachineArn('serviceRollout'), 'Input.$': '$' },
          Next: 'Ask A Person',
        },
        'Ask A Person': {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: {
            FunctionName: functionArn('requestApproval'),
            Payload: { 'taskToken.$': '$$.Task.Token' },
          },
          HeartbeatSeconds: 300,
          Next: 'Each Item',
        },
        'Each Item': inlineMap({ ProcessorConfig: { Mode: 'INLINE' } }, { Next: 'Done' }),
        Done: { Type: 'Succeed' },
      },
    };
    expect(unsupportedFeatures(definition)).toEqual([]);
  });

  it.each(Object.entries(readStateMachines()))(
    'finds nothing to refuse in the shipped %s machine',
    (_, definition) => {
      expect(unsupportedFeatures(definition)).toEqual([]);
    },
  );
});

describe('LocalStepFunctions refuses what it would not execute', () => {
  it.each(REFUSED)('refuses $feature before anything runs', ({ definition, names }) => {
    const construct = () => localStepFunctions({ release: definition });
    expect(construct).toThrow(UnsupportedAslError);
    expect(construct).toThrow(names[0]);
  });

  it('names the machine the refused definition belongs to', () => {
    expect(() =>
      localStepFunctions({ failover: oneState({ Type: 'Pass', Assign: { x: 1 }, End: true }) }),
    ).toThrow(/^failover: /);
  });

  it('runs the shipped state machines', () => {
    expect(() => localStepFunctions(readStateMachines())).not.toThrow();
  });
});

describe('the definitions the engine runs', () => {
  it('are the files on disk, with only the placeholders filled as CDK fills them', () => {
    const scheduler = new VirtualScheduler(new Date('2026-01-05T09:00:00.000Z'));
    const engine = loadEngine(scheduler, () => 0.5);
    const given: unknown[] = [];
    class RecordingStateMachine extends engine.StateMachine {
      constructor(...args: ConstructorParameters<typeof engine.StateMachine>) {
        super(...args);
        given.push(args[0]);
      }
    }
    const onDisk = readStateMachines();
    new LocalStepFunctions(
      { ...engine, StateMachine: RecordingStateMachine },
      scheduler,
      onDisk,
      async () => ({}),
    );

    // toStrictEqual: no field added, none dropped (a Task's timeout included), nothing rewritten.
    expect(given).toStrictEqual(
      Object.values(onDisk).map((definition) => substitutePlaceholders(definition, LOCAL_ARNS)),
    );
  });
});
