import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { emailHash, randomToken, sha256 } from '../lib/crypto.ts';
import { batchDelete, create, forEachPage, get, getMany, patch, put, remove, transact, updateItem, type Key } from '../lib/db.ts';
import { nowSeconds, type UserItem } from '../lib/entities.ts';
import { logger } from '../lib/logger.ts';
import { sendEmail } from '../lib/mail.ts';
import { rateLimitCheck } from '../lib/rate-limit.ts';
import { INVITATION_DAYS, invitationsPerDay } from '../groups/invite.ts';
import { invitationEmail, sendAll } from '../groups/invitation-email.ts';
import { groupKeys, type InvitationItem, type InviteTokenItem } from '../groups/store.ts';
import { ballotIdFor, pollKeys, type BallotItem } from '../polls/store.ts';

/**
 * Unclaimed placeholders: the people of an archive whose provenance could not be verified. Their
 * content is imported under a placeholder id and marked imported; no account is created and no
 * membership is granted. Each placeholder with an email is invited to the imported group, and its
 * content joins a real account only when that address accepts an invitation to the group
 * (`claimPlaceholder`, from accept-invitation.ts).
 *
 * - `placeholders#<groupId>` / `email#<emailHash>`: one per address, with the placeholder ids it stands for.
 * - `placeholder#<placeholderId>` / `ref#<what>#<pk>#<sk>`: each item that names the placeholder,
 *   so a claim rewrites exactly those items and nothing is scanned.
 */
export const placeholderKeys = {
  placeholder: (groupId: string, email: string): Key => ({ pk: `placeholders#${groupId}`, sk: `email#${emailHash(email.toLowerCase())}` }),
  ref: (placeholderId: string, what: RefKind, target: Key): Key => ({ pk: `placeholder#${placeholderId}`, sk: `ref#${what}#${target.pk}#${target.sk}` }),
};

export interface PlaceholderItem extends Key {
  type: 'placeholder';
  groupId: string;
  importId: string;
  email: string;
  name: string | null;
  placeholderIds: string[];
  createdAt: string;
  invitationId?: string;
  claimedBy?: string;
  claimedAt?: string;
}

/** `author`: authorId (threads, timeline items, polls, outcomes); `editor`: a version's editorId; `reaction`: a key of `reactions`; `vote`: a poll's voter marker and, with it, a named ballot; `invitee`: a specified voter. */
type RefKind = 'author' | 'editor' | 'reaction' | 'vote' | 'invitee';

interface RefItem extends Key {
  type: 'placeholderRef';
  placeholderId: string;
  what: RefKind;
  target: Key;
  pollId?: string;
}

type Item = Key & Record<string, any>;

/** One person of the archive who is imported as a placeholder, by their new (placeholder) id. */
export interface Placeholder {
  placeholderId: string;
  email: string | null;
  name: string | null;
}

/**
 * Marks staged items whose people are placeholders (`authorImported`, `voterImported`) and returns
 * the reference items to stage with them, for the placeholders that can be claimed (those with an email).
 */
export function placeholderTracker(isReal: (userId: string) => boolean, claimable: ReadonlySet<string>) {
  const placeholder = (id: unknown): id is string => typeof id === 'string' && id.length > 0 && !isReal(id);
  const ref = (placeholderId: string, what: RefKind, target: Key, pollId?: string): RefItem =>
    ({ ...placeholderKeys.ref(placeholderId, what, target), type: 'placeholderRef', placeholderId, what, target: { pk: target.pk, sk: target.sk }, ...(pollId ? { pollId } : {}) });
  return (item: Item): Item[] => {
    const refs: RefItem[] = [];
    const note = (id: string, what: RefKind, pollId?: string) => {
      if (claimable.has(id)) refs.push(ref(id, what, item, pollId));
    };
    if (['discussion', 'timelineItem', 'poll', 'outcome'].includes(item.type) && placeholder(item.authorId)) {
      item.authorImported = true;
      note(item.authorId, 'author');
    }
    if (item.type === 'version' && placeholder(item.editorId)) note(item.editorId, 'editor');
    if (item.type === 'ballot' && placeholder(item.voterId)) item.voterImported = true;
    if (item.type === 'pollVoter' && placeholder(item.userId)) note(item.userId, 'vote', item.pk.slice('poll#'.length));
    if (item.type === 'pollInvitee' && placeholder(item.userId)) note(item.userId, 'invitee', item.pk.slice('poll#'.length));
    if ((item.type === 'discussion' || item.type === 'timelineItem') && item.reactions) {
      for (const userId of Object.keys(item.reactions)) if (placeholder(userId)) note(userId, 'reaction');
    }
    return refs;
  };
}

/** The placeholder items of an import, one per address: staged with the group. */
export function placeholderItems(groupId: string, importId: string, people: Placeholder[]): PlaceholderItem[] {
  const byEmail = new Map<string, PlaceholderItem>();
  const createdAt = new Date().toISOString();
  for (const person of people) {
    if (!person.email) continue;
    const email = person.email.toLowerCase();
    const item = byEmail.get(email) ?? { ...placeholderKeys.placeholder(groupId, email), type: 'placeholder', groupId, importId, email, name: person.name, placeholderIds: [], createdAt };
    if (!item.placeholderIds.includes(person.placeholderId)) item.placeholderIds.push(person.placeholderId);
    byEmail.set(email, item);
  }
  return [...byEmail.values()];
}

export interface PlaceholderInvitations {
  invited: number;
  /** Past the importer's daily invitation allowance: the group's admins can invite these later, and accepting that claims just the same. */
  notInvited: number;
  /** The importer's own address: claimed at once, since the import was started signed in with it. */
  claimedByImporter: boolean;
}

/**
 * After publishing: one invitation to the imported group per placeholder address, from the
 * importer, spending their daily invitation allowance (all or nothing, so the report is exact).
 * Invitation ids follow from the placeholder, so a resumed import neither invites twice nor spends twice.
 */
export async function invitePlaceholders(groupId: string, groupName: string, importer: UserItem, placeholders: PlaceholderItem[]): Promise<PlaceholderInvitations> {
  const result: PlaceholderInvitations = { invited: 0, notInvited: 0, claimedByImporter: false };
  const others: PlaceholderItem[] = [];
  for (const p of placeholders) {
    if (p.email === importer.email.toLowerCase()) {
      await claimPlaceholder(groupId, p.email, { userId: importer.userId, name: importer.name ?? null });
      result.claimedByImporter = true;
    } else others.push(p);
  }
  const invitationId = (p: PlaceholderItem) => sha256(`placeholder-invitation|${p.groupId}|${p.email}`).slice(0, 22);
  const existing = await getMany<InvitationItem>(others.map((p) => groupKeys.invitation(groupId, invitationId(p))));
  const missing = others.filter((_, i) => !existing[i]);
  result.invited = others.length - missing.length;
  if (!missing.length) return result;
  const allowance = rateLimitCheck({ name: 'invitations', limit: invitationsPerDay(), windowSeconds: 86_400 }, importer.userId, missing.length);
  if (await transact([allowance.op])) {
    result.notInvited = missing.length;
    return result;
  }
  const now = new Date().toISOString();
  const expiresOn = nowSeconds() + INVITATION_DAYS * 86_400;
  const mail = [];
  for (const p of missing) {
    const token = randomToken();
    const tokenHash = sha256(token);
    const id = invitationId(p);
    const item: InvitationItem = {
      ...groupKeys.invitation(groupId, id), type: 'invitation', groupId, invitationId: id, email: p.email, tokenHash,
      invitedBy: importer.userId, inviterName: importer.name ?? null, createdAt: now, sentAt: now, expiresOn,
    };
    const pointer: InviteTokenItem = { ...groupKeys.inviteToken(tokenHash), type: 'inviteToken', groupId, invitationId: id, expiresAt: expiresOn };
    const codes = await transact([create({ ...item }), create({ ...pointer }), patch({ pk: p.pk, sk: p.sk }, { set: { invitationId: id } })]);
    result.invited++;
    if (!codes) mail.push(invitationEmail(p.email, token, groupName, importer.name ?? null, 'This group was imported from an archive that names you. Accept to join it; what you wrote and how you voted then appear under your account.'));
  }
  const failures = await sendAll(mail, sendEmail);
  if (failures) logger.error('Some placeholder invitation emails failed', { groupId, failures });
  return result;
}

/**
 * Gives a placeholder's content to the account that accepted an invitation to the group with the
 * placeholder's address. The claim is one conditional write (a placeholder is claimed once); each
 * reference is then rewritten under a condition and deleted, so a claim that stopped midway
 * finishes when the same account claims again, and rewriting twice changes nothing.
 * Returns how many items now belong to the account (0 when there is nothing to claim).
 */
export async function claimPlaceholder(groupId: string, email: string, account: { userId: string; name: string | null }): Promise<number> {
  const key = placeholderKeys.placeholder(groupId, email);
  const found = await get<PlaceholderItem>(key);
  if (!found || (found.claimedBy && found.claimedBy !== account.userId)) return 0;
  const codes = await transact([
    patch(key, { set: { claimedBy: account.userId, claimedAt: found.claimedAt ?? new Date().toISOString() } }, { if: 'attribute_not_exists(#claimedBy) OR #claimedBy = :me', values: { ':me': account.userId } }),
  ]);
  if (codes) return 0;
  let moved = 0;
  for (const placeholderId of found.placeholderIds) {
    await forEachPage<RefItem>({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ref)', ExpressionAttributeValues: { ':pk': `placeholder#${placeholderId}`, ':ref': 'ref#' }, Limit: 100 }, async (refs) => {
      // Each reference names a different item (or attribute), so a page is rewritten side by side; its references go once all are done.
      for (let i = 0; i < refs.length; i += REWRITES_AT_ONCE) {
        const done = await Promise.all(refs.slice(i, i + REWRITES_AT_ONCE).map((ref) => rewrite(ref, account)));
        moved += done.filter(Boolean).length;
      }
      await batchDelete(refs.map((ref) => ({ pk: ref.pk, sk: ref.sk })));
    });
  }
  logger.info('Placeholder claimed', { groupId, items: moved });
  return moved;
}

/** Conditional writes in flight at once while claiming: a claim of thousands of items takes seconds, not minutes. */
const REWRITES_AT_ONCE = 20;

/** One reference, rewritten to the account; false when it was rewritten before or cannot be (the account already voted there). */
async function rewrite(ref: RefItem, account: { userId: string; name: string | null }): Promise<boolean> {
  const from = ref.placeholderId;
  const to = account.userId;
  const conditionFailed = (error: Error) => {
    if (error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  };
  switch (ref.what) {
    case 'author':
      return updateItem(patch(ref.target, { set: { authorId: to, ...(account.name ? { authorName: account.name } : {}) }, remove: ['authorImported'] }, { if: '#authorId = :from', values: { ':from': from } }))
        .then(() => true, conditionFailed);
    case 'editor':
      return updateItem(patch(ref.target, { set: { editorId: to, ...(account.name ? { editorName: account.name } : {}) } }, { if: '#editorId = :from', values: { ':from': from } }))
        .then(() => true, conditionFailed);
    case 'reaction':
      // Map keys are user ids, which placeholders (#name) cannot carry: named here.
      return db.send(new UpdateCommand({
        TableName: config.tableName, Key: ref.target,
        UpdateExpression: 'SET #r.#to = #r.#from REMOVE #r.#from',
        ConditionExpression: 'attribute_exists(#r.#from) AND attribute_not_exists(#r.#to)',
        ExpressionAttributeNames: { '#r': 'reactions', '#from': from, '#to': to },
      })).then(() => true, conditionFailed);
    case 'invitee': {
      const codes = await transact([remove(pollKeys.invitee(ref.pollId!, from), { if: 'attribute_exists(pk)' }), put({ ...pollKeys.invitee(ref.pollId!, to), type: 'pollInvitee', userId: to }, { if: 'attribute_not_exists(pk)' })]);
      return !codes;
    }
    case 'vote': {
      // The has-voted marker and a named ballot move together; the tally is untouched. An account
      // that has voted in this poll itself keeps its own vote, and the imported one stays imported.
      const pollId = ref.pollId!;
      const oldBallotKey = pollKeys.ballot(pollId, await ballotIdFor(pollId, from));
      const ballot = await get<BallotItem>(oldBallotKey);
      const ops = [
        remove(pollKeys.voter(pollId, from), { if: 'attribute_exists(pk)' }),
        put({ ...pollKeys.voter(pollId, to), type: 'pollVoter', userId: to }, { if: 'attribute_not_exists(pk)' }),
      ];
      if (ballot && ballot.voterId === from) {
        const { voterImported, ...rest } = ballot as BallotItem & { voterImported?: boolean };
        void voterImported;
        ops.push(
          remove(oldBallotKey, { if: '#voterId = :from', values: { ':from': from } }),
          put({ ...rest, ...pollKeys.ballot(pollId, await ballotIdFor(pollId, to)), voterId: to, ...(account.name ? { voterName: account.name } : {}) }, { if: 'attribute_not_exists(pk)' }),
        );
      }
      return !(await transact(ops));
    }
  }
}
