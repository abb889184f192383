import { canInvite, canSeeGroup } from '../../shared/permissions/groups.ts';
import { newId, randomToken, sha256 } from '../lib/crypto.ts';
import { batchPut, transact } from '../lib/db.ts';
import { nowSeconds } from '../lib/entities.ts';
import { forbidden, notFound, tooManyRequests } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { logger } from '../lib/logger.ts';
import { sendEmail } from '../lib/mail.ts';
import { rateLimitCheck } from '../lib/rate-limit.ts';
import { invitationEmail, sendAll } from './invitation-email.ts';
import { addressCooling, addressMailOp, addressRetryAfter } from './invitation-mail-limit.ts';
import { stillMember } from './membership-ops.ts';
import { groupKeys, loadGroup, type InvitationItem, type InviteTokenItem } from './store.ts';

export const INVITATION_DAYS = 30;
export const invitationsPerDay = () => Number(process.env.INVITATIONS_PER_DAY) || 500;
/** Each invitation email, first or resent, spends one of the sender's daily allowance. */
export const invitationAllowance = () => ({ name: 'invitations', limit: invitationsPerDay(), windowSeconds: 86_400 });

/**
 * POST /api/groups/{id}/invitations. The daily allowance is spent first (one conditional write,
 * with the inviter's membership checked in the same transaction); then each address's cool-down
 * (an address this group emailed in the last 10 minutes, or 4 times today, is left out and listed
 * in `notSent`; if that leaves none, 429); then the invitations are written in batches of 25 and
 * emailed a few at a time.
 */
export async function invite(request: ApiRequest<'POST /api/groups/{id}/invitations'>): Promise<ApiReply> {
  const actor = request.actor;
  const context = await loadGroup(request.params.id!, actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  if (!canInvite(context.facts, context.viewer)) throw forbidden('You cannot invite people to this group.');
  const { group } = context;
  const emails = [...new Set(request.body.emails)];

  const allowance = rateLimitCheck(invitationAllowance(), actor.id, emails.length);
  const codes = await transact([allowance.op, stillMember(group.groupId, actor.id)]);
  if (codes?.[0] === 'ConditionalCheckFailed') {
    throw tooManyRequests(allowance.retryAfter, `You can send ${invitationsPerDay()} invitations a day. Try again tomorrow.`);
  }
  if (codes) throw forbidden('You cannot invite people to this group.');

  const cooling: Array<{ email: string; retryAfter: number }> = [];
  for (let i = 0; i < emails.length; i += 25) {
    const refused = await Promise.all(emails.slice(i, i + 25).map(async (email) => ((await transact([addressMailOp(group.groupId, email)])) ? email : null)));
    for (const email of refused) if (email) cooling.push({ email, retryAfter: await addressRetryAfter(group.groupId, email) });
  }
  // In the order given, so the answer lists the invitations as they were asked for.
  const ready = emails.filter((email) => !cooling.some((c) => c.email === email));
  if (!ready.length) throw addressCooling(cooling[0]!.email, Math.min(...cooling.map((c) => c.retryAfter)));

  const now = new Date().toISOString();
  const expiresOn = nowSeconds() + INVITATION_DAYS * 86_400;
  const invitations = ready.map((email) => {
    const token = randomToken();
    const invitationId = newId();
    const tokenHash = sha256(token);
    const item: InvitationItem = {
      ...groupKeys.invitation(group.groupId, invitationId),
      type: 'invitation',
      groupId: group.groupId,
      invitationId,
      email,
      tokenHash,
      invitedBy: actor.id,
      inviterName: actor.name,
      createdAt: now,
      sentAt: now,
      expiresOn,
    };
    const pointer: InviteTokenItem = { ...groupKeys.inviteToken(tokenHash), type: 'inviteToken', groupId: group.groupId, invitationId, expiresAt: expiresOn };
    return { item, pointer, token };
  });
  await batchPut(invitations.flatMap(({ item, pointer }) => [{ ...item }, { ...pointer }]));
  await transact([
    recordEvent({ kind: 'InvitationsSent', groupId: group.groupId, invitationIds: invitations.map((i) => i.item.invitationId) }, { actorId: actor.id, ip: request.ip }),
  ]);

  const failures = await sendAll(
    invitations.map(({ item, token }) => invitationEmail(item.email, token, group.name, actor.name, request.body.message)),
    sendEmail,
  );
  if (failures) logger.error('Some invitation emails failed', { groupId: group.groupId, failures });

  return {
    status: 201,
    body: {
      invitations: invitations.map(({ item }) => ({ id: `${group.groupId}.${item.invitationId}`, email: item.email, createdAt: item.createdAt })),
      notSent: cooling,
    },
  };
}
