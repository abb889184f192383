import { canArchiveGroup, canSeeGroup } from '../../shared/permissions/groups.ts';
import { patch, transact } from '../lib/db.ts';
import { forbidden, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { stillAdmin } from './membership-ops.ts';
import { groupKeys, loadGroup } from './store.ts';

export const PURGE_AFTER_DAYS = 30;

/**
 * DELETE /api/groups/{id}: archived groups are hidden from everyone at once. The group joins the
 * scheduler's due index, and the purge job removes it for good after 30 days.
 */
export async function archiveGroup(request: ApiRequest<'DELETE /api/groups/{id}'>): Promise<ApiReply> {
  const actor = request.actor;
  const context = await loadGroup(request.params.id!, actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  if (!canArchiveGroup(context.facts, context.viewer)) throw forbidden('Only the group\u2019s admins can archive it.');
  const now = new Date();
  const purgeAt = new Date(now.getTime() + PURGE_AFTER_DAYS * 86_400_000).toISOString();
  const codes = await transact([
    patch(groupKeys.group(context.group.groupId), {
      set: { archivedAt: now.toISOString(), gsi2pk: 'due', gsi2sk: `${purgeAt}#group#${context.group.groupId}`, dueKind: 'purgeGroup' },
    }, { if: 'attribute_not_exists(#archivedAt)' }),
    stillAdmin(context.group.groupId, actor.id),
    recordEvent({ kind: 'GroupArchived', groupId: context.group.groupId }, { actorId: actor.id, ip: request.ip }),
  ]);
  if (codes) throw notFound('No such group.');
  return { status: 204 };
}
