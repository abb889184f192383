import { canSeeVotes } from '../../shared/permissions/polls.ts';
import { getMany } from '../lib/db.ts';
import { pollFacts, pollKeys, type PollItem } from '../polls/store.ts';
import type { TimelineItem } from './store.ts';

/**
 * A vote in a timeline says who voted how, and why: it reaches a reader only while the poll's
 * results settings let that reader see its votes (`canSeeVotes`, the one copy of the rule). New
 * votes on a poll with hidden results never join the timeline; this also covers those that joined
 * before its results were hidden. One BatchGet per page that holds votes: the polls they belong
 * to and the reader's has-voted markers.
 */
export async function hiddenVoteSeqs(items: TimelineItem[], userId: string | null): Promise<Set<number>> {
  const votes = items.filter((i) => i.kind === 'vote' && !i.deletedAt);
  const hidden = new Set<number>();
  if (!votes.length) return hidden;
  const pollIdOf = (item: TimelineItem) => item.refId?.split('.').at(-1) ?? '';
  const pollIds = [...new Set(votes.map(pollIdOf))].slice(0, 50);
  const found = await getMany<PollItem | { sk: string }>(pollIds.flatMap((id) => [pollKeys.poll(id), ...(userId ? [pollKeys.voter(id, userId)] : [])]));
  const per = userId ? 2 : 1;
  const visible = new Set(
    pollIds.filter((id, n) => {
      const poll = found[n * per] as PollItem | null;
      return poll !== null && canSeeVotes(pollFacts(poll), userId ? found[n * per + 1] !== null : false);
    }),
  );
  for (const v of votes) if (!visible.has(pollIdOf(v))) hidden.add(v.seq);
  return hidden;
}

/** Whether one timeline item is a vote this reader may not see (reactions and replies to it answer as if it were not there). */
export const isHiddenVote = async (item: TimelineItem, userId: string | null) => (await hiddenVoteSeqs([item], userId)).has(item.seq);
