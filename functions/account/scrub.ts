import { DELETED_NAME } from './store.ts';

/** Who is being erased. The email is read from the profile, which is the last item removed. */
export interface Subject {
  userId: string;
  email: string | null;
  /** The name they went by, for notification titles that quote it. */
  name: string | null;
  emailHash: string;
}

type Item = Record<string, unknown> & { pk: string; sk: string; type?: string };

/** What to do with one stored item when its person is erased. */
export type ScrubPlan =
  | { action: 'delete' }
  /** `set` replaces whole top-level attributes; `revoke` also ends an active membership. */
  | { action: 'update'; set: Record<string, unknown>; remove: string[]; revoke?: { groupId: string; admin: boolean } }
  | null;

const isUserPartition = (item: Item, subject: Subject) => item.pk === `user#${subject.userId}`;

/**
 * The erase rules, one place, as a pure function of a stored item (unit-tested item type by item
 * type). Personal items are deleted; shared history keeps its content and loses the person:
 * copied names become "Deleted account", copied emails become empty, masked IPs of their actions go.
 * Anonymous ballots hold no voter, so nothing here can touch them.
 */
export function scrubPlan(item: Item, subject: Subject): ScrubPlan {
  const { userId, email, emailHash } = subject;
  if (isUserPartition(item, subject)) return { action: 'delete' };
  // Items keyed by the address's hash: the account pointer (unless a new account took the address
  // meanwhile), the sign-in code, rate counters, suppression.
  if (item.pk.includes(emailHash) && (item.type !== 'userEmail' || item.userId === userId)) return { action: 'delete' };
  if (item.type === 'signInRequest' && email && item.email === email) return { action: 'delete' };
  if (item.type === 'upload' && item.userId === userId) return { action: 'delete' };

  const set: Record<string, unknown> = {};
  const remove: string[] = [];
  let revoke: { groupId: string; admin: boolean } | undefined;

  switch (item.type) {
    case 'membership':
      if (item.userId === userId) {
        set.name = DELETED_NAME;
        set.email = '';
        if (item.title) set.title = null;
        if (!item.revokedAt) revoke = { groupId: String(item.groupId), admin: item.role === 'admin' };
      }
      break;
    case 'membershipRequest':
      if (item.userId === userId) {
        set.name = DELETED_NAME;
        set.email = '';
        set.introduction = null;
      }
      break;
    case 'invitation':
      if (email && item.email === email) set.email = '';
      if (item.invitedBy === userId) set.inviterName = DELETED_NAME;
      break;
    case 'discussion':
    case 'timelineItem':
    case 'poll':
    case 'outcome':
      if (item.authorId === userId) set.authorName = DELETED_NAME;
      break;
    case 'version':
      if (item.editorId === userId) set.editorName = DELETED_NAME;
      break;
    case 'ballot':
      if (item.voterId === userId) set.voterName = DELETED_NAME;
      break;
    case 'event':
      if (item.actorId === userId && item.ip !== undefined) remove.push('ip');
      break;
  }

  // Reactions are keyed by user id and carry a copy of the name.
  const reactions = item.reactions as Record<string, { name?: string | null }> | undefined;
  if (reactions && typeof reactions === 'object' && reactions[userId]) {
    set.reactions = { ...reactions, [userId]: { ...reactions[userId], name: DELETED_NAME } };
  }
  // Mentions map a handle (made from the name) to a user id: the mention of them becomes plain text.
  const mentions = item.mentions as Record<string, string> | undefined;
  if (mentions && typeof mentions === 'object' && Object.values(mentions).includes(userId)) {
    set.mentions = Object.fromEntries(Object.entries(mentions).filter(([, id]) => id !== userId));
  }
  // A safety net for any other top-level copy of the address.
  if (email) {
    for (const [name, value] of Object.entries(item)) {
      if (typeof value === 'string' && value.toLowerCase() === email && !(name in set) && name !== 'pk' && name !== 'sk') set[name] = '';
    }
  }

  if (!Object.keys(set).length && !remove.length && !revoke) return null;
  return { action: 'update', set, remove, ...(revoke ? { revoke } : {}) };
}

/** Notifications carry the actor's name, not their id: they are matched by the events the person caused. */
export function notificationScrub(item: Item, actorEventIds: Set<string>, subject: Subject): Record<string, unknown> | null {
  if (item.type !== 'notification' || typeof item.id !== 'string' || !actorEventIds.has(item.id)) return null;
  const set: Record<string, unknown> = {};
  if (item.actorName !== DELETED_NAME) set.actorName = DELETED_NAME;
  if (subject.name && typeof item.title === 'string' && item.title.includes(subject.name)) set.title = item.title.replaceAll(subject.name, DELETED_NAME);
  return Object.keys(set).length ? set : null;
}
