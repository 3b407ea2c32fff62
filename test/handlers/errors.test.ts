/**
 * The state machines catch errors by name: every name an ASL file matches must be a class the
 * handlers can throw (or a Step Functions / Lambda name), and every Task must name a handler.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as errors from '../../lambdas/core/errors';
import { handlers } from '../../lambdas/handlers';

const directory = new URL('../../statemachines/', import.meta.url);
const machines = readdirSync(directory)
  .filter((file) => file.endsWith('.asl.json'))
  .map((file) => ({
    file,
    definition: JSON.parse(readFileSync(new URL(file, directory), 'utf8')) as unknown,
  }));

/** Every value of `key` anywhere in the definition. */
function valuesOf(node: unknown, key: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((item) => valuesOf(item, key));
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([name, value]) => (name === key ? [value] : valuesOf(value, key)));
  }
  return [];
}

const errorClasses = new Map(
  Object.entries(errors).filter(
    (entry): entry is [string, typeof errors.SwitchyardError] =>
      typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
  ),
);
const SERVICE_ERROR = /^(States|Lambda|StepFunctions)\.[A-Za-z]+$/;

describe('error names the state machines match', () => {
  it('finds the state machines', () => {
    expect(machines.map((machine) => machine.file)).toEqual(
      expect.arrayContaining(['release.asl.json', 'service-rollout.asl.json', 'rollback.asl.json']),
    );
  });

  it.each(machines)('$file names only errors that exist', ({ definition }) => {
    const names = new Set(valuesOf(definition, 'ErrorEquals').flat() as string[]);
    expect(names.size).toBeGreaterThan(0);
    for (const name of names) {
      if (SERVICE_ERROR.test(name)) continue;
      expect(errorClasses.has(name), `${name} is not a class in lambdas/core/errors.ts`).toBe(true);
    }
  });

  it.each([...errorClasses.keys()])('%s reports its own class name as its name', (name) => {
    const ErrorClass = errorClasses.get(name)!;
    const instance =
      name === 'LockHeldError'
        ? new errors.LockHeldError({
            scope: 'fleet',
            releaseId: 'r',
            kind: 'release',
            acquiredAt: 'a',
            expiresAt: 'b',
          })
        : name === 'PlanInvalidError'
          ? new errors.PlanInvalidError([{ path: 'services', message: 'is required' }])
          : new (ErrorClass as new (message: string, extra?: string) => Error)(
              'message',
              'ThrottlingException',
            );
    expect(instance.name).toBe(name);
  });
});

/** Every Task state, nested ones included, as [name, state]. */
function tasksOf(node: unknown): Array<[string, Record<string, unknown>]> {
  if (!node || typeof node !== 'object') return [];
  if (Array.isArray(node)) return node.flatMap(tasksOf);
  return Object.entries(node).flatMap(([name, value]) => {
    const state = value as Record<string, unknown> | null;
    const own: Array<[string, Record<string, unknown>]> =
      state && typeof state === 'object' && state.Type === 'Task' ? [[name, state]] : [];
    return [...own, ...tasksOf(value)];
  });
}

/** The release's machines: their handlers audit into the release. Failover's tasks take their whole state. */
const RELEASE_MACHINES = machines.filter((machine) => machine.file !== 'failover.asl.json');

describe('tasks the state machines run', () => {
  it.each(RELEASE_MACHINES)(
    '$file passes every handler its $$.State, so a retried failure can be audited',
    ({ definition }) => {
      const invokingHandlers = tasksOf(definition).filter(([, state]) =>
        /FunctionArn\}$|waitForTaskToken$/.test(String(state.Resource)),
      );
      expect(invokingHandlers.length).toBeGreaterThan(0);
      for (const [name, state] of invokingHandlers) {
        const parameters = state.Parameters as Record<string, unknown> | undefined;
        const payload = (parameters?.Payload ?? parameters) as Record<string, unknown> | undefined;
        expect(payload?.['taskState.$'], name).toBe('$$.State');
      }
    },
  );

  it.each(machines)('$file invokes only registered handlers', ({ definition }) => {
    const referenced = [...JSON.stringify(definition).matchAll(/\$\{([A-Za-z]+)FunctionArn\}/g)].map(
      (match) => match[1]!,
    );
    for (const name of referenced) expect(Object.keys(handlers), `${name} has no handler`).toContain(name);
  });
});
