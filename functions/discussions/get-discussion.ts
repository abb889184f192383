import { canSeeDiscussion } from '../../shared/permissions/discussions.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { queryPage } from '../lib/db.ts';
import { invalid, notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { loadThread, pad, parseThreadId, threadFacts, type ThreadContext, type TimelineItem, type VersionItem } from './store.ts';
import { threadView, timelineItemView } from './views.ts';
import { hiddenVoteSeqs } from './vote-items.ts';

export const TIMELINE_PAGE = 50;

async function visibleThread(id: string, actor: ApiRequest['actor']): Promise<ThreadContext> {
  const { groupId, threadId } = parseThreadId(id);
  const context = await loadThread(groupId, threadId, actor);
  if (!canSeeDiscussion(context.facts, context.viewer, threadFacts(context.thread))) throw notFound('No such discussion.');
  return context;
}

/** One page of the timeline: items with seq ≥ from (or after the cursor), in order, one Query. */
async function timelinePage(context: ThreadContext, query: { from?: number; cursor?: string }) {
  const { thread } = context;
  const scope = `timeline:${thread.threadId}`;
  const start = await decodeCursor(scope, query.cursor);
  if (query.from !== undefined && query.from > thread.seq + 1) throw invalid({ from: `This thread has ${thread.seq} items.` });
  const page = await queryPage<TimelineItem>({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': thread.pk, ':from': `item#${pad(query.from ?? 1)}`, ':to': `item#${pad(9_999_999_999)}` },
    Limit: TIMELINE_PAGE,
    ExclusiveStartKey: start,
  });
  const hidden = await hiddenVoteSeqs(page.items, context.viewer.userId);
  return {
    items: page.items.filter((item) => !hidden.has(item.seq)).map((item) => timelineItemView(item, thread, context.viewer)),
    cursor: await encodeCursor(scope, page.lastKey),
  };
}

/**
 * GET /api/discussions/{id}: the thread, the reader's state and the first timeline page (or the
 * page from ?from=, e.g. the first unread item). Two DynamoDB requests after the session read:
 * one BatchGet (thread, group, membership, read state, own volume) and one Query.
 */
export async function getDiscussion(request: ApiRequest<'GET /api/discussions/{id}'>): Promise<ApiReply> {
  const context = await visibleThread(request.params.id!, request.actor);
  const timeline = await timelinePage(context, request.query);
  return { body: { discussion: threadView(context.thread, context.group, context.viewer, context.read, context.volume), timeline } };
}

/** GET /api/discussions/{id}/events: a further timeline page. */
export async function getTimeline(request: ApiRequest<'GET /api/discussions/{id}/events'>): Promise<ApiReply> {
  const context = await visibleThread(request.params.id!, request.actor);
  return { body: await timelinePage(context, request.query) };
}

/** Earlier versions of an item (seq 0 is the thread's title and description), newest first. */
/** A page of a text's earlier versions, newest first, with a signed cursor bound to that text. */
export async function versionsOf(context: ThreadContext, seq: number, cursor: string | undefined) {
  const scope = `versions:${context.thread.threadId}:${seq}`;
  const page = await queryPage<VersionItem>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': context.thread.pk, ':prefix': `version#${pad(seq)}#` },
    ScanIndexForward: false,
    Limit: VERSIONS_PAGE,
    ExclusiveStartKey: await decodeCursor(scope, cursor),
  });
  return {
    items: page.items.map((v) => ({ version: v.version, title: v.title ?? null, body: v.body, editedAt: v.editedAt, editor: { id: v.editorId, name: v.editorName } })),
    cursor: await encodeCursor(scope, page.lastKey),
  };
}

const VERSIONS_PAGE = 50;

/** GET /api/discussions/{id}/versions: anyone who can read the thread can see its history. */
export async function getDiscussionVersions(request: ApiRequest<'GET /api/discussions/{id}/versions'>): Promise<ApiReply> {
  const context = await visibleThread(request.params.id!, request.actor);
  const { thread } = context;
  return {
    body: {
      current: { version: thread.version, title: thread.title, body: thread.description, editedAt: thread.updatedAt },
      ...(await versionsOf(context, 0, request.query.cursor)),
    },
  };
}

export { visibleThread };
