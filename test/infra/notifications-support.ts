/**
 * Renders an EventBridge input transformer against an event the way EventBridge documents it: a
 * variable inside a JSON string is replaced by the value's text, unescaped; a variable outside one
 * by the value's JSON (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
 * A variable the template names but the paths map does not define, or whose path the event lacks,
 * throws: EventBridge would send something else.
 */

export interface InputTransformer {
  InputPathsMap: Record<string, string>;
  InputTemplate: unknown;
}

/** What each `Ref` of the template reads as, by logical id prefix; `AWS::URLSuffix` is amazonaws.com. */
export type RefValues = (logicalId: string) => string;

export function renderTransformer(
  transformer: InputTransformer,
  event: Record<string, unknown>,
  refs: RefValues,
): unknown {
  const template = resolveText(transformer.InputTemplate, refs);
  let output = '';
  let inString = false;
  for (let index = 0; index < template.length; index++) {
    const char = template[index]!;
    if (char === '<') {
      const end = template.indexOf('>', index);
      const name = template.slice(index + 1, end);
      const path = transformer.InputPathsMap[name];
      if (path === undefined) throw new Error(`the template names <${name}>, which no path defines`);
      const value = valueAt(event, path);
      if (value === undefined) throw new Error(`the event has no ${path} (for <${name}>)`);
      output += inString ? String(value) : JSON.stringify(value);
      index = end;
      continue;
    }
    if (char === '"' && template[index - 1] !== '\\') inString = !inString;
    output += char;
  }
  return JSON.parse(output);
}

function resolveText(value: unknown, refs: RefValues): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => resolveText(part, refs)).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
  if (ref !== undefined) return refs(ref);
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

/** `$.a.b-c` paths, as the transformer's paths map spells them. */
function valueAt(event: Record<string, unknown>, path: string): unknown {
  let value: unknown = event;
  for (const key of path.replace(/^\$\./, '').split('.')) {
    value = value === null || typeof value !== 'object' ? undefined : (value as Record<string, unknown>)[key];
  }
  return value;
}

/** An event on Switchyard's bus, as the EventBridge adapter puts it. */
export function switchyardEvent(detailType: string, detail: Record<string, unknown>) {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source: 'switchyard',
    account: '111111111111',
    time: '2026-11-22T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

/** A Step Functions status change, shaped as the Step Functions documentation's example. */
export function executionStatusChange(
  stateMachineArn: string,
  name: string,
  status: string,
  error: string | null,
) {
  return {
    version: '0',
    id: '315c1398-40ff-a850-213b-158f73e60175',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '111111111111',
    time: '2026-11-22T10:00:00Z',
    region: 'us-east-1',
    resources: [`${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`],
    detail: {
      executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
      stateMachineArn,
      name,
      status,
      startDate: 1_700_000_000_000,
      stopDate: 1_700_000_100_000,
      input: '{}',
      output: null,
      error,
      cause: null,
    },
  };
}
