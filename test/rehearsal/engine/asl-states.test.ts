/**
 * The state names the rehearsal counts come from the ASL's structure, so renaming a state in
 * statemachines/ cannot silently empty a counter: the derivation follows the new names.
 */
import { describe, expect, it } from 'vitest';
import { canaryStepStates, stepLoopStates } from '../../../rehearsal/engine/asl-states';
import { type AslDefinition, eachState } from '../../../rehearsal/engine/asl-support';
import { readStateMachines } from '../../../rehearsal/rehearse';

const serviceRollout = readStateMachines().serviceRollout;

/** What a state is, without its name: its type and, for a Task, the handler it invokes. */
function described(definition: AslDefinition, names: string[]): string[] {
  const states = new Map(eachState(definition));
  return names.map((name) => {
    const state = states.get(name)!;
    // A callback Task names its handler in Parameters.FunctionName.
    const invoked = [
      state.Resource,
      (state.Parameters as { FunctionName?: string } | undefined)?.FunctionName,
    ];
    const handler = /\$\{(\w+)FunctionArn\}/.exec(JSON.stringify(invoked))?.[1];
    return handler ? `${state.Type} ${handler}` : state.Type;
  });
}

/** The definition with every state renamed, and every reference to it. */
function renamed(definition: AslDefinition, rename: (name: string) => string): AslDefinition {
  let text = JSON.stringify(definition);
  for (const [name] of eachState(definition)) {
    text = text.replaceAll(JSON.stringify(name), JSON.stringify(rename(name)));
  }
  return JSON.parse(text) as AslDefinition;
}

describe('canaryStepStates', () => {
  it('finds the step loop a weight step, its analysis and a pause go through in the shipped ASL', () => {
    expect(described(serviceRollout, canaryStepStates(serviceRollout))).toEqual([
      'Choice', // the dispatcher on $.step.kind
      'Task prepareCanary',
      'Task verifyRollout',
      'Task shiftTraffic',
      'Wait', // the analysis window
      'Task runAnalysis',
      'Choice', // the verdict
      'Wait', // a timed pause
      'Task advanceStep',
    ]);
  });

  it('follows the ASL when its states are renamed', () => {
    const rename = (name: string) => `Renamed ${name}`;
    expect(canaryStepStates(renamed(serviceRollout, rename))).toEqual(
      canaryStepStates(serviceRollout).map(rename),
    );
  });

  it('leaves out what belongs to other kinds or leaves the loop: approvals, recreate, failures', () => {
    const states = new Set(canaryStepStates(serviceRollout));
    const outside = [...eachState(serviceRollout)].filter(([name]) => !states.has(name));
    expect(
      described(
        serviceRollout,
        outside.map(([name]) => name),
      ),
    ).toEqual(
      expect.arrayContaining([
        'Task requestApproval',
        'Task recreateWorkload',
        'Task promoteCanary',
        'Task failServiceRollout',
        'Task completeServiceRollout',
      ]),
    );
    expect(states.size + outside.length).toBe([...eachState(serviceRollout)].length);
  });

  it('refuses a definition with no rule for a kind it is asked about', () => {
    expect(() => stepLoopStates(serviceRollout, ['teleport'])).toThrow(/no rule for step kind\(s\) teleport/);
  });
});
