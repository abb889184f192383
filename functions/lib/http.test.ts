import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';

// Configuration is read when the modules load, and other test files in this process may have
// pointed it at a local stack: these tests are about the cloud, at a known address.
vi.hoisted(() => {
  delete process.env.MOOT_LOCAL;
  process.env.APP_URL = 'http://localhost:3000';
});
import { invalid } from './errors.ts';
import { capability, clientIp, crossSiteRefusal, illFormedText, unknownFields } from './http.ts';
import { ORIGIN_HEADER, resetOriginSecretCache } from './origin.ts';

// As in the cloud: CloudFront adds the origin secret to every request it forwards.
const ORIGIN_SECRET = 'o'.repeat(43);
beforeAll(() => {
  process.env.ORIGIN_SECRET = ORIGIN_SECRET;
  resetOriginSecretCache();
});
const edge = { [ORIGIN_HEADER]: ORIGIN_SECRET };

// The openapi route needs no session and no body, so the chain can run without any service.
const event = (overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: 'GET /api/openapi.json',
    rawPath: '/api/openapi.json',
    rawQueryString: '',
    headers: { ...edge },
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
  ])('reads the viewer from %j behind the edge', (headers, ip) => {
    expect(clientIp(event({ headers }), true)).toBe(ip);
  });

  it('ignores a viewer header on a request that did not come through the edge', () => {
    expect(clientIp(event({ headers: { 'cloudfront-viewer-address': '198.51.100.7:51234' } }), false)).toBe('203.0.113.9');
  });
});

describe('the origin secret', () => {
  const reached = (headers: Record<string, string>) => {
    let ip: string | undefined;
    const handler = capability({ 'GET /api/openapi.json': async (request) => { ip = request.ip; return { body: {} }; } });
    return handler(event({ headers }), context).then((response) => ({ status: response.statusCode, ip }));
  };

  it('refuses in the cloud a request that bypassed CloudFront, with or without a forged viewer header', async () => {
    expect((await reached({})).status).toBe(403);
    expect((await reached({ 'cloudfront-viewer-address': '198.51.100.7:1' })).status).toBe(403);
    expect((await reached({ [ORIGIN_HEADER]: 'guess', 'cloudfront-viewer-address': '198.51.100.7:1' })).status).toBe(403);
    expect((await reached({ [ORIGIN_HEADER]: `${ORIGIN_SECRET}x` })).status).toBe(403);
  });

  it('believes the viewer header, masked, only next to the secret', async () => {
    expect(await reached({ ...edge, 'cloudfront-viewer-address': '198.51.100.7:1' })).toEqual({ status: 200, ip: '198.51.100.0/24' });
  });
});

describe('the same-origin check', () => {
  const post = (headers: Record<string, string>, method = 'POST') =>
    event({ headers: { ...edge, ...headers }, requestContext: { http: { method } } as APIGatewayProxyEventV2['requestContext'] });

  it.each([
    [{ 'sec-fetch-site': 'cross-site' }],
    [{ 'sec-fetch-site': 'same-site' }],
    [{ 'sec-fetch-site': 'cross-site', origin: 'http://localhost:3000' }],
    [{ origin: 'https://evil.example' }],
    [{ origin: 'null' }],
    [{ origin: 'http://localhost:3000.evil.example' }],
  ])('refuses a state-changing request sent with %j', (headers) => {
    expect(crossSiteRefusal(post(headers))?.status).toBe(403);
    for (const method of ['PUT', 'PATCH', 'DELETE']) expect(crossSiteRefusal(post(headers, method))?.status).toBe(403);
  });

  it.each([
    [{ 'sec-fetch-site': 'same-origin' }],
    [{ 'sec-fetch-site': 'none' }],
    [{ origin: 'http://localhost:3000' }],
    [{}],
  ])('lets through a request sent with %j', (headers) => {
    expect(crossSiteRefusal(post(headers))).toBeUndefined();
  });

  it('never refuses a read', () => {
    expect(crossSiteRefusal(post({ 'sec-fetch-site': 'cross-site' }, 'GET'))).toBeUndefined();
  });

  it('answers a cross-site POST with 403 before the use case runs, except on one-click unsubscribe', async () => {
    let ran = 0;
    const handler = capability({
      'POST /api/auth/email': async () => { ran++; return { body: {} }; },
      'POST /api/unsubscribe': async () => { ran++; return { body: {} }; },
    });
    const body = JSON.stringify({ email: 'a@example.org' });
    const crossSite = { ...edge, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' };
    const refused = await handler(event({ routeKey: 'POST /api/auth/email', headers: crossSite, body, requestContext: { http: { method: 'POST' } } as never }), context);
    expect(refused.statusCode).toBe(403);
    expect(JSON.parse(refused.body!).error.code).toBe('cross_site');
    expect(ran).toBe(0);
    const oneClick = await handler(event({
      routeKey: 'POST /api/unsubscribe', queryStringParameters: { token: 'signed.token-value' },
      headers: { ...edge, 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click', requestContext: { http: { method: 'POST' } } as never,
    }), context);
    expect(oneClick.statusCode).toBe(200);
    expect(ran).toBe(1);
  });
});

describe('ill-formed text', () => {
  it.each([
    [{ title: 'ok', body: 'half \ud83d pair' }, 'body'],
    [{ options: ['fine', '\udc00'] }, 'options.1'],
    [{ nested: { deeper: { text: 'x\ud800' } } }, 'nested.deeper.text'],
    [{ ['key\ud800']: 'v' }, 'key\ud800'],
  ])('names the field of %j', (value, path) => {
    expect(illFormedText(value)).toBe(path);
  });

  it('accepts whole surrogate pairs, emoji and every other string', () => {
    expect(illFormedText({ a: '💩 𝕏 ✓', b: ['ünïcode', '\u202e'], c: 7, d: null })).toBeUndefined();
  });
});

describe('unknown fields', () => {
  it.each([
    [{ name: 'A', email: 'x@example.org' }, { name: 'A' }, ['email']],
    [{ settings: { seats: 2, quorum: 5 } }, { settings: { seats: 2 } }, ['settings.quorum']],
    [{ options: [{ id: 'a', colour: 'red' }] }, { options: [{ id: 'a' }] }, ['options.0.colour']],
    [{ a: 1, __proto__x: 2 }, { a: 1 }, ['__proto__x']],
  ])('names every key of %j the schema dropped', (sent, parsed, expected) => {
    expect(unknownFields(sent, parsed)).toEqual(expected);
  });

  it('finds none where the schema kept every key, added defaults, or turned a value into another kind', () => {
    expect(unknownFields({ a: 1, b: { c: [1, { d: 2 }] } }, { a: 1, b: { c: [1, { d: 2 }] }, e: 'default' })).toEqual([]);
    expect(unknownFields({ when: { y: 2030 } }, { when: '2030-01-01' })).toEqual([]);
    expect(unknownFields('text', 'text')).toEqual([]);
  });
});
