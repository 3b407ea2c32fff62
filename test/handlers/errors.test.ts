/**
 * The state machines catch errors by name: every name an ASL file matches must be a class the
 * handlers can throw (or a Step Functions / Lambda name), and every Task must name a handler.
 * Their Retry lists are made of the retriers defined once in lambdas/core/state-machines.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as errors from '../../lambdas/core/errors';
import { RETRIERS, type RetrierName } from '../../lambdas/core/state-machines';
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

/** The retriers that stand for the transient-retry policy: exactly one of them in every Task. */
const TRANSIENT_POLICIES: readonly RetrierName[] = [
  'transient',
  'transientCallback',
  'transientRecordingFailure',
  'transientRollback',
  'childExecution',
];

/** Tasks whose transient policy is not the one what they run gives them, and why. */
const TRANSIENT_POLICY_EXCEPTIONS: Record<string, RetrierName> = {
  // The failure must be recorded, or the lane and the release never learn of it.
  'service-rollout.asl.json / Record Service Failure': 'transientRecordingFailure',
};

/** The transient policy a Task takes: by what it runs and which machine runs it. */
function transientPolicyFor(file: string, name: string, state: Record<string, unknown>): RetrierName {
  const exception = TRANSIENT_POLICY_EXCEPTIONS[`${file} / ${name}`];
  if (exception) return exception;
  const resource = String(state.Resource);
  if (resource === 'arn:aws:states:::states:startExecution.sync:2') return 'childExecution';
  if (file === 'rollback.asl.json') return 'transientRollback';
  if (resource.endsWith('.waitForTaskToken')) return 'transientCallback';
  return 'transient';
}

const retrierNamed = (retrier: unknown): RetrierName | undefined =>
  (Object.keys(RETRIERS) as RetrierName[]).find((name) => isDeepStrictEqual(RETRIERS[name], retrier));

const TASKS = machines.flatMap(({ file, definition }) =>
  tasksOf(definition).map(([name, state]) => ({
    file,
    name,
    state,
    expected: transientPolicyFor(file, name, state),
  })),
);

describe('Retry: the policies defined once in RETRIERS', () => {
  it.each(TASKS)(
    '$file / $name retries with named retriers only, one of them $expected',
    ({ state, expected }) => {
      const retry = state.Retry as unknown[] | undefined;
      expect(retry, 'every Task retries transient failures').toBeDefined();
      const names = retry!.map((retrier) => {
        const name = retrierNamed(retrier);
        expect(name, `${JSON.stringify(retrier)} is no retrier of RETRIERS`).toBeDefined();
        return name!;
      });
      expect(names.filter((name) => TRANSIENT_POLICIES.includes(name))).toEqual([expected]);
      expect(new Set(names).size, 'no retrier twice').toBe(names.length);
    },
  );

  it('leaves no retrier of RETRIERS unused', () => {
    const used = new Set(
      TASKS.flatMap(({ state }) => (state.Retry as unknown[]).map(retrierNamed)).filter(Boolean),
    );
    expect([...used].sort()).toEqual(Object.keys(RETRIERS).sort());
  });

  it('documents only exceptions that are Tasks', () => {
    const tasks = new Set(TASKS.map(({ file, name }) => `${file} / ${name}`));
    for (const task of Object.keys(TRANSIENT_POLICY_EXCEPTIONS)) expect(tasks, task).toContain(task);
  });
});
