import { canComment, canSeeDiscussion } from '../../shared/permissions/discussions.ts';
import { create, get, patch, transact, type CancellationCodes } from '../lib/db.ts';
import { AppError, forbidden, invalid, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { markOwnRead } from './own-reads.ts';
import { claimUploads, resolveMentions } from './content.ts';
import { loadThread, parseCommentId, parseThreadId, threadFacts, threadKeys, type TimelineItem } from './store.ts';
import { takeSeq } from './timeline.ts';
import { timelineItemView } from './views.ts';
import { isHiddenVote } from './vote-items.ts';

/** A thread that moves while a comment is being posted is authorized again where it lives now, this many times. */
const MAX_MOVES = 3;
/** Writing the comment under its number is retried while it only meets other transactions. */
const MAX_WRITES = 8;

/**
 * POST /api/discussions/{id}/comments. The sequence number comes from one atomic counter update
 * on the thread (`takeSeq`), then the comment is written under it, so parallel comments each
 * cost two writes whatever their number and get distinct, consecutive numbers. If the outcome of
 * the write is unclear (an error after it may have committed), the comment is looked up before
 * any error is answered: a saved comment always answers 201.
 * Replies nest to the thread's maximum depth; deeper replies attach to the deepest allowed ancestor.
 */
export async function postComment(request: ApiRequest<'POST /api/discussions/{id}/comments'>): Promise<ApiReply> {
  const actor = request.actor;
  const ids = parseThreadId(request.params.id!);
  let groupHint = ids.groupId;
  for (let move = 0; move < MAX_MOVES; move++) {
    const context = await loadThread(groupHint, ids.threadId, actor);
    if (!canSeeDiscussion(context.facts, context.viewer, threadFacts(context.thread))) throw notFound('No such discussion.');
    if (context.thread.closedAt) throw closed();
    if (!canComment(context.facts, context.viewer, threadFacts(context.thread))) throw forbidden('Only members can comment here.');
    const { group, thread } = context;
    const { threadId } = thread;
    const input = request.body;

    let parent: TimelineItem | null = null;
    if (input.parentId) {
      const ref = parseParent(input.parentId, threadId);
      parent = await get<TimelineItem>(threadKeys.item(threadId, ref));
      if (!parent || (await isHiddenVote(parent, actor.id))) throw parentGone();
      if (parent.depth >= thread.maxDepth && parent.parentSeq) {
        parent = await get<TimelineItem>(threadKeys.item(threadId, parent.parentSeq));
        if (!parent) throw parentGone();
      }
    }
    const [mentions, uploads] = await Promise.all([
      resolveMentions(group.groupId, input.body),
      claimUploads(actor.id, input.attachmentIds, { threadId, groupId: group.groupId }),
    ]);

    const now = new Date().toISOString();
    const taken = await takeSeq(thread, now, { comment: true });
    if ('refused' in taken) {
      if (taken.refused === 'missing') throw notFound('No such discussion.');
      if (taken.refused === 'closed') throw closed();
      groupHint = taken.groupId;
      continue;
    }
    const { seq } = taken;
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
    const saved = { ...item, attachments: uploads.attachments } as TimelineItem;
    const ops = [
      create({ ...saved }),
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
    ];

    const outcome = await writeUnder(item, ops);
    if (outcome === 'saved') {
      await markOwnRead(threadId, actor.id, seq);
      return { status: 201, body: timelineItemView(saved, thread, context.viewer) };
    }
    // Not saved: the number stays unused, and the count it was taken with is given back.
    await transact([patch(threadKeys.thread(threadId), { add: { commentCount: -1 } })]).catch(() => undefined);
    if (outcome instanceof Error) throw outcome;
    if (parent && outcome[1] === 'ConditionalCheckFailed') throw parentGone();
    if (outcome.slice(parent ? 2 : 1, -1).includes('ConditionalCheckFailed')) {
      throw invalid({ attachmentIds: 'An upload was attached to another comment meanwhile. Upload the file again.' });
    }
    throw new AppError(409, 'conflict', 'The comment could not be saved. Please try again.');
  }
  throw new AppError(409, 'conflict', 'This thread moved while you were commenting. Please try again.');
}

/**
 * Writes the comment's transaction, retrying while it only met other transactions. Whenever an
 * attempt fails, the comment is looked up first: an earlier attempt may have committed before
 * its answer was lost, and then the comment is saved and no error may be answered.
 */
async function writeUnder(item: TimelineItem, ops: Parameters<typeof transact>[0]): Promise<'saved' | CancellationCodes | Error> {
  let last: CancellationCodes | Error = new Error('not written');
  for (let attempt = 0; attempt < MAX_WRITES; attempt++) {
    try {
      const codes = await transact(ops);
      if (!codes) return 'saved';
      last = codes;
    } catch (error) {
      last = error as Error;
    }
    const stored = await get<TimelineItem>({ pk: item.pk, sk: item.sk }).catch(() => null);
    if (stored && stored.authorId === item.authorId && stored.createdAt === item.createdAt) return 'saved';
    const onlyConflicts = Array.isArray(last) && last.every((c) => c === 'None' || c === 'TransactionConflict');
    if (!onlyConflicts && Array.isArray(last)) return last;
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 10 * 2 ** attempt)));
  }
  return last;
}

const closed = () => new AppError(409, 'discussion_closed', 'This thread is closed to new comments.');
const parentGone = () => invalid({ parentId: 'The comment you reply to no longer exists.' });

function parseParent(parentId: string, threadId: string): number {
  try {
    const ref = parseCommentId(parentId);
    if (ref.threadId !== threadId) throw new Error();
    return ref.seq;
  } catch {
    throw invalid({ parentId: 'You can reply only to a comment in this thread.' });
  }
}
