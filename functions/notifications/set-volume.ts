import { canSeeGroup } from '../../shared/permissions/groups.ts';
import { patch, transact } from '../lib/db.ts';
import { notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { groupKeys, loadGroup } from '../groups/store.ts';

/** PUT /api/groups/{id}/volume: a member chooses how much they hear from this group. */
export async function setGroupVolume(request: ApiRequest<'PUT /api/groups/{id}/volume'>): Promise<ApiReply> {
  const actor = request.actor;
  const context = await loadGroup(request.params.id!, actor);
  if (!canSeeGroup(context.facts, context.viewer) || !context.membership) throw notFound('No such group.');
  const { groupId } = context.group;
  const { volume } = request.body;
  const codes = await transact([
    patch(groupKeys.membership(groupId, actor.id), { set: { volume } }, { if: 'attribute_not_exists(#revokedAt)' }),
    recordEvent({ kind: 'GroupVolumeChanged', groupId, userId: actor.id, volume }, { actorId: actor.id, ip: request.ip }),
  ]);
  if (codes) throw notFound('No such group.');
  return { body: { groupId, volume } };
}
