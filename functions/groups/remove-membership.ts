import { canRemoveMembership, canSeeGroup } from '../../shared/permissions/groups.ts';
import { failed, get, patch, transact } from '../lib/db.ts';
import { AppError, forbidden, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { stillAdmin } from './membership-ops.ts';
import { groupKeys, isActive, loadGroup, splitId, type MembershipItem } from './store.ts';
import { lastAdmin } from './update-membership.ts';

/**
 * DELETE /api/memberships/{id}: leave, or (admins) remove someone. The membership is revoked, not
 * deleted, keeping who and when; it leaves the "my groups" index. The last admin cannot go.
 */
export async function removeMembership(request: ApiRequest<'DELETE /api/memberships/{id}'>): Promise<ApiReply> {
  const actor = request.actor;
  const { groupId, itemId: userId } = splitId(request.params.id!);
  const context = await loadGroup(groupId, actor);
  if (!canSeeGroup(context.facts, context.viewer) || !context.viewer.membership) throw notFound();
  const self = userId === actor.id;
  const subject = self ? context.membership : await get<MembershipItem>(groupKeys.membership(groupId, userId));
  if (!isActive(subject)) throw notFound('No such membership.');
  if (!canRemoveMembership(context.facts, context.viewer, userId)) throw forbidden('Only admins can remove members.');

  const codes = await transact([
    patch(groupKeys.membership(groupId, userId), { set: { revokedAt: new Date().toISOString(), revokedBy: actor.id }, remove: ['gsi1pk', 'gsi1sk'] }, {
      if: 'attribute_not_exists(#revokedAt) AND #role = :role',
      values: { ':role': subject.role },
    }),
    patch(
      groupKeys.group(groupId),
      { add: { memberCount: -1, ...(subject.role === 'admin' ? { adminCount: -1 } : {}) } },
      subject.role === 'admin' ? { if: '#adminCount > :one', values: { ':one': 1 } } : undefined,
    ),
    ...(self ? [] : [stillAdmin(groupId, actor.id)]),
    recordEvent({ kind: 'MembershipRevoked', groupId, userId, reason: self ? 'left' : 'removed' }, { actorId: actor.id, ip: request.ip }),
  ]);
  if (codes) {
    if (subject.role === 'admin' && failed(codes, 1)) {
      throw lastAdmin(self ? 'You are the last admin. Make someone else an admin before you leave.' : undefined);
    }
    throw new AppError(409, 'conflict', 'This membership changed at the same moment. Reload and try again.');
  }
  return { status: 204 };
}
