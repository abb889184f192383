import type * as z from 'zod/mini';

/** One Lambda per capability; the route table says which one answers each route. */
export type FunctionName = 'auth' | 'users' | 'groups' | 'discussions' | 'polls' | 'exports' | 'notifications' | 'meta' | 'account';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  fn: FunctionName;
  /** `required`: 401 without a session. `optional`: the actor may be signed out. */
  auth: 'required' | 'optional' | 'none';
  summary: string;
  /** Status of a successful answer. */
  status: number;
  body?: z.ZodMiniType;
  /** The body may be left out, and then reads as `{}`. */
  optionalBody?: true;
  query?: z.ZodMiniType;
  response?: z.ZodMiniType;
  /**
   * RFC 8058 one-click unsubscribe: mail clients POST `List-Unsubscribe=One-Click` as a form, from
   * no page of ours, so the route takes exactly that body and skips the same-origin check. Its
   * signed token is its only authority.
   */
  oneClick?: true;
}
