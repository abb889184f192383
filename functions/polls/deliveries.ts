import type { Poll } from '../../shared/polls/index.ts';
import { create, get } from '../lib/db.ts';
import { AppError } from '../lib/errors.ts';
import { appendToTimeline } from '../discussions/timeline.ts';
import { threadKeys } from '../discussions/store.ts';
import type { Deliveries, RecordedEvent } from '../workers/stream-handler.ts';
import { canSeeVotes } from '../../shared/permissions/polls.ts';
import { findBallot, pollApiId, pollFacts, pollKeys, type PollItem } from './store.ts';

/** A ballot in words, for the thread's timeline: "Agree", "Red, Blue", "1. Ana, 2. Ben"… */
export function describeChoices(poll: Poll, choices: unknown): string {
  const name = (id: string) => poll.options.find((o) => o.id === id)?.name ?? id;
  const c = choices as { option?: string; options?: string[]; scores?: Record<string, number>; ranking?: string[]; answers?: Record<string, string> };
  if (c.option) return name(c.option);
  if (c.options) return c.options.map(name).join(', ');
  if (c.scores) return Object.entries(c.scores).map(([id, n]) => `${name(id)}: ${n}`).join(', ');
  if (c.ranking) return c.ranking.map((id, i) => `${i + 1}. ${name(id)}`).join(', ');
  if (c.answers) return Object.entries(c.answers).map(([id, a]) => `${name(id)}: ${a}`).join(', ');
  return 'answered';
}

/**
 * VoteCast on a poll inside a thread: the vote joins the thread's timeline (never for anonymous
 * polls, whose events name no voter, nor for polls whose results are hidden). Run from the stream, so voting itself stays one transaction;
 * a marker keyed by the event makes a redelivered batch add nothing twice.
 */
export async function addVoteToTimeline(event: RecordedEvent): Promise<void> {
  const data = event.data as { groupId: string; pollId: string; anonymous: boolean };
  if (data.anonymous || !event.actorId) return;
  const item = await get<PollItem>(pollKeys.poll(data.pollId));
  // Everyone who reads the thread reads its timeline, so a vote joins it only while anyone at all,
  // voted or not, may see the poll's votes.
  if (!item?.threadId || !canSeeVotes(pollFacts(item), false)) return;
  const ballot = await findBallot(data.pollId, event.actorId);
  if (!ballot) return;
  const markerKey = { pk: threadKeys.thread(item.threadId).pk, sk: `delivered#${event.eventId}` };
  if (await get(markerKey)) return;
  const body = `Voted **${describeChoices(item.poll, ballot.choices).replace(/[*_`[\]]/g, '\\$&')}**${ballot.reason ? `\n\n${ballot.reason}` : ''}`;
  try {
    await appendToTimeline(item.threadId, () => ({
      item: {
        kind: 'vote', authorId: event.actorId!, authorName: ballot.voterName ?? null, body, parentSeq: null, depth: 0,
        createdAt: event.at, version: 1, replyCount: 0, reactions: {}, mentions: {}, attachmentIds: [], refId: pollApiId(item),
      },
      ops: [create({ ...markerKey, type: 'delivered' })],
    }));
  } catch (error) {
    // A closed thread takes no new items; a marker written meanwhile means another delivery did it.
    if (error instanceof AppError && (error.code === 'discussion_closed' || error.code === 'conflict')) return;
    throw error;
  }
}

export const pollDeliveries: Deliveries = {
  VoteCast: [addVoteToTimeline],
};
