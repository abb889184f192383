import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { invalid } from './errors.ts';
import { capability, clientIp } from './http.ts';

// The openapi route needs no session and no body, so the chain can run without any service.
const event = (overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: 'GET /api/openapi.json',
    rawPath: '/api/openapi.json',
    rawQueryString: '',
    headers: {},
    requestContext: { http: { method: 'GET', path: '/api/openapi.json', sourceIp: '203.0.113.9', userAgent: 'test' }, requestId: 'r' },
    isBase64Encoded: false,
    ...overrides,
  }) as APIGatewayProxyEventV2;

const context = { getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

describe('the handler chain', () => {
  it('turns an unexpected error into a 500 that carries no internals', async () => {
    const handler = capability({
      'GET /api/openapi.json': async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.1:8000 at secretFunction (/var/task/index.mjs:1:2)');
      },
    });
    const response = await handler(event(), context);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/ECONNREFUSED|secretFunction|index\.mjs|10\.0\.0\.1/);
    expect(JSON.parse(response.body!)).toEqual({ error: { code: 'internal', message: expect.any(String) } });
  });

  it('maps a validation error to 422 with the failing fields', async () => {
    const handler = capability({ 'GET /api/openapi.json': async () => { throw invalid({ name: 'Too long.' }); } });
    const response = await handler(event(), context);
    expect(response.statusCode).toBe(422);
    expect(JSON.parse(response.body!).error.fields).toEqual({ name: 'Too long.' });
  });

  it('answers a route this capability does not serve with 404', async () => {
    const handler = capability({ 'GET /api/openapi.json': async () => ({ body: {} }) });
    const response = await handler(event({ routeKey: 'GET /api/elsewhere' }), context);
    expect(response.statusCode).toBe(404);
  });

  it('uses the route table status and adds no-store and nosniff headers', async () => {
    const handler = capability({ 'GET /api/openapi.json': async () => ({ body: { ok: true } }) });
    const response = await handler(event(), context);
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  });
});

describe('clientIp', () => {
  it.each([
    [{ 'cloudfront-viewer-address': '198.51.100.7:51234' }, '198.51.100.7'],
    [{ 'cloudfront-viewer-address': '2001:db8::7:443' }, '2001:db8::7'],
    [{ 'cloudfront-viewer-address': '[2001:db8::8]:443' }, '2001:db8::8'],
    [{}, '203.0.113.9'],
  ])('reads the viewer from %j', (headers, ip) => {
    expect(clientIp(event({ headers }))).toBe(ip);
  });
});
