/**
 * The statemachines/ files as the stack deploys them: read as text, with every placeholder
 * mapped to an ARN. A placeholder without a substitution fails synth: Step Functions would
 * otherwise receive a literal `${…}` as a Resource and fail at run time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANY_PLACEHOLDER, placeholdersIn } from '../lambdas/core/asl-placeholders';
import { MACHINE_FILES } from '../lambdas/core/state-machines';
import type { MachineName } from '../lambdas/ports';

export { MACHINE_FILES };

export const MACHINE_NAMES = Object.keys(MACHINE_FILES) as MachineName[];

export interface MachineDefinition {
  readonly machine: MachineName;
  readonly text: string;
  /** Handlers its Tasks invoke, by name. */
  readonly functions: readonly string[];
  /** State machines it starts as children. */
  readonly children: readonly MachineName[];
}

export function readMachineDefinition(statemachinesDir: string, machine: MachineName): MachineDefinition {
  const text = readFileSync(join(statemachinesDir, MACHINE_FILES[machine]), 'utf8');
  JSON.parse(text); // a malformed file fails here, naming nothing worse than the parser does
  const { functions, machines } = placeholdersIn(text);
  const unknown = machines.filter((name) => !(name in MACHINE_FILES));
  if (unknown.length > 0) {
    throw new Error(`${MACHINE_FILES[machine]} starts unknown state machine(s): ${unknown.join(', ')}`);
  }
  return { machine, text, functions, children: machines as MachineName[] };
}

/**
 * The definitionSubstitutions for a definition: `<handler>FunctionArn` and
 * `<machine>StateMachineArn` keys. Throws when a placeholder names no deployed function, or
 * when anything else of the form `${…}` would be left in the definition.
 */
export function substitutionsFor(
  definition: MachineDefinition,
  arns: {
    functionArn: (handler: string) => string | undefined;
    stateMachineArn: (machine: MachineName) => string;
  },
): Record<string, string> {
  const substitutions: Record<string, string> = {};
  const missing: string[] = [];
  for (const handler of definition.functions) {
    const arn = arns.functionArn(handler);
    if (arn === undefined) missing.push(`\${${handler}FunctionArn}`);
    else substitutions[`${handler}FunctionArn`] = arn;
  }
  for (const child of definition.children)
    substitutions[`${child}StateMachineArn`] = arns.stateMachineArn(child);
  const left = [...definition.text.matchAll(ANY_PLACEHOLDER)]
    .map(([placeholder]) => placeholder)
    .filter((placeholder) => !(placeholder.slice(2, -1) in substitutions));
  missing.push(...left.filter((placeholder) => !missing.includes(placeholder)));
  if (missing.length > 0) {
    throw new Error(
      `${MACHINE_FILES[definition.machine]}: no substitution for ${[...new Set(missing)].join(', ')}`,
    );
  }
  return substitutions;
}
