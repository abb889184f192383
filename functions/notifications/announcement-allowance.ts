import { ConditionFailed, updateItem } from '../lib/db.ts';
import { tooManyRequests } from '../lib/errors.ts';
import { rateLimitCheck, type RateLimit } from '../lib/rate-limit.ts';

/**
 * An announcement can email a whole group, and so can a poll reminder, so every way of asking for
 * one (POST /api/announcements, announcing a new thread, poll or outcome, reminding voters) spends
 * from one allowance per person a day.
 */
export const announcementLimit = { name: 'announcements', limit: 20, windowSeconds: 86_400 } satisfies RateLimit;

export const announcementsSpent = (retryAfter: number) =>
  tooManyRequests(retryAfter, `You can make ${announcementLimit.limit} announcements and reminders a day. Try again tomorrow.`);

/**
 * Spends one announcement on its own, before the write that asks for it: if that write then
 * fails, one is spent for nothing, which errs on the side of the people who would be emailed.
 */
export async function spendAnnouncement(actorId: string): Promise<void> {
  const allowance = rateLimitCheck(announcementLimit, actorId);
  try {
    await updateItem(allowance.op);
  } catch (error) {
    if (error instanceof ConditionFailed) throw announcementsSpent(allowance.retryAfter);
    throw error;
  }
}
