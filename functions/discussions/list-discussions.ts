import { canSeeDiscussion } from '../../shared/permissions/discussions.ts';
import { canSeeGroup, isMember } from '../../shared/permissions/groups.ts';
import { unreadCount } from '../../shared/discussions/read-ranges.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { getMany, queryPage } from '../lib/db.ts';
import { notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { loadGroup } from '../groups/store.ts';
import { threadApiId, threadFacts, threadKeys, type ReadItem, type ThreadItem } from './store.ts';
import { authorView } from '../lib/author.ts';

export const THREADS_PAGE = 20;

/**
 * GET /api/groups/{id}/discussions: pinned threads first, then newest activity, one gsi1 Query per
 * page, plus one BatchGet for the reader's read states (for unread counts).
 */
export async function listDiscussions(request: ApiRequest<'GET /api/groups/{id}/discussions'>): Promise<ApiReply> {
  const context = await loadGroup(request.params.id!, request.actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  const { group, viewer } = context;
  const seesPrivate = isMember(viewer) || (context.facts.parentMembersCanSeeDiscussions && viewer.parentMembership !== null);
  const scope = `threads:${group.groupId}:${seesPrivate ? 'all' : 'public'}`;
  const page = await queryPage<ThreadItem>({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ...(seesPrivate ? {} : { FilterExpression: '#private = :no', ExpressionAttributeNames: { '#private': 'private' } }),
    ExpressionAttributeValues: { ':pk': `threads#${group.groupId}`, ...(seesPrivate ? {} : { ':no': false }) },
    ScanIndexForward: false,
    Limit: THREADS_PAGE,
    ExclusiveStartKey: await decodeCursor(scope, request.query.cursor),
  });
  const threads = page.items.filter((t) => canSeeDiscussion(context.facts, viewer, threadFacts(t)));
  const reads = request.actor && threads.length ? await getMany<ReadItem>(threads.map((t) => threadKeys.read(t.threadId, request.actor!.id))) : [];
  return {
    body: {
      items: threads.map((t, i) => ({
        id: threadApiId(t),
        title: t.title,
        private: t.private,
        pinned: Boolean(t.pinnedAt),
        closed: Boolean(t.closedAt),
        author: authorView(t),
        createdAt: t.createdAt,
        lastActivityAt: t.lastActivityAt,
        commentCount: t.commentCount,
        lastSeq: t.seq,
        unreadCount: request.actor ? unreadCount(reads[i]?.ranges ?? [], t.seq) : null,
      })),
      cursor: await encodeCursor(scope, page.lastKey),
    },
  };
}
