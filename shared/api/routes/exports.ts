import { AuditPage, AuditQuery } from '../../schemas/exports.ts';
import type { RouteSpec } from '../route-spec.ts';

/** What admins can take out of a group: its audit trail (and, as they are built, whole-group archives). */
export const exportRoutes = {
  'GET /api/groups/{id}/audit': {
    fn: 'exports', auth: 'required', status: 200,
    summary: 'Who changed what and when in a group, newest first; filter by event kind or actor (admins).',
    query: AuditQuery, response: AuditPage,
  },
  'GET /api/groups/{id}/audit.csv': {
    fn: 'exports', auth: 'required', status: 200,
    summary: 'The audit trail as CSV, with the same filters (admins).', query: AuditQuery,
  },
} as const satisfies Record<string, RouteSpec>;
