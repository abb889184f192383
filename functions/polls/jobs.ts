import { get, remove, transact } from '../lib/db.ts';
import { recordEvent } from '../lib/events.ts';
import type { DueItem } from '../workers/scheduler-handler.ts';
import { closePollItem } from './poll-controls.ts';
import { pollKeys, type OutcomeItem, type PollItem } from './store.ts';

/** Scheduler job: a poll's closing time has passed (perhaps while the stack was down). */
export async function closeDuePoll(due: DueItem): Promise<void> {
  const pollId = (due as DueItem & { pollId: string }).pollId;
  const item = await get<PollItem>(pollKeys.poll(pollId));
  if (!item || item.closedAt || !item.poll.closingAt || item.poll.closingAt > new Date().toISOString()) {
    await transact([remove({ pk: due.pk, sk: due.sk })]);
    return;
  }
  await closePollItem(item, { schedule: true });
}

/** Scheduler job: 24 hours before closing, the closing-soon notice (its audience per the poll's setting). */
export async function pollClosingSoon(due: DueItem): Promise<void> {
  const pollId = (due as DueItem & { pollId: string }).pollId;
  const item = await get<PollItem>(pollKeys.poll(pollId));
  const stillOpen = item && !item.closedAt && item.poll.closingAt && item.poll.closingAt > new Date().toISOString();
  await transact([
    remove({ pk: due.pk, sk: due.sk }, { if: 'attribute_exists(pk)' }),
    ...(stillOpen && item.poll.closingSoonNotify !== 'nobody'
      ? [recordEvent({ kind: 'PollClosingSoon', groupId: item.groupId, pollId, notify: item.poll.closingSoonNotify }, {})]
      : []),
  ]);
}

/** Scheduler job: an outcome's review date has come. */
export async function outcomeReviewDue(due: DueItem): Promise<void> {
  const outcome = await get<OutcomeItem>({ pk: due.pk, sk: due.sk });
  if (!outcome) return;
  await transact([
    // Leaving the due index is the same write that records the event, so it happens once.
    {
      Update: {
        TableName: (await import('../lib/config.ts')).config.tableName,
        Key: { pk: due.pk, sk: due.sk },
        UpdateExpression: 'REMOVE gsi2pk, gsi2sk, dueKind',
        ConditionExpression: 'attribute_exists(gsi2pk)',
      },
    },
    recordEvent({ kind: 'OutcomeReviewDue', groupId: outcome.groupId, pollId: outcome.pollId, authorId: outcome.authorId }, {}),
  ]);
}
