import { signInWithProof } from '../lib/accounts.ts';
import { emailHash, sha256 } from '../lib/crypto.ts';
import { get, getMany, patch, remove } from '../lib/db.ts';
import { keys, nowSeconds, type UserEmailItem } from '../lib/entities.ts';
import { notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { claimPlaceholder } from '../exports/placeholders.ts';
import { joinOps } from './membership-ops.ts';
import { groupKeys, isActive, type GroupItem, type InvitationItem, type InviteTokenItem, type MembershipItem } from './store.ts';

const gone = () => notFound('This invitation was already used or withdrawn.');

/** Finds a pending invitation from the token in its link. */
async function loadByToken(token: string | undefined) {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) throw gone();
  const tokenHash = sha256(token);
  const pointer = await get<InviteTokenItem>(groupKeys.inviteToken(tokenHash));
  if (!pointer || pointer.expiresAt <= nowSeconds()) throw gone();
  const [invitation, group] = (await getMany<InvitationItem | GroupItem>([
    groupKeys.invitation(pointer.groupId, pointer.invitationId),
    groupKeys.group(pointer.groupId),
  ])) as [InvitationItem | null, GroupItem | null];
  if (!invitation || !group || invitation.tokenHash !== tokenHash || invitation.acceptedAt || invitation.revokedAt || group.archivedAt) throw gone();
  return { tokenHash, invitation, group };
}

/** GET /api/invitations/{id} (the id is the link's token): what the link is for, so the landing page can say so before accepting. */
export async function showInvitation(request: ApiRequest<'GET /api/invitations/{id}'>): Promise<ApiReply> {
  const { invitation, group } = await loadByToken(request.params.id);
  return { body: { group: { id: group.groupId, handle: group.handle, name: group.name }, inviterName: invitation.inviterName, email: invitation.email } };
}

/**
 * POST /api/invitations/{id}/accept (the id is the link's token). The invitation proves the address, so it signs the person
 * in (creating the account if new) and makes them a member, all in one transaction that spends the
 * invitation: of 20 parallel accepts, one membership results.
 */
export async function acceptInvitation(request: ApiRequest<'POST /api/invitations/{id}/accept'>): Promise<ApiReply> {
  const { tokenHash, invitation, group } = await loadByToken(request.params.id);
  const known = await get<UserEmailItem>(keys.userEmail(emailHash(invitation.email)));
  const existing = known ? await get<MembershipItem>(groupKeys.membership(group.groupId, known.userId)) : null;
  const alreadyMember = isActive(existing);

  const result = await signInWithProof(
    request,
    invitation.email,
    'invitation',
    [
      patch(groupKeys.invitation(group.groupId, invitation.invitationId), { set: { acceptedAt: new Date().toISOString() } }, {
        if: 'attribute_not_exists(#acceptedAt) AND attribute_not_exists(#revokedAt) AND #tokenHash = :t',
        values: { ':t': tokenHash },
      }),
      remove(groupKeys.inviteToken(tokenHash)),
    ],
    (account) => {
      if (alreadyMember) return [];
      const { membershipOp, countOp } = joinOps(group, { userId: account.userId, name: account.name, email: invitation.email }, 'invitation');
      return [membershipOp, countOp, recordEvent({ kind: 'MembershipCreated', groupId: group.groupId, userId: account.userId, via: 'invitation' }, { actorId: account.userId, ip: request.ip })];
    },
  );
  if (!result.ok) throw gone();
  // An imported group's placeholder for this address becomes this account's, unless the browser
  // was signed in as someone else: then the content waits for its owner (placeholders.ts).
  if (!request.actor || request.actor.id === result.account.userId) {
    await claimPlaceholder(group.groupId, invitation.email, { userId: result.account.userId, name: result.account.name });
  }
  return {
    cookies: [result.cookie],
    body: {
      group: { id: group.groupId, handle: group.handle, name: group.name },
      user: { id: result.account.userId, email: result.account.email, name: result.account.name },
      isNewUser: result.account.isNewUser,
    },
  };
}
