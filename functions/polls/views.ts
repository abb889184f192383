import { canSeeResults, canSeeVotes, canVote } from '../../shared/permissions/polls.ts';
import { fromStoredTally, results, type VoterBallot } from '../../shared/polls/index.ts';
import { renderMarkdown } from '../../shared/markdown.ts';
import { forEachPage } from '../lib/db.ts';
import type { BallotItem, OutcomeItem, PollContext, PollItem } from './store.ts';
import { forEachBoxBallot, inBallotBox, type BoxBallotItem } from './ballot-box.ts';
import { pollApiId, pollFacts, status } from './store.ts';
import { authorView } from '../lib/author.ts';

/** Ballots are read only where the result needs them (meeting grids, answers, elections), page by page. */
export async function readBallots(item: Pick<PollItem, 'pollId' | 'poll' | 'ballotBox'>): Promise<VoterBallot[]> {
  const ballots: VoterBallot[] = [];
  const anonymous = item.poll.anonymous;
  const each = async (items: Array<BallotItem | BoxBallotItem>) => {
    for (const b of items) ballots.push({ voterName: anonymous ? 'Anonymous' : ((b as BallotItem).voterName ?? 'Someone'), ballot: { choices: b.choices as never, reason: b.reason } });
  };
  if (inBallotBox(item)) await forEachBoxBallot(item.pollId, each);
  else await forEachPage<BallotItem>({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)', ExpressionAttributeValues: { ':pk': `poll#${item.pollId}`, ':b': 'ballot#' } }, each);
  // Sorted by content, so the order says nothing about who voted when.
  return ballots.sort((a, b) => JSON.stringify(a.ballot).localeCompare(JSON.stringify(b.ballot)));
}

export const needsBallots = (type: string) => type === 'meeting' || type === 'question' || type === 'election';

export function eligibleVoters(context: PollContext): number {
  return context.item.poll.specifiedVotersOnly ? context.item.invitedCount : context.group.memberCount;
}

export async function pollView(context: PollContext, outcome?: OutcomeItem | null) {
  const { item } = context;
  const facts = pollFacts(item);
  const visible = canSeeResults(facts, context.hasVoted);
  const poll = item.poll;
  const ballots = visible && needsBallots(poll.type) ? await readBallots(item) : undefined;
  return {
    id: pollApiId(item),
    groupId: item.groupId,
    discussionId: item.threadId ? `${item.groupId}.${item.threadId}` : null,
    type: poll.type,
    title: poll.title,
    details: poll.details,
    detailsHtml: renderMarkdown(poll.details),
    options: poll.options,
    settings: poll.settings,
    reasonSetting: poll.reasonSetting,
    anonymous: poll.anonymous,
    hideResults: poll.hideResults,
    specifiedVotersOnly: poll.specifiedVotersOnly,
    closingAt: poll.closingAt,
    closedAt: item.closedAt ?? null,
    quorumPercent: poll.quorumPercent,
    passTests: poll.passTests,
    noneOfTheAbove: poll.noneOfTheAbove,
    closingSoonNotify: poll.closingSoonNotify,
    status: facts.status,
    author: authorView(item),
    createdAt: item.createdAt,
    // In an anonymous poll nothing finds the viewer's ballot but its receipt: `myVote` is known only
    // in the answer to the vote itself, or to POST /api/polls/{id}/receipt.
    myVote: context.ballot ? { choices: context.ballot.choices, reason: context.ballot.reason } : null,
    hasVoted: context.hasVoted,
    /** Anonymous polls: a vote answers with a receipt, and changing or withdrawing it needs that receipt. */
    usesReceipts: inBallotBox(item),
    // Null: the caller's group volume applies.
    myVolume: context.volume ?? null,
    canVote: canVote(context.facts, context.viewer, facts, context.invited),
    canSeeVotes: canSeeVotes(facts, context.hasVoted),
    results: visible
      ? results(poll, fromStoredTally(item.tally as never), { eligibleVoters: eligibleVoters(context), ...(ballots ? { ballots } : {}) })
      : null,
    resultsHiddenUntil: visible ? null : poll.hideResults === 'until_voted' ? 'voted' : 'closed',
    outcome: outcome ? { ...outcomeView(outcome), beforeReopening: Boolean(item.reopenedAt && outcome.createdAt < item.reopenedAt) } : null,
  };
}

export const outcomeView = (o: OutcomeItem) => ({
  id: `${o.groupId}.${o.pollId}`,
  statement: o.statement,
  statementHtml: renderMarkdown(o.statement),
  optionId: o.optionId,
  reviewOn: o.reviewOn,
  event: o.event,
  author: authorView(o),
  createdAt: o.createdAt,
  inviteUrl: o.event ? `/api/outcomes/${o.groupId}.${o.pollId}/invite.ics` : null,
});

export { status };
