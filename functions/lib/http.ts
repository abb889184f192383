import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { routes, type RouteKey, type RouteSpec } from '../../shared/api/routes.ts';
import { apiSecurityHeaders } from '../../shared/security-headers.ts';
import { withDbUsage } from './clients.ts';
import { config } from './config.ts';
import { AppError, badRequest, forbidden, invalid, notFound, unauthorized } from './errors.ts';
import { maskIp } from './ip.ts';
import { logger } from './logger.ts';
import { observed } from './metrics.ts';
import { fromOurEdge, ORIGIN_HEADER } from './origin.ts';
import { parseOneClickBody } from './one-click.ts';
import { readSession, type Actor } from './session.ts';

type Routes = typeof routes;
type Infer<T> = T extends z.ZodMiniType ? z.infer<T> : undefined;

/** What a use case receives: validated input, the actor, and the request facts it may store. */
export interface ApiRequest<K extends RouteKey = RouteKey> {
  routeKey: K;
  body: Infer<Routes[K] extends { body: infer B } ? B : undefined>;
  query: Infer<Routes[K] extends { query: infer Q } ? Q : undefined>;
  params: Record<string, string>;
  actor: Routes[K] extends { auth: 'required' } ? Actor : Actor | null;
  /** The raw session id from the cookie, when there is one (sign-out needs it). */
  sessionId: string | null;
  /** Already masked: the unmasked address never leaves this module. */
  ip: string;
  userAgent: string;
}

export interface ApiReply {
  status?: number;
  body?: unknown;
  /** A body that is not JSON (CSV, iCalendar, BLT), sent as is with its own content-type header. */
  raw?: string;
  headers?: Record<string, string>;
  cookies?: string[];
}

export type UseCaseHandler<K extends RouteKey> = (request: ApiRequest<K>) => Promise<ApiReply>;

export type RouteHandlers<K extends RouteKey> = { [P in K]: UseCaseHandler<P> };

type Internal = Record<string, unknown>;

/** The Lambda context, plus the validated request the parse middleware attaches to it. */
type MootContext = Context & { apiRequest?: ApiRequest };

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

function json(status: number, body: unknown, headers: Record<string, string> = {}, cookies?: string[]): Result {
  return {
    statusCode: status,
    headers: { ...apiSecurityHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...headers },
    ...(cookies?.length ? { cookies } : {}),
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** zod issues → `{field: message}`, first message per field, dotted paths. */
export function issuesToFields(issues: readonly z.core.$ZodIssue[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.length ? issue.path.join('.') : '_';
    fields[key] ??= issue.code === 'invalid_union' ? 'This value is not in an accepted form.' : issue.message;
  }
  return fields;
}

/**
 * Behind CloudFront the connection comes from an edge server; CloudFront names the viewer in
 * `CloudFront-Viewer-Address` (`ip:port`). Anyone can send that header, so it counts only when
 * `fromEdge` (the request carried the origin secret that CloudFront adds); otherwise the source IP.
 */
export function clientIp(event: Event, fromEdge: boolean): string {
  const viewer = fromEdge ? event.headers?.['cloudfront-viewer-address'] : undefined;
  if (viewer) {
    const bracketed = /^\[([^\]]+)\]:\d+$/.exec(viewer);
    if (bracketed?.[1]) return bracketed[1];
    return viewer.replace(/:\d+$/, '');
  }
  return event.requestContext?.http?.sourceIp ?? '';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const MAX_PATH_PARAMETER = 256;

/**
 * Cookies ride along with cross-site requests that need no preflight (a form POST, or a fetch
 * with no body), so every state-changing request must show it came from our own pages.
 * `Sec-Fetch-Site` is set by the browser and cannot be forged by a page; where a browser does
 * not send it, `Origin` must be ours. A request with neither is not from a browser page, and so
 * cannot carry a victim's cookie without the victim's own client sending it.
 */
export function crossSiteRefusal(event: Event): AppError | undefined {
  if (SAFE_METHODS.has(event.requestContext?.http?.method ?? 'GET')) return undefined;
  const site = event.headers?.['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none' ? undefined : crossSite();
  const origin = event.headers?.origin;
  if (origin !== undefined && origin !== new URL(config.appUrl).origin) return crossSite();
  return undefined;
}

const crossSite = () => new AppError(403, 'cross_site', 'This request came from another site, so it was refused. Open Moot itself and try again.');

function parseBody(event: Event, spec: RouteSpec): unknown {
  if (!event.body) return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const type = event.headers['content-type'] ?? '';
  if (spec.oneClick) {
    // RFC 8058: mail clients POST exactly `List-Unsubscribe=One-Click` as a form; the token in the URL is the authority.
    parseOneClickBody(type, raw);
    return undefined;
  }
  if (!type.startsWith('application/json')) {
    throw new AppError(415, 'unsupported_media_type', 'Send the request body as application/json.');
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw badRequest('The request body is not valid JSON.', 'invalid_json');
  }
}

function validate(schema: z.ZodMiniType | undefined, value: unknown, what: 'body' | 'query'): unknown {
  if (!schema) return undefined;
  if (what === 'body' && (value === undefined || value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw invalid({ _: 'Send a JSON object.' }, 'The request body must be a JSON object.');
  }
  const result = z.safeParse(schema, value);
  if (!result.success) {
    // A union of object shapes reports no useful path; name the fields of the shape closest to what was sent.
    const fields = issuesToFields(flattenUnionIssues(result.error.issues, value));
    throw invalid(fields);
  }
  // A field the schema does not know is refused, never silently dropped: the caller meant something by it.
  if (what === 'body') {
    const unknown = unknownFields(value, result.data);
    if (unknown.length) throw invalid(Object.fromEntries(unknown.map((path) => [path, 'This field is not accepted here.'])), 'The request has fields this API does not take.');
  }
  const illFormed = illFormedText(result.data);
  if (illFormed !== undefined) throw invalid({ [illFormed || '_']: 'This text holds a broken character (half of a surrogate pair). Type or paste it again.' });
  return result.data;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The dotted paths of what was sent but is not in the parsed value: keys the schema does not
 * declare (it strips them). Walks both values side by side, which the schema's depth bounds;
 * where the schema turned an object into something else, there is nothing to compare.
 */
export function unknownFields(sent: unknown, parsed: unknown, path: string[] = []): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed)) return sent.flatMap((v, i) => unknownFields(v, parsed[i], [...path, String(i)]));
  if (!isPlainObject(sent) || !isPlainObject(parsed)) return [];
  return Object.keys(sent).flatMap((key) => (Object.hasOwn(parsed, key) ? unknownFields(sent[key], parsed[key], [...path, key]) : [[...path, key].join('.')]));
}

/**
 * The dotted path of the first string that is not well-formed UTF-16 (a lone surrogate), or
 * undefined. Such text cannot be stored as UTF-8 or shown faithfully, so it is refused rather
 * than changed. Walks the validated value, whose depth the schema bounds.
 */
export function illFormedText(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : path.join('.');
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (!key.isWellFormed()) return [...path, key].join('.');
    const found = illFormedText(child, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

function flattenUnionIssues(issues: readonly z.core.$ZodIssue[], value: unknown): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.path.length === 0 && issue.errors.length) {
      const sent = new Set(Object.keys((value ?? {}) as object));
      // Prefer the alternative whose failing fields were actually sent; it is what the client meant.
      const best = [...issue.errors].sort((a, b) => score(b, sent) - score(a, sent))[0] ?? [];
      out.push(...best);
    } else {
      out.push(issue);
    }
  }
  return out;
}

function score(alternative: readonly z.core.$ZodIssue[], sent: Set<string>): number {
  return alternative.filter((i) => sent.has(String(i.path[0]))).length * 2 - alternative.length;
}

/**
 * Builds one capability's Lambda handler from its route handlers. The chain is always
 * parse → session → validate → use case → map errors, declared here once for every route.
 */
export function capability<K extends RouteKey>(handlers: RouteHandlers<K>) {
  const table = handlers as unknown as Record<string, UseCaseHandler<RouteKey>>;

  const parse: middy.MiddlewareObj<Event, Result, Error, MootContext, Internal> = {
    before: async (request) => {
      const event = request.event;
      const spec = routes[event.routeKey as RouteKey] as (typeof routes)[RouteKey] | undefined;
      if (!spec || !table[event.routeKey]) throw new AppError(404, 'not_found', 'No such endpoint.');
      // Every id, handle and token is far shorter; a longer one names nothing (and would not fit a key).
      if (Object.values(event.pathParameters ?? {}).some((value) => (value ?? '').length > MAX_PATH_PARAMETER)) throw notFound();
      const fromEdge = await fromOurEdge(event.headers?.[ORIGIN_HEADER]);
      // In the cloud CloudFront is the only way in: a caller who found the API's own address is refused.
      if (!fromEdge && !config.local) throw forbidden();
      const refusal = 'oneClick' in spec && spec.oneClick ? undefined : crossSiteRefusal(event);
      if (refusal) throw refusal;
      const cookie = event.cookies?.join('; ') ?? event.headers.cookie ?? '';
      const session = spec.auth === 'none' ? { actor: null, sessionId: null } : await readSession(cookie);
      if (spec.auth === 'required' && !session.actor) throw unauthorized();
      const sent = parseBody(event, spec);
      const body = validate('body' in spec ? (spec.body as z.ZodMiniType) : undefined, sent === undefined && 'optionalBody' in spec ? {} : sent, 'body');
      const query = validate('query' in spec ? (spec.query as z.ZodMiniType) : undefined, event.queryStringParameters ?? {}, 'query');
      request.context.apiRequest = {
        routeKey: event.routeKey as RouteKey,
        body: body as never,
        query: query as never,
        params: (event.pathParameters ?? {}) as Record<string, string>,
        actor: session.actor as never,
        sessionId: session.sessionId,
        ip: maskIp(clientIp(event, fromEdge)),
        userAgent: (event.headers['user-agent'] ?? '').slice(0, 256),
      };
    },
  };

  const mapErrors: middy.MiddlewareObj<Event, Result, Error, MootContext, Internal> = {
    onError: async (request) => {
      const error = request.error;
      if (error instanceof AppError) {
        request.response = json(
          error.status,
          { error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) } },
          error.headers,
        );
        return;
      }
      logger.error('Unhandled error', { routeKey: request.event.routeKey, error: error as Error });
      request.response = json(500, { error: { code: 'internal', message: 'Something went wrong on our side. Please try again.' } });
    },
  };

  const run = async (event: Event, context: MootContext): Promise<Result> => {
    const request = context.apiRequest;
    if (!request) throw new Error('The parse middleware did not run.');
    const spec = routes[request.routeKey];
    const reply = await (table[request.routeKey] as UseCaseHandler<RouteKey>)(request);
    void event;
    if (reply.raw !== undefined) {
      return { statusCode: reply.status ?? spec.status, headers: { ...apiSecurityHeaders, ...reply.headers }, body: reply.raw };
    }
    return json(reply.status ?? spec.status, reply.body, reply.headers, reply.cookies);
  };

  const chain = middy<Event, Result, Error, MootContext, Internal>().use(mapErrors).use(parse).handler(run);
  // Never log the event itself: it holds the viewer's address, cookies and the request body.
  return observed(async (event: Event, context?: Context): Promise<Result> => {
    const { result, usage } = await withDbUsage(() => chain(event, context as MootContext));
    // Round trips only: consumed capacity follows the size of what was written, so beside the
    // time of a has-voted marker it would tell an anonymous ballot's size (a long reason).
    logger.debug('DynamoDB usage', { routeKey: event.routeKey, requests: usage.requests, operations: usage.operations });
    return result;
  });
}
