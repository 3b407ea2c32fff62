/**
 * Runs a handler definition as a Lambda function: Powertools Logger (release id, region and
 * service as keys), Metrics (EMF) and Tracer around the same code the rehearsal runs.
 * Errors keep their class name, which is what the state machines' Retry and Catch match.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { AnyHandlerDefinition } from '../define';
import { invokeHandler, TASK_STATE_FIELD, TaskState } from '../define';
import { buildPorts, type PortFactories } from './ports';

const logger = new Logger({ serviceName: 'switchyard' });
const metrics = new Metrics({ namespace: 'Switchyard', serviceName: 'switchyard' });
const tracer = new Tracer({ serviceName: 'switchyard' });

/** `factories`: those of the ports the definition declares (AWS_PORT_FACTORIES for all of them). */
export function lambdaHandler(definition: AnyHandlerDefinition, factories: PortFactories) {
  const ports = buildPorts(definition.ports, factories);
  return async (event: unknown): Promise<unknown> => {
    const keys = { ...pick(event, ['releaseId', 'region', 'service', 'stepIndex']), ...attemptOf(event) };
    logger.appendKeys({ handler: definition.name, ...keys });
    const segment = tracer.getSegment();
    const subsegment = segment?.addNewSubsegment(`## ${definition.name}`);
    if (subsegment) tracer.setSegment(subsegment);
    const started = Date.now();
    try {
      const output = await invokeHandler(definition, event, await ports, {
        // The failure still goes to the state's Retry; only its audit entry is missing.
        onUnrecordedFailure: (auditError, failure) =>
          logger.warn('transient failure not recorded in the audit', {
            errorName: failure.name,
            auditError: auditError as Error,
          }),
      });
      metrics.addMetric(`${definition.name}Succeeded`, MetricUnit.Count, 1);
      logger.info('handled', { ms: Date.now() - started });
      return output;
    } catch (error) {
      const failure = error as Error;
      metrics.addMetric('HandlerErrors', MetricUnit.Count, 1);
      logger.error('failed', { errorName: failure.name, error: failure });
      tracer.addErrorAsMetadata(failure);
      throw error;
    } finally {
      metrics.addMetric('HandlerDurationMs', MetricUnit.Milliseconds, Date.now() - started);
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
