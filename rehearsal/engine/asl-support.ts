/**
 * The ASL this project runs locally must only use what the local engine (or our emulation of
 * it) executes. JSONata, variables and Distributed Map would be ignored or fail silently there,
 * so a definition using them is refused before anything runs.
 */
export type AslState = Record<string, unknown> & { Type: string };
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  Comment?: string;
  QueryLanguage?: string;
}

/** Fields the engine would ignore or misread: refused anywhere in a definition. */
export const UNSUPPORTED_FIELDS = [
  'QueryLanguage',
  'Arguments',
  'Output',
  'Assign',
  'Items',
  'ItemReader',
  'ItemBatcher',
  'ResultWriter',
  'ToleratedFailureCount',
  'ToleratedFailurePercentage',
  'ToleratedFailureCountPath',
  'ToleratedFailurePercentagePath',
  'Label',
  'Credentials',
  'HeartbeatSecondsPath',
] as const;

/** Task resources the rehearsal knows how to run. */
export const RUNNABLE_RESOURCES: ReadonlyArray<{ pattern: RegExp; runs: string }> = [
  { pattern: /^\$\{\w+FunctionArn\}$/, runs: 'the named handler, in-process' },
  { pattern: /^arn:aws:lambda:[^:]+:\d{12}:function:[\w-]+$/, runs: 'the named handler, in-process' },
  {
    pattern: /^arn:aws:states:::lambda:invoke\.waitForTaskToken$/,
    runs: 'the handler, then waits for sendTaskSuccess',
  },
  { pattern: /^arn:aws:states:::states:startExecution\.sync:2$/, runs: 'the child state machine, locally' },
];

/** Every state, nested Map and Parallel states included, as [name, state]. */
export function* eachState(definition: Pick<AslDefinition, 'States'>): Generator<[string, AslState]> {
  for (const [name, state] of Object.entries(definition.States)) {
    yield [name, state];
    for (const key of ['ItemProcessor', 'Iterator'] as const) {
      const inner = state[key] as AslDefinition | undefined;
      if (inner?.States) yield* eachState(inner);
    }
    for (const branch of (state.Branches as AslDefinition[] | undefined) ?? []) yield* eachState(branch);
  }
}

export function unsupportedFeatures(definition: AslDefinition): string[] {
  const problems: string[] = [];
  if (definition.QueryLanguage !== undefined && definition.QueryLanguage !== 'JSONPath') {
    problems.push(`QueryLanguage ${definition.QueryLanguage}: only JSONPath runs locally`);
  }
  for (const [name, state] of eachState(definition)) {
    for (const field of UNSUPPORTED_FIELDS) {
      if (field in state)
        problems.push(`state "${name}" uses ${field}, which the local engine does not execute`);
    }
    const processor = state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined;
    if (processor?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
      problems.push(`state "${name}" is a Distributed Map, which the local engine does not execute`);
    }
    if (state.Type === 'Task') {
      const resource = String(state.Resource);
      if (!RUNNABLE_RESOURCES.some(({ pattern }) => pattern.test(resource))) {
        problems.push(`state "${name}" calls ${resource}, which the rehearsal cannot run`);
      }
    }
  }
  return problems;
}

export class UnsupportedAslError extends Error {
  override readonly name = 'UnsupportedAslError';
}

export function assertRunnable(machine: string, definition: AslDefinition): void {
  const problems = unsupportedFeatures(definition);
  if (problems.length > 0) throw new UnsupportedAslError(`${machine}: ${problems.join('; ')}`);
}

// The placeholder patterns and their substitution live beside the handlers, where the CDK
// stack reads them too.
export {
  FUNCTION_PLACEHOLDER,
  MACHINE_PLACEHOLDER,
  substitutePlaceholders,
} from '../../lambdas/core/asl-placeholders';

/** The ARNs the rehearsal substitutes: well-formed, so the engine's validator accepts them. */
export const LOCAL_ARNS = {
  functionArn: (handler: string) => `arn:aws:lambda:us-east-1:123456789012:function:switchyard-${handler}`,
  stateMachineArn: (machine: string) =>
    `arn:aws:states:us-east-1:123456789012:stateMachine:switchyard-${machine}`,
};
export const LOCAL_FUNCTION_ARN = /^arn:aws:lambda:us-east-1:123456789012:function:switchyard-(\w+)$/;
export const LOCAL_MACHINE_ARN = /^arn:aws:states:us-east-1:123456789012:stateMachine:switchyard-(\w+)$/;

/**
 * What AWS applies to a Task that sets no timeout: 99999999 s, not the 60 s of the ASL spec the
 * engine follows (https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html).
 */
export const AWS_DEFAULT_TASK_TIMEOUT_SECONDS = 99_999_999;
