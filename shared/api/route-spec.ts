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
  query?: z.ZodMiniType;
  response?: z.ZodMiniType;
}
