import { canDeleteComment, canEditComment, canSeeDiscussion } from '../../shared/permissions/discussions.ts';
import { batchDelete, create, forEachPage, get, patch, remove, transact } from '../lib/db.ts';
import { AppError, forbidden, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { resolveMentions } from './content.ts';
import { attachmentRemoval } from './uploads.ts';
import { versionsOf } from './get-discussion.ts';
import { loadThread, pad, parseCommentId, threadFacts, threadKeys, type ThreadContext, type TimelineItem, type VersionItem } from './store.ts';
import { timelineItemView } from './views.ts';

async function loadComment(id: string, actor: ApiRequest['actor']): Promise<ThreadContext & { comment: TimelineItem }> {
  const { groupId, threadId, seq } = parseCommentId(id);
  const [context, comment] = await Promise.all([loadThread(groupId, threadId, actor), get<TimelineItem>(threadKeys.item(threadId, seq))]);
  if (!comment || comment.kind !== 'comment' || !canSeeDiscussion(context.facts, context.viewer, threadFacts(context.thread))) throw notFound('No such comment.');
  return { ...context, comment };
}

const commentFacts = (c: TimelineItem) => ({ authorId: c.authorId, deleted: Boolean(c.deletedAt) });

/** PATCH /api/comments/{id}: the earlier version is kept, and anyone who can read the thread can see it. */
export async function editComment(request: ApiRequest<'PATCH /api/comments/{id}'>): Promise<ApiReply> {
  const actor = request.actor;
  const context = await loadComment(request.params.id!, actor);
  const { comment, thread } = context;
  if (!canEditComment(context.facts, context.viewer, threadFacts(thread), commentFacts(comment))) throw forbidden('You cannot edit this comment.');
  if (request.body.body === comment.body) return { body: timelineItemView(comment, thread, context.viewer) };
  const mentions = await resolveMentions(thread.groupId, request.body.body);
  const now = new Date().toISOString();
  const version: VersionItem = {
    ...threadKeys.version(thread.threadId, comment.seq, comment.version),
    type: 'version',
    threadId: thread.threadId,
    seq: comment.seq,
    version: comment.version,
    body: comment.body,
    editedAt: comment.editedAt ?? comment.createdAt,
    editorId: actor.id,
    editorName: actor.name,
  };
  const next = { body: request.body.body, mentions, editedAt: now, version: comment.version + 1 };
  const codes = await transact([
    patch(threadKeys.item(thread.threadId, comment.seq), { set: next }, {
      if: '#version = :seen AND attribute_not_exists(#deletedAt)',
      values: { ':seen': comment.version },
    }),
    create({ ...version }),
    recordEvent(
      { kind: 'CommentEdited', groupId: thread.groupId, discussionId: thread.threadId, seq: comment.seq, mentionedUserIds: Object.values(mentions).filter((id) => !Object.values(comment.mentions ?? {}).includes(id) && id !== actor.id) },
      { actorId: actor.id, ip: request.ip },
    ),
  ]);
  if (codes) throw new AppError(409, 'conflict', 'Someone changed this comment at the same moment. Reload and try again.');
  return { body: timelineItemView({ ...comment, ...next }, thread, context.viewer) };
}

/**
 * DELETE /api/comments/{id}: a comment with replies leaves a "deleted" placeholder; one without
 * is removed. Either way its text, every earlier version and its attached files are gone.
 */
export async function deleteComment(request: ApiRequest<'DELETE /api/comments/{id}'>): Promise<ApiReply> {
  const actor = request.actor;
  const context = await loadComment(request.params.id!, actor);
  const { comment, thread } = context;
  if (!canDeleteComment(context.facts, context.viewer, threadFacts(thread), commentFacts(comment))) throw forbidden('You cannot delete this comment.');
  const key = threadKeys.item(thread.threadId, comment.seq);
  const files = await attachmentRemoval(comment.attachmentIds);
  const event = recordEvent({ kind: 'CommentDeleted', groupId: thread.groupId, discussionId: thread.threadId, seq: comment.seq }, { actorId: actor.id, ip: request.ip });
  const codes = comment.replyCount > 0
    ? await transact([
        patch(key, { set: { deletedAt: new Date().toISOString(), body: '', mentions: {}, reactions: {}, attachmentIds: [], attachments: [] } }, { if: 'attribute_not_exists(#deletedAt)' }),
        ...files.ops,
        event,
      ])
    : await transact([
        remove(key, { if: '#replyCount = :none', values: { ':none': 0 } }),
        patch(threadKeys.thread(thread.threadId), { add: { commentCount: -1 } }),
        ...(comment.parentSeq ? [patch(threadKeys.item(thread.threadId, comment.parentSeq), { add: { replyCount: -1 } })] : []),
        ...files.ops,
        event,
      ]);
  if (codes) throw new AppError(409, 'conflict', 'This comment changed at the same moment. Reload and try again.');
  await files.deleteObjects();
  await forEachPage<{ pk: string; sk: string }>(
    { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': thread.pk, ':prefix': `version#${pad(comment.seq)}#` }, ProjectionExpression: 'pk, sk' },
    async (items) => void (await batchDelete(items)),
  );
  return { status: 204 };
}

/** GET /api/comments/{id}/versions. */
export async function getCommentVersions(request: ApiRequest<'GET /api/comments/{id}/versions'>): Promise<ApiReply> {
  const context = await loadComment(request.params.id!, request.actor);
  const { comment } = context;
  if (comment.deletedAt) return { body: { current: null, items: [], cursor: null } };
  return {
    body: {
      current: { version: comment.version, body: comment.body, editedAt: comment.editedAt ?? comment.createdAt },
      ...(await versionsOf(context, comment.seq, request.query.cursor)),
    },
  };
}
