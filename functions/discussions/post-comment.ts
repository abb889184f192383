import { canComment, canSeeDiscussion } from '../../shared/permissions/discussions.ts';
import { create, get, patch, transact } from '../lib/db.ts';
import { AppError, forbidden, invalid, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { claimUploads, resolveMentions } from './content.ts';
import { loadThread, parseCommentId, parseThreadId, threadFacts, threadKeys, type ThreadItem, type TimelineItem } from './store.ts';
import { timelineItemView } from './views.ts';
import { isHiddenVote } from './vote-items.ts';

const MAX_ATTEMPTS = 200;

/**
 * POST /api/discussions/{id}/comments. The sequence number comes from the thread's counter in
 * the same transaction that writes the comment (the counter must still hold the value read), so
 * parallel comments get distinct, consecutive numbers with no gaps; a lost race reads and retries.
 * Replies nest to the thread's maximum depth; deeper replies attach to the deepest allowed ancestor.
 */
export async function postComment(request: ApiRequest<'POST /api/discussions/{id}/comments'>): Promise<ApiReply> {
  const actor = request.actor;
  const { groupId, threadId } = parseThreadId(request.params.id!);
  const context = await loadThread(groupId, threadId, actor);
  if (!canSeeDiscussion(context.facts, context.viewer, threadFacts(context.thread))) throw notFound('No such discussion.');
  if (context.thread.closedAt) throw new AppError(409, 'discussion_closed', 'This thread is closed to new comments.');
  if (!canComment(context.facts, context.viewer, threadFacts(context.thread))) throw forbidden('Only members can comment here.');
  const { group } = context;
  const input = request.body;

  let parent: TimelineItem | null = null;
  if (input.parentId) {
    const ref = parseParent(input.parentId, threadId);
    parent = await get<TimelineItem>(threadKeys.item(threadId, ref));
    if (!parent || (await isHiddenVote(parent, actor.id))) throw invalid({ parentId: 'The comment you reply to no longer exists.' });
    if (parent.depth >= context.thread.maxDepth && parent.parentSeq) {
      parent = await get<TimelineItem>(threadKeys.item(threadId, parent.parentSeq));
      if (!parent) throw invalid({ parentId: 'The comment you reply to no longer exists.' });
    }
  }
  const [mentions, uploads] = await Promise.all([
    resolveMentions(group.groupId, input.body),
    claimUploads(actor.id, input.attachmentIds, { threadId, groupId: group.groupId }),
  ]);

  let thread: ThreadItem = context.thread;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const seq = thread.seq + 1;
    const now = new Date().toISOString();
    const item: TimelineItem = {
      ...threadKeys.item(threadId, seq),
      type: 'timelineItem',
      threadId,
      seq,
      kind: 'comment',
      authorId: actor.id,
      authorName: actor.name,
      body: input.body,
      parentSeq: parent?.seq ?? null,
      depth: parent ? parent.depth + 1 : 0,
      createdAt: now,
      version: 1,
      replyCount: 0,
      reactions: {},
      mentions,
      attachmentIds: uploads.attachments.map((a) => a.id),
    };
    const codes = await transact([
      patch(threadKeys.thread(threadId), {
        set: { seq, lastActivityAt: now, gsi1sk: threadKeys.inGroup(thread.groupId, Boolean(thread.pinnedAt), now, threadId).gsi1sk },
        add: { commentCount: 1 },
      }, { if: '#seq = :seen AND attribute_not_exists(#closedAt)', values: { ':seen': thread.seq } }),
      create({ ...item, attachments: uploads.attachments }),
      ...(parent ? [patch(threadKeys.item(threadId, parent.seq), { add: { replyCount: 1 } })] : []),
      ...uploads.ops,
      recordEvent(
        {
          kind: 'CommentCreated',
          groupId: thread.groupId,
          discussionId: threadId,
          seq,
          authorId: actor.id,
          parentAuthorId: parent && parent.authorId !== actor.id ? parent.authorId : null,
          mentionedUserIds: Object.values(mentions).filter((id) => id !== actor.id),
        },
        { actorId: actor.id, ip: request.ip },
      ),
    ]);
    if (!codes) return { status: 201, body: timelineItemView({ ...item, attachments: uploads.attachments } as TimelineItem, thread, context.viewer) };
    if (codes[0] !== 'ConditionalCheckFailed') {
      if (parent && codes[2] === 'ConditionalCheckFailed') throw invalid({ parentId: 'The comment you reply to no longer exists.' });
      throw new AppError(409, 'conflict', 'The comment could not be saved. Please try again.');
    }
    const fresh = await get<ThreadItem>(threadKeys.thread(threadId));
    if (!fresh) throw notFound('No such discussion.');
    if (fresh.closedAt) throw new AppError(409, 'discussion_closed', 'This thread is closed to new comments.');
    thread = fresh;
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 5 * (attempt + 1))));
  }
  throw new AppError(409, 'busy', 'This thread is very busy right now. Please try again.');
}

function parseParent(parentId: string, threadId: string): number {
  try {
    const ref = parseCommentId(parentId);
    if (ref.threadId !== threadId) throw new Error();
    return ref.seq;
  } catch {
    throw invalid({ parentId: 'You can reply only to a comment in this thread.' });
  }
}
