import { accountRoutes } from './routes/account.ts';
import { accountDataRoutes } from './routes/account-data.ts';
import { exportRoutes } from './routes/exports.ts';
import { discussionRoutes } from './routes/discussions.ts';
import { groupRoutes } from './routes/groups.ts';
import { pollRoutes } from './routes/polls.ts';
import { notificationRoutes } from './routes/notifications.ts';
import type { FunctionName, RouteSpec } from './route-spec.ts';

export type { FunctionName, Method, RouteSpec } from './route-spec.ts';

/**
 * Every API route, keyed by API Gateway route key (`METHOD /path/{param}`), gathered from one file
 * per capability. CDK builds the HTTP API from this table and the local server dispatches from it.
 */
export const routes = {
  ...accountRoutes,
  ...accountDataRoutes,
  ...exportRoutes,
  ...groupRoutes,
  ...notificationRoutes,
  ...discussionRoutes,
  ...pollRoutes,
} as const satisfies Record<string, RouteSpec>;

export type RouteKey = keyof typeof routes;

export const functionNames: FunctionName[] = [...new Set(Object.values(routes).map((r) => r.fn))];

export function splitRouteKey(key: string): { method: import('./route-spec.ts').Method; path: string } {
  const [method, path] = key.split(' ') as [import('./route-spec.ts').Method, string];
  return { method, path };
}
