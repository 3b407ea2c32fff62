/**
 * Which Lambda functions the stack deploys: every handler of the registry, each found in its
 * module (a generated entry imports it from there, so a bundle holds only that handler), plus
 * the HTTP API's function. The registry stays the one list of handlers.
 */

import { API_PORTS } from '../lambdas/api/ports';
import * as alarmHandlers from '../lambdas/handlers/alarm';
import type { AnyHandlerDefinition, PortName } from '../lambdas/handlers/define';
import * as drainHandlers from '../lambdas/handlers/drain';
import * as failoverHandlers from '../lambdas/handlers/failover';
import { handlers } from '../lambdas/handlers/index';
import * as preflightHandlers from '../lambdas/handlers/preflight';
import * as releaseHandlers from '../lambdas/handlers/release';
import * as releaseQueueHandlers from '../lambdas/handlers/release-queue';
import * as rollbackHandlers from '../lambdas/handlers/rollback';
import * as serviceRolloutHandlers from '../lambdas/handlers/service-rollout';
import * as startRollbackHandlers from '../lambdas/handlers/start-rollback';

export interface DeployedFunction {
  /** The handler's name: the state machines' placeholders and the construct ids use it. */
  readonly name: string;
  /** Repository-relative path of the module that exports it, without extension. */
  readonly modulePath: string;
  /** The export holding it: a handler definition, or (for the API) a ready Lambda handler. */
  readonly exportName: string;
  readonly ports: readonly PortName[];
  /** true when the module exports a definition that a generated entry wraps with lambdaHandler. */
  readonly isDefinition: boolean;
}

/** Modules holding handler definitions, by repository path. */
const HANDLER_MODULES: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['lambdas/handlers/release', releaseHandlers],
  ['lambdas/handlers/release-queue', releaseQueueHandlers],
  ['lambdas/handlers/service-rollout', serviceRolloutHandlers],
  ['lambdas/handlers/rollback', rollbackHandlers],
  ['lambdas/handlers/failover', failoverHandlers],
  ['lambdas/handlers/drain', drainHandlers],
  ['lambdas/handlers/preflight', preflightHandlers],
  ['lambdas/handlers/alarm', alarmHandlers],
  ['lambdas/handlers/start-rollback', startRollbackHandlers],
];

/**
 * The API's Lambda (an API Gateway proxy handler). It acts through these ports; its role gets
 * their actions like any handler's.
 */
export const API_FUNCTION: DeployedFunction = {
  name: 'api',
  modulePath: 'lambdas/api/lambda',
  exportName: 'handler',
  ports: API_PORTS,
  isDefinition: false,
};

/** Every registered handler with the module that exports it under its own name. */
export function handlerFunctions(): DeployedFunction[] {
  return Object.entries(handlers).map(([name, definition]) => {
    const found = HANDLER_MODULES.filter(([, exports]) => exports[name] === definition);
    if (found.length !== 1 || !found[0]) {
      throw new Error(
        `handler ${name} must be exported under that name by exactly one of ${HANDLER_MODULES.map(([path]) => path).join(', ')} (found ${found.length})`,
      );
    }
    const declared = definition as AnyHandlerDefinition;
    if (declared.name !== name) throw new Error(`handler registered as ${name} is named ${declared.name}`);
    return { name, modulePath: found[0][0], exportName: name, ports: declared.ports, isDefinition: true };
  });
}
