/**
 * The metrics the handler wrapper (lambda-runtime.ts) publishes as EMF through Powertools
 * Metrics, one per outcome, and lib/monitoring.ts watches. Kept free of Powertools so the stack
 * can import the names.
 *
 * Each carries Powertools' `service` dimension and a `handler` one (the definition's name). The
 * handler names are the few dozen definitions in lambdas/handlers, fixed at build time, so the
 * dimension's cardinality is bounded: CloudWatch bills each name × dimension-value combination
 * as one custom metric (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension).
 */
export const HANDLER_METRICS = {
  namespace: 'Switchyard',
  service: 'switchyard',
  handlerDimension: 'handler',
  succeeded: 'HandlerSucceeded',
  failed: 'HandlerFailed',
  durationMs: 'HandlerDuration',
} as const;
