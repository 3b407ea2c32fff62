/**
 * Loads aws-local-stepfunctions with its timers, clock and randomness bound to the rehearsal's
 * virtual scheduler and seed, leaving the rest of the process (the AWS SDK talking to DynamoDB
 * Local) on real time. The engine is loaded once per scheduler.
 */
import './polyfills';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Engine from 'aws-local-stepfunctions';
import { seededMath, type VirtualScheduler, virtualDate } from './virtual-time';

const require = createRequire(import.meta.url);
// The CommonJS build: it can be evaluated with our own timers, clock and randomness in scope.
const enginePath = require.resolve('aws-local-stepfunctions');

export type EngineModule = typeof Engine;

export function loadEngine(scheduler: VirtualScheduler, random: () => number): EngineModule {
  const source = readFileSync(enginePath, 'utf8');
  const module = { exports: {} as Record<string, unknown> };
  const engineRequire = createRequire(enginePath);
  const factory = new Function(
    'require',
    'module',
    'exports',
    'setTimeout',
    'clearTimeout',
    'Date',
    'Math',
    `${source}\n//# sourceURL=aws-local-stepfunctions (virtual time)`,
  );
  factory(
    engineRequire,
    module,
    module.exports,
    scheduler.setTimeout,
    scheduler.clearTimeout,
    virtualDate(scheduler),
    seededMath(random),
  );
  return module.exports as unknown as EngineModule;
}
