import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { routes, splitRouteKey, type FunctionName, type RouteKey } from '../../shared/api/routes.ts';
import { apiSecurityHeaders, webSecurityHeaders } from '../../shared/security-headers.ts';
import { isAssetPath } from '../../shared/web-assets.ts';

type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

interface CompiledRoute {
  key: RouteKey;
  method: string;
  pattern: RegExp;
  params: string[];
  fn: FunctionName;
}

/** Literal routes win over parameterised ones, as in API Gateway. */
export function compileRoutes(): CompiledRoute[] {
  return (Object.keys(routes) as RouteKey[])
    .map((key) => {
      const { method, path } = splitRouteKey(key);
      const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, '([^/]+)')}$`);
      return { key, method, pattern, params, fn: routes[key].fn };
    })
    .sort((a, b) => a.params.length - b.params.length);
}

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const MAX_BODY_BYTES = 1024 * 1024;

export interface ServerOptions {
  port: number;
  webDir: string;
  /** Called with each API answer's DynamoDB usage; the local server also returns it as headers. */
  loadHandler: (fn: FunctionName) => Promise<LambdaHandler>;
  withDbUsage: <T>(fn: () => Promise<T>) => Promise<{ result: T; usage: { requests: number; capacityUnits: number } }>;
  /** The S3 emulator's origin: uploads go straight to it and images come from it. */
  storageOrigin?: string;
  /** A deployment's brand.css, brand.json and logo by path (infra/brand.ts), served as CloudFront serves them. */
  brandFiles?: Record<string, string>;
}

/**
 * The local API Gateway and CloudFront in one: `/api/*` becomes an API Gateway v2 event for the
 * capability's handler, everything else is the built web app with the SPA fallback.
 */
export function createLocalServer(options: ServerOptions) {
  const compiled = compileRoutes();
  const webHeaders = webSecurityHeaders(options.storageOrigin);

  async function api(req: IncomingMessage, res: ServerResponse, url: URL) {
    const match = compiled
      .filter((r) => r.method === req.method)
      .map((r) => ({ route: r, groups: r.pattern.exec(url.pathname) }))
      .find((m) => m.groups);
    if (!match) return send(res, 404, { ...apiSecurityHeaders, 'content-type': 'application/json' }, JSON.stringify({ error: { code: 'not_found', message: 'No such endpoint.' } }));

    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return send(res, 413, { ...apiSecurityHeaders, 'content-type': 'application/json' }, JSON.stringify({ error: { code: 'too_large', message: 'The request body is larger than 1 MB.' } }));
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    let pathParameters: Record<string, string>;
    try {
      pathParameters = Object.fromEntries(match.route.params.map((name, i) => [name, decodeURIComponent(match.groups![i + 1]!)]));
    } catch {
      // Percent-encoding that is not UTF-8 names nothing; API Gateway answers such paths with an error too.
      return send(res, 404, { ...apiSecurityHeaders, 'content-type': 'application/json' }, JSON.stringify({ error: { code: 'not_found', message: 'No such endpoint.' } }));
    }
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
    const now = Date.now();
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: match.route.key,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      cookies: headers.cookie ? headers.cookie.split(';').map((c) => c.trim()) : undefined,
      headers,
      queryStringParameters: Object.keys(query).length ? query : undefined,
      pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
      requestContext: {
        accountId: 'local', apiId: 'local', domainName: headers.host ?? 'localhost', domainPrefix: 'local',
        http: { method: req.method ?? 'GET', path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '', userAgent: headers['user-agent'] ?? '' },
        requestId: randomUUID(), routeKey: match.route.key, stage: '$default', time: new Date(now).toISOString(), timeEpoch: now,
      },
      body: body.length ? body.toString('utf8') : undefined,
      isBase64Encoded: false,
    };
    const handler = await options.loadHandler(match.route.fn);
    const context = {
      awsRequestId: event.requestContext.requestId,
      functionName: `moot-${match.route.fn}`,
      getRemainingTimeInMillis: () => 29_000,
    } as unknown as Context;
    const { result, usage } = await options.withDbUsage(() => handler(event, context));
    const responseHeaders: Record<string, string | string[]> = {
      ...(result.headers as Record<string, string>),
      'x-moot-db-requests': String(usage.requests),
      'x-moot-db-capacity': usage.capacityUnits.toFixed(2),
    };
    if (result.cookies?.length) responseHeaders['set-cookie'] = result.cookies;
    send(res, result.statusCode ?? 200, responseHeaders, result.body ?? '');
  }

  async function web(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, webHeaders, '');
    const relative = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.(\/|\\|$))+/, '');
    let file = join(options.webDir, relative);
    if (!file.startsWith(options.webDir)) return send(res, 404, webHeaders, '');
    const branded = options.brandFiles?.[url.pathname.slice(1)];
    if (branded !== undefined) {
      return send(res, 200, { ...webHeaders, 'content-type': mimeTypes[extname(url.pathname)] ?? 'application/octet-stream', 'cache-control': 'no-cache' }, req.method === 'HEAD' ? '' : branded);
    }
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      // Missing built files are 404s; everything else is a client-side route.
      if (isAssetPath(url.pathname)) return send(res, 404, { ...webHeaders, 'content-type': 'text/plain' }, 'Not found');
      file = join(options.webDir, 'index.html');
    }
    const content = await readFile(file).catch(() => null);
    if (!content) return send(res, 503, { ...webHeaders, 'content-type': 'text/plain' }, 'The web app is not built yet: run npm run build:web.');
    const immutable = url.pathname.startsWith('/_app/immutable/');
    send(res, 200, {
      ...webHeaders,
      'content-type': mimeTypes[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    }, req.method === 'HEAD' ? '' : content);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const toApi = url.pathname === '/api' || url.pathname.startsWith('/api/') || url.pathname.startsWith('/.well-known/');
    const work = toApi ? api(req, res, url) : web(req, res, url);
    work.catch((error: Error) => {
      console.error(`local server: ${error.stack ?? error.message}`);
      if (!res.headersSent) send(res, 500, { ...apiSecurityHeaders, 'content-type': 'application/json' }, JSON.stringify({ error: { code: 'internal', message: 'Something went wrong on our side. Please try again.' } }));
    });
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

function send(res: ServerResponse, status: number, headers: Record<string, string | string[]>, body: string | Buffer) {
  res.writeHead(status, headers);
  res.end(body);
}
