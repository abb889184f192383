import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { canReadExport, canReadImportReport } from '../../shared/permissions/exports.ts';
import { canSeeGroup } from '../../shared/permissions/groups.ts';
import { s3 } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { get, queryPage } from '../lib/db.ts';
import { nowSeconds } from '../lib/entities.ts';
import { forbidden, notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import type { Actor } from '../lib/session.ts';
import { loadGroup } from '../groups/store.ts';
import { jobIndex, jobKeys, type GroupExportItem, type GroupImportItem } from './store.ts';

/**
 * The read side of exports and imports. Nothing here trusts what was true when a job was asked
 * for: each read re-checks the actor's right now (a demoted, removed or departed admin gets 404),
 * and download links are signed afresh on each read for a short time only, so a link handed out
 * lapses soon after the right to it does.
 */

/** How long a download link handed out by a read works. The page that shows them asks again when they are older. */
export const DOWNLOAD_LINK_SECONDS = 15 * 60;
const ID = /^[A-Za-z0-9_-]{22}$/;
const IMPORTS_PAGE = 20;

/** The job and whether the actor may read it now: only its requester, while still an admin of its live group. */
async function readableExport(job: GroupExportItem, actor: Actor): Promise<boolean> {
  if (job.expiresAt <= nowSeconds()) return false;
  const context = await loadGroup(job.groupId, actor).catch(() => null);
  return context !== null && canSeeGroup(context.facts, context.viewer) && canReadExport(context.facts, context.viewer, job);
}

/** GET /api/exports/{id}: the status, and short-lived links once ready; for the admin who asked, while they are one. */
export async function getGroupExport(request: ApiRequest<'GET /api/exports/{id}'>): Promise<ApiReply> {
  const id = request.params.id!;
  const job = ID.test(id) ? await get<GroupExportItem>(jobKeys.groupExport(id)) : null;
  if (!job || !(await readableExport(job, request.actor))) throw notFound('No such export.');
  return { body: await exportStatus(job) };
}

/** GET /api/groups/{id}/exports: the asking admin's exports of the group from the last 7 days, in one Query. */
export async function listGroupExports(request: ApiRequest<'GET /api/groups/{id}/exports'>): Promise<ApiReply> {
  const context = await loadGroup(request.params.id!, request.actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  const { gsi1pk } = jobIndex.groupExports(context.group.groupId, request.actor.id, '', '');
  const mine = { requestedBy: request.actor.id };
  if (!canReadExport(context.facts, context.viewer, mine)) throw forbidden('Only the group\u2019s admins can export it.');
  const { items } = await queryPage<GroupExportItem>({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': gsi1pk }, ScanIndexForward: false, Limit: 20 });
  const live = items.filter((job) => job.expiresAt > nowSeconds() && canReadExport(context.facts, context.viewer, job));
  return { body: { items: await Promise.all(live.map(exportStatus)) } };
}

/** Presigning is local computation: no request per link. */
async function exportStatus(job: GroupExportItem) {
  const links: Record<string, string> = {};
  for (const [name, key] of Object.entries(job.objects ?? {})) {
    const filename = key.slice(key.lastIndexOf('/') + 1);
    links[name] = await getSignedUrl(s3, new GetObjectCommand({ Bucket: config.exportsBucket, Key: key, ResponseContentDisposition: `attachment; filename="${filename}"` }), { expiresIn: DOWNLOAD_LINK_SECONDS });
  }
  return {
    id: job.exportId, groupId: job.groupId, status: job.status, requestedAt: job.requestedAt,
    finishedAt: job.finishedAt ?? null, records: job.records ?? null, bytes: job.bytes ?? null,
    ...(job.status === 'ready' ? { links } : {}),
  };
}

/**
 * An import as its importer may read it now. The report describes the archive they uploaded, so its
 * counts and problems stay theirs; but the groups it made are named (and the id map given) only
 * while the importer may still see them: a report is no way back into a group they were removed from.
 */
async function importStatus(job: GroupImportItem, actor: Actor, withIds: boolean) {
  const report = job.report ? { ...job.report } : null;
  if (report?.groups?.length) {
    const visible = await Promise.all(
      report.groups.map(async (g) => {
        const context = await loadGroup(g.id, actor).catch(() => null);
        return context !== null && canSeeGroup(context.facts, context.viewer);
      }),
    );
    const rootVisible = visible[0] === true;
    report.groups = report.groups.filter((_, i) => visible[i]);
    if (!rootVisible || !withIds) delete report.ids;
  } else if (report && !withIds) {
    delete report.ids;
  }
  return { id: job.importId, status: job.status, requestedAt: job.requestedAt, finishedAt: job.finishedAt ?? null, report };
}

/** GET /api/imports/{id}: status and report, for the person who asked only. */
export async function getImport(request: ApiRequest<'GET /api/imports/{id}'>): Promise<ApiReply> {
  const id = request.params.id!;
  const job = ID.test(id) ? await get<GroupImportItem>(jobKeys.groupImport(id)) : null;
  if (!job || !canReadImportReport(request.actor.id, job)) throw notFound('No such import.');
  return { body: await importStatus(job, request.actor, true) };
}

/** GET /api/imports: the asker's imports, newest first, one Query per page (without the id maps, which belong to one import's page). */
export async function listImports(request: ApiRequest<'GET /api/imports'>): Promise<ApiReply> {
  const scope = `imports|${request.actor.id}`;
  const { gsi1pk } = jobIndex.imports(request.actor.id, '', '');
  const page = await queryPage<GroupImportItem>({
    IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': gsi1pk },
    ScanIndexForward: false, Limit: IMPORTS_PAGE, ExclusiveStartKey: await decodeCursor(scope, request.query.cursor),
  });
  const items = await Promise.all(page.items.filter((job) => canReadImportReport(request.actor.id, job)).map((job) => importStatus(job, request.actor, false)));
  return { body: { items, cursor: await encodeCursor(scope, page.lastKey) } };
}
