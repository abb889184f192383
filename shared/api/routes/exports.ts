import * as z from 'zod/mini';
import { AuditPage, AuditQuery } from '../../schemas/exports.ts';
import type { RouteSpec } from '../route-spec.ts';

const ExportAccepted = z.object({ id: z.string(), status: z.literal('pending') });
const ExportStatus = z.object({
  id: z.string(),
  groupId: z.string(),
  /** `failed`: it could not be built after three attempts; ask again. */
  status: z.enum(['pending', 'ready', 'failed']),
  requestedAt: z.string(),
  finishedAt: z.nullable(z.string()),
  records: z.nullable(z.number()),
  bytes: z.nullable(z.number()),
  /** Links signed for 15 minutes on each read (while the reader is still an admin), by name: `archive` (NDJSON, gzip), `html`, and `members.csv`, `threads.csv`, ... */
  links: z.optional(z.record(z.string(), z.string())),
});
const ExportList = z.object({ items: z.array(ExportStatus) });
/** Archives are uploaded straight to storage with a presigned POST, like attachments, but as gzip and larger. */
export const ImportUploadRequest = z.object({ size: z.number().check(z.int(), z.positive(), z.lte(2 * 1024 ** 3, { error: 'An archive can be at most 2 GB.' })) });
const ImportUpload = z.object({ uploadKey: z.string(), url: z.string(), fields: z.record(z.string(), z.string()), maxBytes: z.number() });
export const ImportRequest = z.object({ uploadKey: z.string().check(z.maxLength(300)) });
const ImportStatus = z.object({
  id: z.string(),
  /** `rejected`: the archive failed a check (the report says which); `failed`: it could not be imported after three attempts. */
  status: z.enum(['pending', 'published', 'done', 'rejected', 'failed']),
  requestedAt: z.string(),
  finishedAt: z.nullable(z.string()),
  report: z.nullable(z.record(z.string(), z.unknown())),
});
export const ImportListQuery = z.object({ cursor: z.optional(z.string()) });
const ImportList = z.object({ items: z.array(ImportStatus), cursor: z.nullable(z.string()) });

/** What admins can take out of a group (its audit trail, whole-group archives) and bring into this Moot. */
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
  'POST /api/groups/{id}/exports': {
    fn: 'exports', auth: 'required', status: 202,
    summary: 'Export the group and the subgroups you belong to: NDJSON archive, CSV files and an offline HTML archive (admins).',
    response: ExportAccepted,
  },
  'GET /api/groups/{id}/exports': {
    fn: 'exports', auth: 'required', status: 200,
    summary: 'Your exports of this group from the last 7 days, newest first, with links to the ready ones (admins).', response: ExportList,
  },
  'GET /api/exports/{id}': {
    fn: 'exports', auth: 'required', status: 200,
    summary: 'A group export\u2019s status, and its download links once ready (for the admin who asked).', response: ExportStatus,
  },
  'POST /api/imports/uploads': {
    fn: 'exports', auth: 'required', status: 201,
    summary: 'A presigned POST for uploading a group archive (application/gzip) to import.', body: ImportUploadRequest, response: ImportUpload,
  },
  'POST /api/imports': {
    fn: 'exports', auth: 'required', status: 202,
    summary: 'Import an uploaded group archive as a new group that you administer.', body: ImportRequest,
  },
  'GET /api/imports': {
    fn: 'exports', auth: 'required', status: 200,
    summary: 'Your imports, newest first, 20 to a page.', query: ImportListQuery, response: ImportList,
  },
  'GET /api/imports/{id}': {
    fn: 'exports', auth: 'required', status: 200,
    summary: 'An import\u2019s status and report (for the person who asked).', response: ImportStatus,
  },
} as const satisfies Record<string, RouteSpec>;
