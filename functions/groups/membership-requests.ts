import { canRequestMembership, canReviewRequests, canSeeGroup, joinsInstantly } from '../../shared/permissions/groups.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { get, patch, put, queryPage, transact } from '../lib/db.ts';
import { keys, type UserItem } from '../lib/entities.ts';
import { AppError, forbidden, notFound, tooManyRequests } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { rateLimitCheck, type RateLimit } from '../lib/rate-limit.ts';
import { joinOps, stillMember } from './membership-ops.ts';
import { groupKeys, loadGroup, splitId, type RequestItem } from './store.ts';
import { membershipView } from './views.ts';

/**
 * Each waiting request notifies a group's admins, and an ignored one may be made again, so each
 * person may ask to join only so many times a day.
 */
export const joinRequestLimit = { name: 'join-requests', limit: 10, windowSeconds: 86_400 } satisfies RateLimit;

/**
 * POST /api/groups/{id}/membership-requests. On `request` groups the person joins at once; on
 * `approval` groups the request waits for an admin (one pending request per person).
 */
export async function requestMembership(request: ApiRequest<'POST /api/groups/{id}/membership-requests'>): Promise<ApiReply> {
  const actor = request.actor;
  const context = await loadGroup(request.params.id!, actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  if (context.membership) throw new AppError(409, 'already_member', 'You are already a member of this group.');
  if (!canRequestMembership(context.facts, context.viewer)) throw forbidden('This group takes new members by invitation only.');
  const { group } = context;
  const user = await get<UserItem>(keys.user(actor.id));
  const person = { userId: actor.id, name: user?.name ?? actor.name, email: actor.email };
  const meta = { actorId: actor.id, ip: request.ip };

  if (joinsInstantly(context.facts)) {
    const { membership, membershipOp, countOp } = joinOps(group, person, 'request');
    const codes = await transact([membershipOp, countOp, recordEvent({ kind: 'MembershipCreated', groupId: group.groupId, userId: actor.id, via: 'request' }, meta)]);
    if (codes) throw new AppError(409, 'already_member', 'You are already a member of this group.');
    return { status: 201, body: { status: 'joined', membership: membershipView(membership, { userId: actor.id, membership: { role: 'member' }, parentMembership: null }) } };
  }

  const item: RequestItem = {
    ...groupKeys.request(group.groupId, actor.id),
    type: 'membershipRequest',
    groupId: group.groupId,
    userId: actor.id,
    name: person.name,
    email: actor.email,
    introduction: request.body.introduction || null,
    createdAt: new Date().toISOString(),
    status: 'pending',
  };
  const allowance = rateLimitCheck(joinRequestLimit, actor.id);
  const codes = await transact([
    put({ ...item }, { if: 'attribute_not_exists(pk) OR #status <> :pending', values: { ':pending': 'pending' } }),
    recordEvent({ kind: 'MembershipRequested', groupId: group.groupId, userId: actor.id }, meta),
    allowance.op,
  ]);
  if (codes?.[0] === 'ConditionalCheckFailed') throw new AppError(409, 'request_pending', 'You have already asked to join; an admin will decide.');
  if (codes?.[2] === 'ConditionalCheckFailed') throw tooManyRequests(allowance.retryAfter, `You can ask to join groups ${joinRequestLimit.limit} times a day. Try again tomorrow.`);
  if (codes) throw new Error(`Membership request was not recorded: ${codes.join(',')}`);
  return { status: 201, body: { status: 'pending' } };
}

/** GET /api/groups/{id}/membership-requests: pending requests for those who may add members. */
export async function listMembershipRequests(request: ApiRequest<'GET /api/groups/{id}/membership-requests'>): Promise<ApiReply> {
  const context = await loadGroup(request.params.id!, request.actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  if (!canReviewRequests(context.facts, context.viewer)) throw forbidden('You cannot review requests in this group.');
  const scope = `requests:${context.group.groupId}`;
  const page = await queryPage<RequestItem>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :request)',
    FilterExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':pk': `group#${context.group.groupId}`, ':request': 'request#', ':pending': 'pending' },
    ExclusiveStartKey: await decodeCursor(scope, request.query.cursor),
    Limit: request.query.limit ?? 50,
  });
  return {
    body: {
      items: page.items.map((r) => ({ id: `${r.groupId}.${r.userId}`, userId: r.userId, name: r.name, email: r.email, introduction: r.introduction, createdAt: r.createdAt })),
      cursor: await encodeCursor(scope, page.lastKey),
    },
  };
}

async function loadPending(id: string, actor: ApiRequest<'POST /api/membership-requests/{id}/approve'>['actor']) {
  const { groupId, itemId: userId } = splitId(id);
  const context = await loadGroup(groupId, actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such request.');
  if (!canReviewRequests(context.facts, context.viewer)) throw forbidden('You cannot review requests in this group.');
  const pending = await get<RequestItem>(groupKeys.request(groupId, userId));
  if (!pending || pending.status !== 'pending') throw notFound('No such pending request.');
  return { context, pending };
}

const decided = (status: 'approved' | 'ignored', actorId: string) =>
  ({ set: { status, decidedBy: actorId, decidedAt: new Date().toISOString() } });
const whilePending = { if: '#status = :pending', values: { ':pending': 'pending' } };

/** POST /api/membership-requests/{id}/approve: the person becomes a member (the notifications worker emails them). */
export async function approveRequest(request: ApiRequest<'POST /api/membership-requests/{id}/approve'>): Promise<ApiReply> {
  const actor = request.actor;
  const { context, pending } = await loadPending(request.params.id!, actor);
  const { group } = context;
  const { membership, membershipOp, countOp } = joinOps(group, { userId: pending.userId, name: pending.name, email: pending.email }, 'approval');
  const codes = await transact([
    patch(groupKeys.request(group.groupId, pending.userId), decided('approved', actor.id), whilePending),
    membershipOp,
    countOp,
    stillMember(group.groupId, actor.id),
    recordEvent({ kind: 'MembershipRequestApproved', groupId: group.groupId, userId: pending.userId }, { actorId: actor.id, ip: request.ip }),
  ]);
  if (codes) throw new AppError(409, 'conflict', 'This request was decided a moment ago, or the person is already a member.');
  return { body: { membership: membershipView(membership, context.viewer) } };
}

/** POST /api/membership-requests/{id}/ignore: the request is closed without an email. */
export async function ignoreRequest(request: ApiRequest<'POST /api/membership-requests/{id}/ignore'>): Promise<ApiReply> {
  const actor = request.actor;
  const { context, pending } = await loadPending(request.params.id!, actor);
  const codes = await transact([
    patch(groupKeys.request(context.group.groupId, pending.userId), decided('ignored', actor.id), whilePending),
    recordEvent({ kind: 'MembershipRequestIgnored', groupId: context.group.groupId, userId: pending.userId }, { actorId: actor.id, ip: request.ip }),
  ]);
  if (codes) throw new AppError(409, 'conflict', 'This request was decided a moment ago.');
  return { body: { status: 'ignored' } };
}
