/**
 * The API's Lambda entry behind an API Gateway REST API (Lambda proxy integration, IAM auth).
 * It turns the proxy event into an ApiRequest for the router `switchyard serve` uses too, and the
 * router's answer into the proxy result. The caller's IAM ARN is who the audit names.
 *
 * Environment (set by the stack): SWITCHYARD_TABLE_NAME, SWITCHYARD_STATE_MACHINE_ARNS (release,
 * rollback and failover are the ones this entry starts, stops or describes), SWITCHYARD_EVENT_BUS_NAME
 * (the queue's events: a release queued, cancelled or preempted).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  buildPorts,
  clockPort,
  eventsPort,
  preflightPort,
  storePort,
  workflowPort,
} from '../handlers/aws/ports';
// Imported for its effect too: the store's and workflow's SDK clients are traced.
import type { LambdaContext } from '../handlers/aws/powertools';
import '../handlers/aws/powertools';
import type { Ports } from '../ports';
import type { ApiRequest, ApiResponse } from './http';
import { API_PORTS } from './ports';
import { handleApiRequest } from './router';

/** The parts of API Gateway's REST proxy event this entry reads. */
export interface ApiGatewayProxyEvent {
  httpMethod: string;
  path: string;
  /** `/{proxy+}` when the API proxies every path to this function. */
  resource?: string;
  pathParameters?: Record<string, string | undefined> | null;
  headers?: Record<string, string | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: {
    requestId?: string;
    identity?: { userArn?: string | null; caller?: string | null } | null;
  };
}

export interface ApiGatewayProxyResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

const logger = new Logger({ serviceName: 'switchyard-api' });
type ApiPorts = Pick<Ports, (typeof API_PORTS)[number]>;
let ports: Promise<ApiPorts> | undefined;
/** Built on the first request: nothing is loaded, or left loading, by importing this module. */
const apiPorts = (): Promise<ApiPorts> =>
  (ports ??= buildPorts(API_PORTS, {
    store: storePort,
    workflow: workflowPort,
    preflight: preflightPort,
    clock: clockPort,
    events: eventsPort,
  }));

export async function handler(
  event: ApiGatewayProxyEvent,
  context: LambdaContext,
): Promise<ApiGatewayProxyResult> {
  // The Lambda request id and cold start come from the context; API Gateway's own request id
  // (what a caller sees) is kept beside them. https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/
  logger.addContext(context);
  const requestId = event.requestContext?.requestId;
  const response = await handleApiRequest(toApiRequest(event), await apiPorts(), {
    log: { error: (message, detail) => logger.error(message, { ...detail, requestId }) },
  });
  return toProxyResult(response);
}

export function toApiRequest(event: ApiGatewayProxyEvent): ApiRequest {
  const identity = event.requestContext?.identity;
  const caller = identity?.userArn ?? identity?.caller ?? undefined;
  // Behind a custom domain with a base path, `path` carries that base path; the proxy
  // parameter is the path relative to the API itself.
  const proxied = event.resource === '/{proxy+}' ? event.pathParameters?.proxy : undefined;
  const body =
    event.body === null || event.body === undefined
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  return {
    method: event.httpMethod,
    path: proxied !== undefined ? `/${proxied}` : event.path,
    query: event.queryStringParameters ?? {},
    headers: event.headers ?? {},
    body,
    ...(caller && { caller }),
  };
}

export function toProxyResult(response: ApiResponse): ApiGatewayProxyResult {
  return {
    statusCode: response.status,
    headers: response.headers,
    body: response.body,
    isBase64Encoded: false,
  };
}
