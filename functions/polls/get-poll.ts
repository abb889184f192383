import { canSeePoll, canSeeVotes } from '../../shared/permissions/polls.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { get, queryPage } from '../lib/db.ts';
import { forbidden, notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { loadThread, threadFacts } from '../discussions/store.ts';
import { loadPoll, pollFacts, pollKeys, type BallotItem, type OutcomeItem, type PollContext } from './store.ts';
import { pollView } from './views.ts';

/** Loads a poll for someone who may see it: a poll in a thread follows the thread's visibility. */
export async function visiblePoll(id: string, actor: ApiRequest['actor']): Promise<PollContext> {
  const context = await loadPoll(id, actor);
  let thread = null;
  if (context.item.threadId && !context.viewer.membership) {
    const loaded = await loadThread(context.item.groupId, context.item.threadId, actor);
    thread = threadFacts(loaded.thread);
  }
  const visible = context.viewer.membership ? canSeePoll(context.facts, context.viewer, null) : thread !== null && canSeePoll(context.facts, context.viewer, thread);
  if (!visible) throw notFound('No such poll.');
  return context;
}

/** GET /api/polls/{id}: one BatchGet for the poll, group, membership and the actor's ballot; results from the running tally. */
export async function getPoll(request: ApiRequest<'GET /api/polls/{id}'>): Promise<ApiReply> {
  const context = await visiblePoll(request.params.id!, request.actor);
  // Once stated, an outcome stays, through a reopening too (marked then as from before it).
  const outcome = context.item.closedAt || context.item.reopenedAt ? await get<OutcomeItem>(pollKeys.outcome(context.item.pollId)) : null;
  return { body: await pollView(context, outcome) };
}

/** GET /api/polls/{id}/votes: who voted how, for polls that are not anonymous and whose results the actor may see. */
export async function listVotes(request: ApiRequest<'GET /api/polls/{id}/votes'>): Promise<ApiReply> {
  const context = await visiblePoll(request.params.id!, request.actor);
  if (!canSeeVotes(pollFacts(context.item), context.hasVoted)) {
    throw forbidden(context.item.poll.anonymous ? 'This poll is anonymous: nobody sees who voted how.' : 'Votes show once you have voted, or once the poll closes.');
  }
  const scope = `votes:${context.item.pollId}`;
  const page = await queryPage<BallotItem>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)',
    ExpressionAttributeValues: { ':pk': `poll#${context.item.pollId}`, ':b': 'ballot#' },
    Limit: 100,
    ExclusiveStartKey: await decodeCursor(scope, request.query.cursor),
  });
  return {
    body: {
      items: page.items.map((b) => ({ voter: { id: b.voterId ?? null, name: b.voterName ?? null, ...((b as { voterImported?: boolean }).voterImported ? { imported: true } : {}) }, choices: b.choices, reason: b.reason, castAt: b.castAt ?? null })),
      cursor: await encodeCursor(scope, page.lastKey),
    },
  };
}
