import { canInvite, canSeeGroup } from '../../shared/permissions/groups.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { randomToken, sha256 } from '../lib/crypto.ts';
import { create, failed, get, patch, queryPage, remove, transact } from '../lib/db.ts';
import { nowSeconds } from '../lib/entities.ts';
import { forbidden, notFound, tooManyRequests } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { sendEmail } from '../lib/mail.ts';
import { rateLimitCheck } from '../lib/rate-limit.ts';
import { invitationEmail } from './invitation-email.ts';
import { addressCooling, addressMailOp, addressRetryAfter } from './invitation-mail-limit.ts';
import { invitationAllowance } from './invite.ts';
import { groupKeys, loadGroup, splitId, type InvitationItem, type InviteTokenItem } from './store.ts';

const pending = (i: InvitationItem | null): i is InvitationItem => i !== null && !i.acceptedAt && !i.revokedAt && i.expiresOn > nowSeconds();

/** Loads an invitation by id for someone who may manage the group's invitations. */
async function loadForManager(id: string, actor: ApiRequest<'DELETE /api/invitations/{id}'>['actor']) {
  const { groupId, itemId } = splitId(id);
  const context = await loadGroup(groupId, actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such invitation.');
  if (!canInvite(context.facts, context.viewer)) throw forbidden('You cannot manage invitations in this group.');
  const invitation = await get<InvitationItem>(groupKeys.invitation(groupId, itemId));
  if (!pending(invitation)) throw notFound('No such pending invitation.');
  return { context, invitation };
}

/** GET /api/groups/{id}/invitations: pending invitations, a page per Query. */
export async function listInvitations(request: ApiRequest<'GET /api/groups/{id}/invitations'>): Promise<ApiReply> {
  const context = await loadGroup(request.params.id!, request.actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  if (!canInvite(context.facts, context.viewer)) throw forbidden('You cannot see this group\u2019s invitations.');
  const scope = `invitations:${context.group.groupId}`;
  const page = await queryPage<InvitationItem>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :invite)',
    FilterExpression: 'attribute_not_exists(acceptedAt) AND attribute_not_exists(revokedAt) AND expiresOn > :now',
    ExpressionAttributeValues: { ':pk': `group#${context.group.groupId}`, ':invite': 'invite#', ':now': nowSeconds() },
    ExclusiveStartKey: await decodeCursor(scope, request.query.cursor),
    Limit: request.query.limit ?? 50,
  });
  return {
    body: {
      items: page.items.map((i) => ({ id: `${i.groupId}.${i.invitationId}`, email: i.email, inviterName: i.inviterName, createdAt: i.createdAt, sentAt: i.sentAt })),
      cursor: await encodeCursor(scope, page.lastKey),
    },
  };
}

/** DELETE /api/invitations/{id}: the link stops working at once. */
export async function revokeInvitation(request: ApiRequest<'DELETE /api/invitations/{id}'>): Promise<ApiReply> {
  const { invitation } = await loadForManager(request.params.id!, request.actor);
  const codes = await transact([
    patch(groupKeys.invitation(invitation.groupId, invitation.invitationId), { set: { revokedAt: new Date().toISOString() } }, {
      if: 'attribute_not_exists(#acceptedAt) AND attribute_not_exists(#revokedAt)',
    }),
    remove(groupKeys.inviteToken(invitation.tokenHash)),
    recordEvent({ kind: 'InvitationRevoked', groupId: invitation.groupId, invitationId: invitation.invitationId }, { actorId: request.actor.id, ip: request.ip }),
  ]);
  if (codes) throw notFound('No such pending invitation.');
  return { status: 204 };
}

/**
 * POST /api/invitations/{id}/resend: a new link replaces the old one, which stops working. A resend
 * is an invitation email like the first: it spends one of the sender's daily allowance and waits
 * out the address's cool-down (10 minutes after the last email from this group, 4 a day), all
 * checked in the transaction that swaps the link.
 */
export async function resendInvitation(request: ApiRequest<'POST /api/invitations/{id}/resend'>): Promise<ApiReply> {
  const { context, invitation } = await loadForManager(request.params.id!, request.actor);
  const token = randomToken();
  const tokenHash = sha256(token);
  const allowance = rateLimitCheck(invitationAllowance(), request.actor.id);
  const ops = [
    patch(groupKeys.invitation(invitation.groupId, invitation.invitationId), { set: { tokenHash, sentAt: new Date().toISOString() } }, {
      if: 'attribute_not_exists(#acceptedAt) AND attribute_not_exists(#revokedAt) AND #tokenHash = :old',
      values: { ':old': invitation.tokenHash },
    }),
    remove(groupKeys.inviteToken(invitation.tokenHash)),
    create({ ...groupKeys.inviteToken(tokenHash), type: 'inviteToken', groupId: invitation.groupId, invitationId: invitation.invitationId, expiresAt: invitation.expiresOn } satisfies InviteTokenItem),
    recordEvent({ kind: 'InvitationResent', groupId: invitation.groupId, invitationId: invitation.invitationId }, { actorId: request.actor.id, ip: request.ip }),
    addressMailOp(invitation.groupId, invitation.email),
    allowance.op,
  ];
  const codes = await transact(ops);
  if (codes) {
    if (failed(codes, 0)) throw notFound('No such pending invitation.');
    if (failed(codes, 4)) throw addressCooling(invitation.email, await addressRetryAfter(invitation.groupId, invitation.email));
    if (failed(codes, 5)) throw tooManyRequests(allowance.retryAfter, `You can send ${invitationAllowance().limit} invitations a day, resends included. Try again tomorrow.`);
    throw notFound('No such pending invitation.');
  }
  await sendEmail(invitationEmail(invitation.email, token, context.group.name, invitation.inviterName));
  return { status: 202, body: { message: 'Sent again.' } };
}
