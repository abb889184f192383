import type { DiscussionFacts } from '../../shared/permissions/discussions.ts';
import type { Range } from '../../shared/discussions/read-ranges.ts';
import type { ReactionName } from '../../shared/schemas/discussions.ts';
import type { Volume } from '../../shared/schemas/notifications.ts';
import { getMany, type Key } from '../lib/db.ts';
import { notFound } from '../lib/errors.ts';
import type { Actor } from '../lib/session.ts';
import { facts, groupKeys, isActive, type GroupContext, type GroupItem, type MembershipItem } from '../groups/store.ts';

/** A thread's partition holds the thread, its timeline, earlier versions, read states and attachments. */
export const threadKeys = {
  thread: (threadId: string): Key => ({ pk: `discussion#${threadId}`, sk: 'thread' }),
  item: (threadId: string, seq: number): Key => ({ pk: `discussion#${threadId}`, sk: `item#${pad(seq)}` }),
  version: (threadId: string, seq: number, version: number): Key => ({ pk: `discussion#${threadId}`, sk: `version#${pad(seq)}#${pad(version)}` }),
  read: (threadId: string, userId: string): Key => ({ pk: `discussion#${threadId}`, sk: `read#${userId}` }),
  /** A member's own volume for this thread; the fan-out reads all of them with one Query. */
  volume: (threadId: string, userId: string): Key => ({ pk: `discussion#${threadId}`, sk: `volume#${userId}` }),
  attachment: (attachmentId: string): Key => ({ pk: `attachment#${attachmentId}`, sk: 'attachment' }),
  upload: (uploadId: string): Key => ({ pk: `upload#${uploadId}`, sk: 'upload' }),
  /** gsi1: a group's threads, pinned first ("1" sorts after "0" when read newest first), then by activity. */
  inGroup: (groupId: string, pinned: boolean, lastActivityAt: string, threadId: string) => ({
    gsi1pk: `threads#${groupId}`,
    gsi1sk: `${pinned ? '1' : '0'}#${lastActivityAt}#${threadId}`,
  }),
};

/** Sequence numbers sort as text in keys, so they are zero-padded to 10 digits. */
export const pad = (n: number) => String(n).padStart(10, '0');

export interface Reactor {
  emoji: ReactionName;
  name: string | null;
}

export interface ThreadItem extends Key {
  type: 'discussion';
  threadId: string;
  groupId: string;
  title: string;
  description: string;
  private: boolean;
  authorId: string;
  authorName: string | null;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
  closedAt?: string;
  pinnedAt?: string;
  /** The last sequence number given out; the next item takes seq + 1 in the same transaction. */
  seq: number;
  maxDepth: number;
  commentCount: number;
  /** How many times the title or description changed; each earlier version is kept. */
  version: number;
  reactions: Record<string, Reactor>;
  attachmentIds: string[];
  mentions: Record<string, string>;
  gsi1pk: string;
  gsi1sk: string;
}

export interface TimelineItem extends Key {
  type: 'timelineItem';
  threadId: string;
  seq: number;
  kind: 'comment' | 'poll' | 'vote' | 'outcome';
  authorId: string;
  authorName: string | null;
  body: string;
  parentSeq: number | null;
  depth: number;
  createdAt: string;
  editedAt?: string;
  deletedAt?: string;
  version: number;
  replyCount: number;
  reactions: Record<string, Reactor>;
  mentions: Record<string, string>;
  attachmentIds: string[];
  /** For poll, vote and outcome items: what they point at. */
  refId?: string;
}

export interface VersionItem extends Key {
  type: 'version';
  threadId: string;
  seq: number;
  version: number;
  title?: string;
  body: string;
  editedAt: string;
  editorId: string;
  editorName: string | null;
}

/** A member's volume for one thread or poll, in that item's partition; absent means the group's volume applies. */
export interface ItemVolumeItem extends Key {
  type: 'itemVolume';
  userId: string;
  volume: Volume;
  updatedAt: string;
}

export interface ReadItem extends Key {
  type: 'readState';
  ranges: Range[];
  updatedAt: string;
}

export const threadFacts = (thread: ThreadItem): DiscussionFacts => ({
  authorId: thread.authorId,
  private: thread.private,
  closed: Boolean(thread.closedAt),
});

export interface ThreadContext extends GroupContext {
  thread: ThreadItem;
  read: ReadItem | null;
  /** The actor's own volume for this thread; null when the group's applies. */
  volume: Volume | null;
}

const ID = '[A-Za-z0-9_-]{22}';

/**
 * Thread ids are `<groupId>.<threadId>`: the group part lets one BatchGet read the thread, its
 * group, the actor's membership and read state together. After a move the group part is stale;
 * the thread item says where it lives now, and one more read follows.
 */
export function parseThreadId(id: string): { groupId: string; threadId: string } {
  const match = new RegExp(`^(${ID})\\.(${ID})$`).exec(id);
  if (!match) throw notFound('No such discussion.');
  return { groupId: match[1]!, threadId: match[2]! };
}

export function parseCommentId(id: string): { groupId: string; threadId: string; seq: number } {
  const match = new RegExp(`^(${ID})\\.(${ID})\\.(\\d{1,10})$`).exec(id);
  if (!match) throw notFound('No such comment.');
  return { groupId: match[1]!, threadId: match[2]!, seq: Number(match[3]) };
}

export const threadApiId = (thread: Pick<ThreadItem, 'groupId' | 'threadId'>) => `${thread.groupId}.${thread.threadId}`;
export const commentApiId = (thread: Pick<ThreadItem, 'groupId' | 'threadId'>, seq: number) => `${thread.groupId}.${thread.threadId}.${seq}`;

export async function loadThread(groupHint: string, threadId: string, actor: Actor | null): Promise<ThreadContext> {
  const keyList = (groupId: string) => [
    groupKeys.group(groupId),
    ...(actor ? [groupKeys.membership(groupId, actor.id)] : []),
  ];
  const [thread, read, group, membership, volume] = (await getMany([
    threadKeys.thread(threadId),
    ...(actor ? [threadKeys.read(threadId, actor.id)] : [threadKeys.read(threadId, '-')]),
    ...keyList(groupHint),
    ...(actor ? [threadKeys.volume(threadId, actor.id)] : []),
  ])) as [ThreadItem | null, ReadItem | null, GroupItem | null, MembershipItem | null | undefined, ItemVolumeItem | null | undefined];
  if (!thread) throw notFound('No such discussion.');
  let current = { group, membership: membership ?? null };
  if (thread.groupId !== groupHint) {
    const [g, m] = (await getMany(keyList(thread.groupId))) as [GroupItem | null, MembershipItem | null | undefined];
    current = { group: g, membership: m ?? null };
  }
  if (!current.group) throw notFound('No such discussion.');
  const active = isActive(current.membership) ? current.membership : null;
  let parentMembership: MembershipItem | null = null;
  if (current.group.parentId && actor && !active && (current.group.privacy === 'secret' || current.group.parentMembersCanSeeDiscussions)) {
    [parentMembership] = (await getMany([groupKeys.membership(current.group.parentId, actor.id)])) as [MembershipItem | null];
  }
  return {
    thread,
    read: actor ? read : null,
    volume: volume?.volume ?? null,
    group: current.group,
    facts: facts(current.group),
    membership: active,
    viewer: {
      userId: actor?.id ?? null,
      membership: active ? { role: active.role } : null,
      parentMembership: isActive(parentMembership) ? { role: parentMembership.role } : null,
    },
  };
}
