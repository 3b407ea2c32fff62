/**
 * State names the rehearsal needs, read from the ASL by structure rather than written out as
 * strings, so a state renamed in statemachines/ is followed here without an edit.
 */
import type { RolloutStep } from '../../lambdas/core/strategy';
import { type AslDefinition, type AslState, eachState } from './asl-support';

/** The step kinds a canary weight step and its analysis go through. */
export const CANARY_STEP_KINDS = ['setWeight', 'analysis', 'pause'] as const satisfies ReadonlyArray<
  RolloutStep['kind']
>;

/** Where a state can go when it succeeds: Next, a Choice's rules and Default (not Catch). */
function successors(state: AslState): string[] {
  const rules = (state.Choices as Array<{ Next: string }> | undefined) ?? [];
  return [
    ...(typeof state.Next === 'string' ? [state.Next] : []),
    ...rules.map((rule) => rule.Next),
    ...(typeof state.Default === 'string' ? [state.Default] : []),
  ];
}

/** The Choice that picks the state for the current step by `$.step.kind`: the step loop's head. */
function stepDispatcher(definition: AslDefinition): [string, Map<string, string>] {
  for (const [name, state] of eachState(definition)) {
    const rules = (state.Choices as Array<{ Variable?: string; StringEquals?: string; Next: string }>) ?? [];
    const byKind = rules.filter((rule) => rule.Variable === '$.step.kind' && rule.StringEquals !== undefined);
    if (state.Type === 'Choice' && byKind.length > 0) {
      return [name, new Map(byKind.map((rule) => [rule.StringEquals!, rule.Next]))];
    }
  }
  throw new Error('no Choice on $.step.kind: the definition has no step loop');
}

/**
 * The states a step of the given kinds passes through on its way back to the dispatcher, the
 * dispatcher included: entered from the dispatcher's rules for those kinds, never through
 * another kind's first state (an inconclusive analysis waiting for approval is the approval's),
 * and only states that lead back to the dispatcher (a failure leaves the loop).
 */
export function stepLoopStates(definition: AslDefinition, kinds: readonly string[]): string[] {
  const states = new Map(eachState(definition));
  const [dispatcher, entryByKind] = stepDispatcher(definition);
  const missing = kinds.filter((kind) => !entryByKind.has(kind));
  if (missing.length > 0) throw new Error(`${dispatcher} has no rule for step kind(s) ${missing.join(', ')}`);
  const otherEntries = new Set(
    [...entryByKind].filter(([kind]) => !kinds.includes(kind)).map(([, entry]) => entry),
  );

  // Every state from which the dispatcher can be reached again.
  const leadsBack = new Set<string>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, state] of states) {
      if (leadsBack.has(name)) continue;
      if (successors(state).some((next) => next === dispatcher || leadsBack.has(next))) {
        leadsBack.add(name);
        grew = true;
      }
    }
  }

  const inLoop = new Set([dispatcher]);
  const pending = kinds.map((kind) => entryByKind.get(kind)!);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (inLoop.has(name) || otherEntries.has(name) || !leadsBack.has(name)) continue;
    inLoop.add(name);
    pending.push(...successors(states.get(name)!));
  }
  return [...states.keys()].filter((name) => inLoop.has(name));
}

/** The service-rollout states a canary weight step and its analysis go through. */
export function canaryStepStates(serviceRollout: AslDefinition): string[] {
  return stepLoopStates(serviceRollout, CANARY_STEP_KINDS);
}
