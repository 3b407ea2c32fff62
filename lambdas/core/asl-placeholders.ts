/**
 * The placeholders the statemachines/ files carry instead of ARNs: `${<handler>FunctionArn}`
 * and `${<machine>StateMachineArn}`. The CDK stack fills them through definitionSubstitutions
 * and the rehearsal with local ARNs; both use these patterns, so they agree on what a
 * placeholder is.
 */
export const FUNCTION_PLACEHOLDER = /\$\{(\w+)FunctionArn\}/g;
export const MACHINE_PLACEHOLDER = /\$\{(\w+)StateMachineArn\}/g;
/** Any `${…}` left in a definition: Step Functions would take it literally. */
export const ANY_PLACEHOLDER = /\$\{[^}]*\}/g;

export interface PlaceholderArns {
  functionArn: (handler: string) => string;
  stateMachineArn: (machine: string) => string;
}

/** Fills the placeholders as CDK's definitionSubstitutions would. */
export function substitutePlaceholders<T>(definition: T, arns: PlaceholderArns): T {
  const text = JSON.stringify(definition)
    .replace(FUNCTION_PLACEHOLDER, (_, handler: string) => arns.functionArn(handler))
    .replace(MACHINE_PLACEHOLDER, (_, machine: string) => arns.stateMachineArn(machine));
  return JSON.parse(text) as T;
}

/** The handler and machine names a definition's placeholders refer to, each once, in order. */
export function placeholdersIn(definitionText: string): { functions: string[]; machines: string[] } {
  const names = (pattern: RegExp) => [
    ...new Set([...definitionText.matchAll(pattern)].map((match) => match[1] ?? '')),
  ];
  return { functions: names(FUNCTION_PLACEHOLDER), machines: names(MACHINE_PLACEHOLDER) };
}
