import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../lib/clients.ts';
import { create, get, patch, transact } from '../lib/db.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { markOwnRead } from './own-reads.ts';
import { threadKeys, type ThreadItem, type TimelineItem } from './store.ts';

type Op = Parameters<typeof transact>[0][number];

/** Why a thread gave out no number: gone, closed, or no longer in the group the caller checked. */
export type SeqRefusal = { refused: 'missing' } | { refused: 'closed' } | { refused: 'moved'; groupId: string };

/**
 * Takes the thread's next sequence number with one atomic counter update (ADD seq 1, returning
 * the new value), so any number of writers each get their own number in one request, without
 * reading and retrying each other. The update also bumps the thread's activity and, for a
 * comment, its comment count. It holds only while the thread is open and still in the group the
 * caller authorized against. The caller then writes its item under that number; a write that
 * fails for good leaves the number unused, as deleting a comment without replies does.
 */
export async function takeSeq(thread: ThreadItem, now: string, { comment }: { comment: boolean }): Promise<{ seq: number } | SeqRefusal> {
  const { gsi1sk } = threadKeys.inGroup(thread.groupId, Boolean(thread.pinnedAt), now, thread.threadId);
  const counter = patch(
    threadKeys.thread(thread.threadId),
    { add: { seq: 1, ...(comment ? { commentCount: 1 } : {}) }, set: { lastActivityAt: now, gsi1sk } },
    { if: 'attribute_not_exists(#closedAt) AND #groupId = :group', values: { ':group': thread.groupId } },
  );
  try {
    const { Attributes } = await db.send(new UpdateCommand({ ...counter.Update!, ReturnValues: 'UPDATED_NEW' }));
    return { seq: Number(Attributes?.seq) };
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
  const current = await get<ThreadItem>(threadKeys.thread(thread.threadId));
  if (!current) return { refused: 'missing' };
  if (current.closedAt) return { refused: 'closed' };
  return { refused: 'moved', groupId: current.groupId };
}

/**
 * Adds an item (a poll, an outcome) to a thread's timeline under the next sequence number, in one
 * transaction with the caller's own writes. The counter must still hold the value read, so
 * concurrent items never share a number, and the thread must still be in the group read, so the
 * caller's writes (made for that group) never land in a thread that has moved; a lost race reads
 * the thread again and retries, and `build` sees where the thread is now.
 */
export async function appendToTimeline(
  threadId: string,
  build: (seq: number, thread: ThreadItem) => { item: Omit<TimelineItem, 'pk' | 'sk' | 'type' | 'threadId' | 'seq'>; ops: Op[] },
): Promise<{ seq: number; thread: ThreadItem }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const thread = await get<ThreadItem>(threadKeys.thread(threadId));
    if (!thread) throw notFound('No such discussion.');
    if (thread.closedAt) throw new AppError(409, 'discussion_closed', 'This thread is closed.');
    const seq = thread.seq + 1;
    const now = new Date().toISOString();
    const { item, ops } = build(seq, thread);
    const codes = await transact([
      patch(threadKeys.thread(threadId), {
        set: { seq, lastActivityAt: now, gsi1sk: threadKeys.inGroup(thread.groupId, Boolean(thread.pinnedAt), now, threadId).gsi1sk },
      }, { if: '#seq = :seen AND #groupId = :group AND attribute_not_exists(#closedAt)', values: { ':seen': thread.seq, ':group': thread.groupId } }),
      create({ ...threadKeys.item(threadId, seq), type: 'timelineItem', threadId, seq, ...item }),
      ...ops,
    ]);
    if (!codes) {
      await markOwnRead(threadId, item.authorId, seq);
      return { seq, thread: { ...thread, seq } };
    }
    if (codes[0] !== 'ConditionalCheckFailed') throw new AppError(409, 'conflict', 'That could not be saved. Please try again.');
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 5 * (attempt + 1))));
  }
  throw new AppError(409, 'busy', 'This thread is very busy right now. Please try again.');
}
