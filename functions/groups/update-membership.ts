import { canBecomeAdmin, canChangeRoles, canSeeGroup, canSeeMembers } from '../../shared/permissions/groups.ts';
import { failed, get, patch, transact } from '../lib/db.ts';
import { AppError, forbidden, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { stillAdmin } from './membership-ops.ts';
import { groupKeys, isActive, loadGroup, splitId, type MembershipItem } from './store.ts';
import { membershipView } from './views.ts';

export const lastAdmin = (message = 'A group needs at least one admin. Make someone else an admin first.') =>
  new AppError(409, 'last_admin', message);

/**
 * PATCH /api/memberships/{id}: promote, demote or retitle (admins); step up to admin when the group
 * has none. The admin count on the group is the guard: a demotion must leave it at one or more, so
 * two admins demoting each other at once leave one admin standing.
 */
export async function updateMembership(request: ApiRequest<'PATCH /api/memberships/{id}'>): Promise<ApiReply> {
  const actor = request.actor;
  const { groupId, itemId: userId } = splitId(request.params.id!);
  const context = await loadGroup(groupId, actor);
  if (!canSeeGroup(context.facts, context.viewer) || !canSeeMembers(context.facts, context.viewer)) throw notFound();
  const subject = userId === actor.id ? context.membership : await get<MembershipItem>(groupKeys.membership(groupId, userId));
  if (!isActive(subject)) throw notFound('No such membership.');
  const { role, title } = request.body;
  const self = userId === actor.id;
  const stepUp = self && role === 'admin' && subject.role === 'member' && canBecomeAdmin(context.facts, context.viewer);
  if (!stepUp && !canChangeRoles(context.facts, context.viewer)) throw forbidden('Only admins can change roles and titles.');

  const next = { role: role ?? subject.role, title: title === undefined ? subject.title : title || null };
  const key = groupKeys.membership(groupId, userId);
  const ops = [
    patch(key, { set: next }, { if: '#role = :was AND attribute_not_exists(#revokedAt)', values: { ':was': subject.role } }),
    ...(next.role === subject.role
      ? []
      : next.role === 'admin'
        ? [patch(groupKeys.group(groupId), { add: { adminCount: 1 } }, stepUp ? { if: '#adminCount = :none', values: { ':none': 0 } } : undefined)]
        : [patch(groupKeys.group(groupId), { add: { adminCount: -1 } }, { if: '#adminCount > :one', values: { ':one': 1 } })]),
    // The actor must still be an admin when this commits (unless stepping up, or changing themself).
    ...(stepUp || self ? [] : [stillAdmin(groupId, actor.id)]),
    recordEvent({ kind: 'MembershipRoleChanged', groupId, userId, role: next.role, title: next.title }, { actorId: actor.id, ip: request.ip }),
  ];
  const codes = await transact(ops);
  if (codes) {
    if (next.role === 'member' && subject.role === 'admin' && failed(codes, 1)) throw lastAdmin();
    if (stepUp && failed(codes, 1)) throw new AppError(409, 'conflict', 'Someone became admin of this group a moment ago.');
    throw new AppError(409, 'conflict', 'This membership changed at the same moment. Reload and try again.');
  }
  return { body: membershipView({ ...subject, ...next }, context.viewer) };
}
