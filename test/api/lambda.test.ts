/** The Lambda entry's translation between API Gateway's REST proxy event and the router. */
import { describe, expect, it } from 'vitest';
import { type ApiGatewayProxyEvent, toApiRequest, toProxyResult } from '../../lambdas/api/lambda';

const baseEvent: ApiGatewayProxyEvent = {
  httpMethod: 'POST',
  path: '/releases/shop-1/approve',
  resource: '/releases/{id}/approve',
  pathParameters: { id: 'shop-1' },
  headers: { 'Content-Type': 'application/json' },
  queryStringParameters: null,
  body: '{"approval":"us-east-1/api/step-1"}',
  isBase64Encoded: false,
  requestContext: {
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    identity: { userArn: 'arn:aws:sts::123456789012:assumed-role/deployer/ci', caller: 'AROAEXAMPLE:ci' },
  },
};

describe('the API Gateway proxy entry', () => {
  it('passes method, path, headers, query and body through, and names the IAM caller', () => {
    expect(toApiRequest(baseEvent)).toEqual({
      method: 'POST',
      path: '/releases/shop-1/approve',
      query: {},
      headers: { 'Content-Type': 'application/json' },
      body: '{"approval":"us-east-1/api/step-1"}',
      caller: 'arn:aws:sts::123456789012:assumed-role/deployer/ci',
    });
  });

  it('decodes a base64 body and takes the path from {proxy+} (a custom domain adds its base path to `path`)', () => {
    const request = toApiRequest({
      ...baseEvent,
      httpMethod: 'GET',
      path: '/v1/releases',
      resource: '/{proxy+}',
      pathParameters: { proxy: 'releases' },
      queryStringParameters: { status: 'RUNNING' },
      body: Buffer.from('{"a":1}').toString('base64'),
      isBase64Encoded: true,
      requestContext: {},
    });
    expect(request).toMatchObject({ path: '/releases', query: { status: 'RUNNING' }, body: '{"a":1}' });
    expect(request.caller).toBeUndefined();
    expect(toApiRequest({ ...baseEvent, body: null }).body).toBeUndefined();
  });

  it('answers in the proxy result shape', () => {
    expect(
      toProxyResult({ status: 409, headers: { 'content-type': 'application/json' }, body: '{}' }),
    ).toEqual({
      statusCode: 409,
      headers: { 'content-type': 'application/json' },
      body: '{}',
      isBase64Encoded: false,
    });
  });
});
