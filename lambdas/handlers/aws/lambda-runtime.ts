/**
 * Runs a handler definition as a Lambda function: Powertools Logger (the Lambda context, and
 * the release id, region and service as keys), Metrics (EMF, one metric per outcome with a
 * `handler` dimension) and Tracer around the same code the rehearsal runs.
 * Errors keep their class name, which is what the state machines' Retry and Catch match.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AnyHandlerDefinition } from '../define';
import { invokeHandler, TASK_STATE_FIELD, TaskState } from '../define';
import { HANDLER_METRICS } from './handler-metrics';
import { buildPorts, type PortFactories } from './ports';
import { type LambdaContext, tracer } from './powertools';

const logger = new Logger({ serviceName: HANDLER_METRICS.service });
const metrics = new Metrics({ namespace: HANDLER_METRICS.namespace, serviceName: HANDLER_METRICS.service });

/** `factories`: those of the ports the definition declares (AWS_PORT_FACTORIES for all of them). */
export function lambdaHandler(definition: AnyHandlerDefinition, factories: PortFactories) {
  const ports = buildPorts(definition.ports, factories);
  return async (event: unknown, context: LambdaContext): Promise<unknown> => {
    // Request id, cold start, function name and version on every line of this invocation.
    // https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/
    logger.addContext(context);
    const keys = { ...pick(event, ['releaseId', 'region', 'service', 'stepIndex']), ...attemptOf(event) };
    logger.appendKeys({ handler: definition.name, ...keys });
    const segment = tracer.getSegment();
    const subsegment = segment?.addNewSubsegment(`## ${definition.name}`);
    if (subsegment) tracer.setSegment(subsegment);
    const started = Date.now();
    let succeeded = false;
    try {
      const output = await invokeHandler(definition, event, await ports, {
        // The failure still goes to the state's Retry; only its audit entry is missing.
        onUnrecordedFailure: (auditError, failure) =>
          logger.warn('transient failure not recorded in the audit', {
            errorName: failure.name,
            auditError: auditError as Error,
          }),
      });
      succeeded = true;
      logger.info('handled', { ms: Date.now() - started });
      return output;
    } catch (error) {
      const failure = error as Error;
      logger.error('failed', { errorName: failure.name, error: failure });
      tracer.addErrorAsMetadata(failure);
      throw error;
    } finally {
      // Cleared by publishStoredMetrics, so each invocation names its own handler.
      metrics.addDimension(HANDLER_METRICS.handlerDimension, definition.name);
      metrics.addMetric(succeeded ? HANDLER_METRICS.succeeded : HANDLER_METRICS.failed, MetricUnit.Count, 1);
      metrics.addMetric(HANDLER_METRICS.durationMs, MetricUnit.Milliseconds, Date.now() - started);
      metrics.publishStoredMetrics();
      subsegment?.close();
      if (segment) tracer.setSegment(segment);
      logger.removeKeys(['handler', ...Object.keys(keys)]);
    }
  };
}

/** Which attempt this is (1 + Step Functions' RetryCount), when the Task passes its $$.State. */
function attemptOf(event: unknown): { attempt?: number } {
  const given = TaskState.safeParse((event as Record<string, unknown> | undefined)?.[TASK_STATE_FIELD]);
  return given.success ? { attempt: given.data.RetryCount + 1 } : {};
}

function pick(event: unknown, names: readonly string[]): Record<string, unknown> {
  if (!event || typeof event !== 'object') return {};
  const record = event as Record<string, unknown>;
  return Object.fromEntries(
    names.filter((name) => record[name] !== undefined).map((name) => [name, record[name]]),
  );
}
