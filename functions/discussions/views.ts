import { servesInline } from '../../shared/attachments.ts';
import { reactionEmoji, type ReactionName } from '../../shared/schemas/discussions.ts';
import { firstUnread, unreadCount } from '../../shared/discussions/read-ranges.ts';
import { renderMarkdown } from '../../shared/markdown.ts';
import type { Viewer } from '../../shared/permissions/groups.ts';
import type { GroupItem } from '../groups/store.ts';
import { commentApiId, threadApiId, type ReadItem, type Reactor, type ThreadItem, type TimelineItem } from './store.ts';
import { authorView } from '../lib/author.ts';

export interface AttachmentMeta {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

/** Reaction counts with who reacted (names only), and the viewer's own choice. */
export function reactionsView(reactions: Record<string, Reactor>, viewer: Viewer) {
  const byEmoji = new Map<ReactionName, { emoji: ReactionName; symbol: string; count: number; people: string[]; mine: boolean }>();
  for (const [userId, reactor] of Object.entries(reactions ?? {})) {
    const entry = byEmoji.get(reactor.emoji) ?? { emoji: reactor.emoji, symbol: reactionEmoji[reactor.emoji], count: 0, people: [], mine: false };
    entry.count++;
    entry.people.push(reactor.name ?? 'Someone');
    entry.mine ||= userId === viewer.userId;
    byEmoji.set(reactor.emoji, entry);
  }
  return [...byEmoji.values()].sort((a, b) => b.count - a.count || a.emoji.localeCompare(b.emoji));
}

const mentionLinks = (mentions: Record<string, string>) =>
  Object.fromEntries(Object.entries(mentions ?? {}).map(([handle, userId]) => [handle, `#member-${userId}`]));

export const attachmentsView = (attachments: AttachmentMeta[] | undefined) =>
  (attachments ?? []).map((a) => ({ ...a, url: `/api/attachments/${a.id}`, image: servesInline(a.contentType) }));

export function timelineItemView(item: TimelineItem, thread: ThreadItem, viewer: Viewer) {
  const deleted = Boolean(item.deletedAt);
  return {
    id: commentApiId(thread, item.seq),
    seq: item.seq,
    kind: item.kind,
    author: deleted ? null : authorView(item),
    body: deleted ? null : item.body,
    bodyHtml: deleted ? null : renderMarkdown(item.body, { mentions: mentionLinks(item.mentions) }),
    parentId: item.parentSeq ? commentApiId(thread, item.parentSeq) : null,
    parentSeq: item.parentSeq,
    depth: item.depth,
    createdAt: item.createdAt,
    editedAt: item.editedAt ?? null,
    deleted,
    version: item.version,
    replyCount: item.replyCount,
    reactions: deleted ? [] : reactionsView(item.reactions, viewer),
    attachments: deleted ? [] : attachmentsView((item as unknown as { attachments?: AttachmentMeta[] }).attachments),
    // Polls move with their thread, so what an item points at lives in the thread's group now.
    refId: item.refId ? `${thread.groupId}.${item.refId.split('.').at(-1)}` : null,
  };
}

export function readView(read: ReadItem | null, thread: ThreadItem) {
  const ranges = read?.ranges ?? [];
  return { ranges, unreadCount: unreadCount(ranges, thread.seq), firstUnread: firstUnread(ranges, thread.seq) };
}

export function threadView(thread: ThreadItem, group: GroupItem, viewer: Viewer, read: ReadItem | null | undefined, volume: string | null = null) {
  return {
    id: threadApiId(thread),
    group: { id: group.groupId, handle: group.handle, name: group.name },
    title: thread.title,
    description: thread.description,
    descriptionHtml: renderMarkdown(thread.description, { mentions: mentionLinks(thread.mentions) }),
    private: thread.private,
    author: authorView(thread),
    createdAt: thread.createdAt,
    updatedAt: thread.updatedAt,
    lastActivityAt: thread.lastActivityAt,
    closed: Boolean(thread.closedAt),
    closedAt: thread.closedAt ?? null,
    pinned: Boolean(thread.pinnedAt),
    lastSeq: thread.seq,
    commentCount: thread.commentCount,
    maxDepth: thread.maxDepth,
    version: thread.version,
    reactions: reactionsView(thread.reactions, viewer),
    attachments: attachmentsView((thread as unknown as { attachments?: AttachmentMeta[] }).attachments),
    read: read === undefined || viewer.userId === null ? null : readView(read, thread),
    // Null: the reader's group volume applies.
    myVolume: viewer.userId === null ? null : volume,
  };
}
