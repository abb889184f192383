import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

// The logger reads its level when it loads: debug, so every line the chain can write is written.
vi.hoisted(() => {
  delete process.env.MOOT_LOCAL;
  delete process.env.POWERTOOLS_DEV;
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  process.env.APP_URL = 'http://localhost:3000';
});
import { capability } from './http.ts';
import { ORIGIN_HEADER, resetOriginSecretCache } from './origin.ts';

const ORIGIN_SECRET = 'o'.repeat(43);
beforeAll(() => {
  process.env.ORIGIN_SECRET = ORIGIN_SECRET;
  resetOriginSecretCache();
});

const VIEWER_IP = '198.51.100.77';
const SOURCE_IP = '203.0.113.77';
const BODY_MARKER = 'body-marker-7f3a';

let written: string[] = [];
beforeEach(() => {
  written = [];
  const capture = (chunk: unknown) => (written.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(() => vi.restoreAllMocks());

const signInRequest = (requestId: string): [APIGatewayProxyEventV2, Context] => [
  {
    version: '2.0',
    routeKey: 'POST /api/auth/email',
    rawPath: '/api/auth/email',
    rawQueryString: '',
    headers: {
      [ORIGIN_HEADER]: ORIGIN_SECRET,
      'cloudfront-viewer-address': `${VIEWER_IP}:51234`,
      'x-forwarded-for': VIEWER_IP,
      'content-type': 'application/json',
      'sec-fetch-site': 'same-origin',
    },
    requestContext: { http: { method: 'POST', path: '/api/auth/email', sourceIp: SOURCE_IP, userAgent: 'test' }, requestId: `api-${requestId}` },
    body: JSON.stringify({ email: `${BODY_MARKER}@example.com` }),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2,
  { awsRequestId: requestId, functionName: 'moot-auth', memoryLimitInMB: '1024', invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:moot-auth', functionVersion: '$LATEST', getRemainingTimeInMillis: () => 10_000 } as unknown as Context,
];

const logLines = () => written.flatMap((chunk) => chunk.split('\n')).filter((line) => line.trim() !== '');

describe('the API logs', () => {
  it('are JSON lines that carry the invocation request id, and none holds the viewer address or the request body', async () => {
    // Prepare: a use case that fails unexpectedly, so the error line is written as well as the debug one.
    const handler = capability({
      'POST /api/auth/email': async () => {
        throw new Error('the mail service is down');
      },
    });

    // Act
    const response = await handler(...signInRequest('request-1'));
    const next = await handler(...signInRequest('request-2'));

    // Assess
    expect(response.statusCode).toBe(500);
    expect(next.statusCode).toBe(500);
    const lines = logLines();
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.filter((entry) => entry.level === 'ERROR').map((entry) => entry.function_request_id)).toEqual(['request-1', 'request-2']);
    for (const entry of entries) expect(entry).toMatchObject({ service: 'moot', function_name: 'moot-auth', function_request_id: expect.stringMatching(/^request-[12]$/) });
    for (const line of lines) {
      expect(line).not.toContain(VIEWER_IP);
      expect(line).not.toContain(SOURCE_IP);
      expect(line).not.toContain(BODY_MARKER);
      // Nor a masked one, whole or in part, nor the address split into its parts.
      expect(line).not.toMatch(/198\.51\.100|203\.0\.113/);
    }
  });
});
