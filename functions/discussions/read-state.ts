import { mergeRanges } from '../../shared/discussions/read-ranges.ts';
import { canSeeGroup } from '../../shared/permissions/groups.ts';
import { batchPut, forEachPage, put, transact } from '../lib/db.ts';
import { AppError, invalid, notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { loadGroup } from '../groups/store.ts';
import { visibleThread } from './get-discussion.ts';
import { threadKeys, type ReadItem, type ThreadItem } from './store.ts';
import { readView } from './views.ts';

/**
 * POST /api/discussions/{id}/read: adds ranges to what the reader has read. The new state is
 * written only if the stored one is still what was merged, so two tabs never lose each other's reads.
 */
export async function markRead(request: ApiRequest<'POST /api/discussions/{id}/read'>): Promise<ApiReply> {
  const actor = request.actor;
  for (let attempt = 0; attempt < 5; attempt++) {
    const context = await visibleThread(request.params.id!, actor);
    const { thread, read } = context;
    const bad = request.body.ranges.findIndex(([a, b]) => a > b || b > thread.seq);
    if (bad >= 0) throw invalid({ [`ranges.${bad}`]: `A range runs from a first to a last item, within 1 to ${thread.seq}.` });
    const item: ReadItem = {
      ...threadKeys.read(thread.threadId, actor.id),
      type: 'readState',
      ranges: mergeRanges([...(read?.ranges ?? []), ...request.body.ranges]),
      updatedAt: new Date().toISOString(),
    };
    const codes = await transact([
      put({ ...item }, read ? { if: '#updatedAt = :seen', values: { ':seen': read.updatedAt } } : { if: 'attribute_not_exists(pk)' }),
    ]);
    if (!codes) return { body: readView(item, thread) };
  }
  throw new AppError(409, 'conflict', 'Your read state changed at the same moment. Please try again.');
}

/** POST /api/groups/{id}/discussions/read: everything in the group's threads counts as read. */
export async function markGroupRead(request: ApiRequest<'POST /api/groups/{id}/discussions/read'>): Promise<ApiReply> {
  const context = await loadGroup(request.params.id!, request.actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  const now = new Date().toISOString();
  await forEachPage<ThreadItem>(
    {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `threads#${context.group.groupId}` },
    },
    async (threads) => {
      const states = threads
        .filter((t) => t.seq > 0 && (!t.private || context.viewer.membership))
        .map((t) => ({ ...threadKeys.read(t.threadId, request.actor.id), type: 'readState', ranges: [[1, t.seq]], updatedAt: now }));
      await batchPut(states);
    },
  );
  return { status: 204 };
}
