import { canResetJoinLink, canSeeGroup, effectivePrivacy } from '../../shared/permissions/groups.ts';
import { config } from '../lib/config.ts';
import { randomToken, sha256 } from '../lib/crypto.ts';
import { create, get, patch, remove, transact } from '../lib/db.ts';
import { AppError, forbidden, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { joinOps } from './membership-ops.ts';
import { groupKeys, loadGroup, type GroupItem, type JoinTokenItem } from './store.ts';
import { membershipView } from './views.ts';

/** POST /api/groups/{id}/join-link: a new link; the old one stops working. Only its hash is kept, so it is shown once. */
export async function resetJoinLink(request: ApiRequest<'POST /api/groups/{id}/join-link'>): Promise<ApiReply> {
  const actor = request.actor;
  const context = await loadGroup(request.params.id!, actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  if (!canResetJoinLink(context.facts, context.viewer)) throw forbidden('Only admins can make a join link.');
  const { group } = context;
  const token = randomToken();
  const tokenHash = sha256(token);
  const codes = await transact([
    patch(groupKeys.group(group.groupId), { set: { joinTokenHash: tokenHash } }, {
      if: group.joinTokenHash ? '#joinTokenHash = :old' : 'attribute_not_exists(#joinTokenHash)',
      values: group.joinTokenHash ? { ':old': group.joinTokenHash } : undefined,
    }),
    ...(group.joinTokenHash ? [remove(groupKeys.joinToken(group.joinTokenHash))] : []),
    create({ ...groupKeys.joinToken(tokenHash), type: 'joinToken', groupId: group.groupId } satisfies JoinTokenItem),
    recordEvent({ kind: 'JoinLinkReset', groupId: group.groupId }, { actorId: actor.id, ip: request.ip }),
  ]);
  if (codes) throw new AppError(409, 'conflict', 'Someone reset the link at the same moment. Try again.');
  return { status: 201, body: { url: `${config.appUrl}/join#token=${token}` } };
}

async function groupForToken(token: string | undefined): Promise<{ group: GroupItem; tokenHash: string }> {
  const unknown = () => notFound('This join link is not valid any more. Ask the group for a new one.');
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) throw unknown();
  const tokenHash = sha256(token);
  const pointer = await get<JoinTokenItem>(groupKeys.joinToken(tokenHash));
  const group = pointer ? await get<GroupItem>(groupKeys.group(pointer.groupId)) : null;
  if (!group || group.archivedAt || group.joinTokenHash !== tokenHash) throw unknown();
  return { group, tokenHash };
}

/**
 * GET /api/join/{token}: the group a link is for. A link holder may learn a secret group's name, and
 * nothing more: not its parent (a subgroup's summary never names one).
 */
export async function showJoinLink(request: ApiRequest<'GET /api/join/{token}'>): Promise<ApiReply> {
  const { group } = await groupForToken(request.params.token);
  const context = await loadGroup(group.groupId, request.actor);
  return { body: { group: { id: group.groupId, handle: group.handle, name: group.name, privacy: effectivePrivacy(context.facts) }, isMember: context.membership !== null } };
}

/** POST /api/join/{token}: joins with the link, which must still be the group's current one when this commits. */
export async function joinByLink(request: ApiRequest<'POST /api/join/{token}'>): Promise<ApiReply> {
  const actor = request.actor;
  const { group, tokenHash } = await groupForToken(request.params.token);
  const context = await loadGroup(group.groupId, actor);
  const summary = { id: group.groupId, handle: group.handle, name: group.name, privacy: effectivePrivacy(context.facts) };
  if (context.membership) return { body: { group: summary, membership: membershipView(context.membership, context.viewer) } };
  const { membership, membershipOp } = joinOps(group, { userId: actor.id, name: actor.name, email: actor.email }, 'link');
  const codes = await transact([
    membershipOp,
    patch(groupKeys.group(group.groupId), { add: { memberCount: 1 } }, {
      if: 'attribute_not_exists(#archivedAt) AND #joinTokenHash = :t',
      values: { ':t': tokenHash },
    }),
    recordEvent({ kind: 'MembershipCreated', groupId: group.groupId, userId: actor.id, via: 'link' }, { actorId: actor.id, ip: request.ip }),
  ]);
  if (codes) {
    if (codes[0] === 'ConditionalCheckFailed') {
      const now = await loadGroup(group.groupId, actor);
      if (now.membership) return { body: { group: summary, membership: membershipView(now.membership, now.viewer) } };
    }
    throw notFound('This join link is not valid any more. Ask the group for a new one.');
  }
  return { body: { group: summary, membership: membershipView(membership, { userId: actor.id, membership: { role: 'member' }, parentMembership: null }) } };
}
