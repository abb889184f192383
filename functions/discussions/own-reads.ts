import { mergeRanges } from '../../shared/discussions/read-ranges.ts';
import { get, put, transact } from '../lib/db.ts';
import { logger } from '../lib/logger.ts';
import { threadKeys, type ReadItem } from './store.ts';

/**
 * What someone writes themselves (a comment, a poll, a vote, an outcome) is read by them: its number
 * joins their read ranges, so their own items never count as unread for them. Best effort after the
 * item is saved: the item stands whatever happens here, and the next read of the thread catches up.
 */
export async function markOwnRead(threadId: string, userId: string, seq: number): Promise<void> {
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      const read = await get<ReadItem>(threadKeys.read(threadId, userId));
      const ranges = mergeRanges([...(read?.ranges ?? []), [seq, seq]]);
      if (read && JSON.stringify(ranges) === JSON.stringify(read.ranges)) return;
      const item: ReadItem = { ...threadKeys.read(threadId, userId), type: 'readState', ranges, updatedAt: new Date().toISOString() };
      const codes = await transact([put({ ...item }, read ? { if: '#updatedAt = :seen', values: { ':seen': read.updatedAt } } : { if: 'attribute_not_exists(pk)' })]);
      if (!codes) return;
    }
  } catch (error) {
    logger.warn('Own item not marked read', { threadId, error: String(error) });
  }
}
