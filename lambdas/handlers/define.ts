/**
 * A handler is a named task: it parses its input with zod, calls the core, acts through ports
 * and returns small JSON. The same definition runs in Lambda (aws/lambda-runtime.ts, wrapped by
 * the entry lib/handler-entries.ts generates) and in the rehearsal, and declares which ports it
 * uses so the stack can grant exactly their IAM actions.
 */
import * as z from 'zod';
import { auditEntry } from '../core/audit';
import { canonicalHash } from '../core/canonical-json';
import { InvalidInputError, TransientAwsError, TransientError } from '../core/errors';
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

/**
 * The field a Task passes its own context node in (`"taskState.$": "$$.State"`): which state, entered
 * when, and how many times Step Functions has retried it. A Retry is invisible to the handler
 * otherwise. https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
 */
export const TASK_STATE_FIELD = 'taskState';

export const TaskState = z.object({
  Name: z.string().min(1),
  EnteredTime: z.string().min(1),
  RetryCount: z.number().int().min(0),
});
export type TaskState = z.infer<typeof TaskState>;

export interface InvokeOptions {
  /** The audit entry of a transient failure could not be written (the failure itself is still thrown). */
  onUnrecordedFailure?: (auditError: unknown, failure: Error) => void;
}

/**
 * Parses then runs: a malformed input is an InvalidInputError naming the fields. The Task's
 * context node is taken off the input first (handlers never see it); with it, a transient
 * failure is recorded in the release's audit before it is thrown on to the state's Retry.
 */
export async function invokeHandler<Input, Output>(
  handler: HandlerDefinition<Input, Output>,
  rawInput: unknown,
  ports: Ports,
  options: InvokeOptions = {},
): Promise<Output> {
  const { input, taskState } = splitTaskState(handler, rawInput);
  const parsed = handler.input.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`,
    );
    throw new InvalidInputError(`${handler.name}: invalid input: ${problems.join('; ')}`);
  }
  try {
    return await handler.run(parsed.data, ports);
  } catch (error) {
    if (taskState && error instanceof TransientError && handler.ports.includes('store')) {
      await recordTransientFailure(handler, input, taskState, error, ports).catch((auditError: unknown) =>
        options.onUnrecordedFailure?.(auditError, error),
      );
    }
    throw error;
  }
}

function splitTaskState(
  handler: { name: string },
  rawInput: unknown,
): { input: unknown; taskState?: TaskState } {
  if (!rawInput || typeof rawInput !== 'object' || !(TASK_STATE_FIELD in rawInput))
    return { input: rawInput };
  const { [TASK_STATE_FIELD]: given, ...input } = rawInput as Record<string, unknown>;
  const taskState = TaskState.safeParse(given);
  if (!taskState.success) {
    throw new InvalidInputError(
      `${handler.name}: invalid input: ${TASK_STATE_FIELD}: expected $$.State (Name, EnteredTime, RetryCount)`,
    );
  }
  return { input, taskState: taskState.data };
}

/**
 * `task.transient-failure`: which task failed, as which attempt, with what. Step Functions
 * decides whether it retries (its Retry and MaxAttempts); the next attempt, if any, follows.
 * Keyed by state entry and attempt, so a redelivered invocation records it once.
 */
async function recordTransientFailure(
  handler: { name: string },
  input: unknown,
  taskState: TaskState,
  error: TransientError,
  ports: Ports,
): Promise<void> {
  const scope = (input ?? {}) as { releaseId?: unknown; region?: unknown; service?: unknown };
  if (typeof scope.releaseId !== 'string') return;
  const attempt = taskState.RetryCount + 1;
  // In Lambda a handler gets only the ports it declares; without the clock port, the system clock is the clock.
  const now = (ports as Partial<Ports>).clock?.now() ?? new Date();
  await ports.store.appendAudit(
    auditEntry('task.transient-failure', {
      releaseId: scope.releaseId,
      key: `task/${taskState.Name}/${taskState.EnteredTime}/${canonicalHash(input).slice(0, 16)}/attempt-${attempt}`,
      at: now.toISOString(),
      actor: 'switchyard',
      ...(typeof scope.region === 'string' && { region: scope.region }),
      ...(typeof scope.service === 'string' && { service: scope.service }),
      detail: {
        operation: handler.name,
        state: taskState.Name,
        attempt,
        error: error.name,
        ...(error instanceof TransientAwsError && { awsError: error.awsErrorName }),
        message: error.message.slice(0, 500),
      },
    }),
  );
}

/** Any handler, for registries: inputs are checked at run time by each handler's own schema. */
// biome-ignore lint/suspicious/noExplicitAny: handler inputs are validated by their zod schema at run time
export type AnyHandlerDefinition = HandlerDefinition<any, unknown>;
