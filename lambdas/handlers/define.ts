/**
 * A handler is a named task: it parses its input with zod, calls the core, acts through ports
 * and returns small JSON. The same definition runs in Lambda (lambda-entry.ts) and in the
 * rehearsal, and declares which ports it uses so the stack can grant exactly their IAM actions.
 */
import type * as z from 'zod';
import { InvalidInputError } from '../core/errors';
import type { Ports } from '../ports';

export type PortName = keyof Ports;

export interface HandlerDefinition<Input = unknown, Output = unknown> {
  name: string;
  ports: readonly PortName[];
  input: z.ZodType<Input>;
  run(input: Input, ports: Ports): Promise<Output>;
}

export function defineHandler<Schema extends z.ZodType, Output>(definition: {
  name: string;
  ports: readonly PortName[];
  input: Schema;
  run(input: z.output<Schema>, ports: Ports): Promise<Output>;
}): HandlerDefinition<z.output<Schema>, Output> {
  return definition as unknown as HandlerDefinition<z.output<Schema>, Output>;
}

/** Parses then runs: a malformed input is an InvalidInputError naming the fields. */
export async function invokeHandler<Input, Output>(
  handler: HandlerDefinition<Input, Output>,
  rawInput: unknown,
  ports: Ports,
): Promise<Output> {
  const parsed = handler.input.safeParse(rawInput);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`,
    );
    throw new InvalidInputError(`${handler.name}: invalid input: ${problems.join('; ')}`);
  }
  return handler.run(parsed.data, ports);
}

/** Any handler, for registries: inputs are checked at run time by each handler's own schema. */
// biome-ignore lint/suspicious/noExplicitAny: handler inputs are validated by their zod schema at run time
export type AnyHandlerDefinition = HandlerDefinition<any, unknown>;
