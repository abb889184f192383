import type * as z from 'zod/mini';
import { Accepted, Me, RedeemSignIn, RequestSignIn, SignedIn, UpdateMe } from '../schemas/auth.ts';

/** One Lambda per capability; the route table says which one answers each route. */
export type FunctionName = 'auth' | 'users' | 'meta';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  fn: FunctionName;
  /** `required`: 401 without a session. `optional`: the actor may be signed out. */
  auth: 'required' | 'optional' | 'none';
  summary: string;
  /** Status of a successful answer. */
  status: number;
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  response?: z.ZodMiniType;
}

/**
 * Every API route, keyed by API Gateway route key (`METHOD /path/{param}`).
 * CDK builds the HTTP API from this table and the local server dispatches from it.
 */
export const routes = {
  'POST /api/auth/email': {
    fn: 'auth', auth: 'none', status: 202,
    summary: 'Email a sign-in link and code. Answers the same whether or not the address has an account.',
    body: RequestSignIn, response: Accepted,
  },
  'POST /api/auth/token': {
    fn: 'auth', auth: 'none', status: 200,
    summary: 'Redeem an emailed link token, or an email address and code, for a session cookie.',
    body: RedeemSignIn, response: SignedIn,
  },
  'DELETE /api/auth/session': {
    fn: 'auth', auth: 'optional', status: 204,
    summary: 'Sign out on this device.',
  },
  'DELETE /api/auth/sessions': {
    fn: 'auth', auth: 'required', status: 204,
    summary: 'Sign out everywhere: every session of this user is revoked.',
  },
  'GET /api/me': {
    fn: 'users', auth: 'required', status: 200,
    summary: 'The signed-in user.', response: Me,
  },
  'PATCH /api/me': {
    fn: 'users', auth: 'required', status: 200,
    summary: 'Update the signed-in user.', body: UpdateMe, response: Me,
  },
  'GET /api/openapi.json': {
    fn: 'meta', auth: 'none', status: 200,
    summary: 'This API as an OpenAPI 3.1 document.',
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteKey = keyof typeof routes;

export const functionNames: FunctionName[] = [...new Set(Object.values(routes).map((r) => r.fn))];

export function splitRouteKey(key: string): { method: Method; path: string } {
  const [method, path] = key.split(' ') as [Method, string];
  return { method, path };
}
