import { validateVote, voteChangeAdds, type Ballot } from '../../shared/polls/index.ts';
import { check, put, remove, transact } from '../lib/db.ts';
import { AppError, forbidden, invalid } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import { countMetric } from '../lib/metrics.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { groupKeys } from '../groups/store.ts';
import { loadPoll, pollKeys, type BallotItem, type PollContext } from './store.ts';
import { writeAnonymousVote } from './anonymous-vote.ts';
import { inBallotBox } from './ballot-box.ts';
import { pollView } from './views.ts';
import { applyAdds, authorizeVote, tallyUpdate } from './vote-writes.ts';

const MAX_ATTEMPTS = 60;

/**
 * The ballot, the running tally and the has-voted marker change in one transaction, guarded by the
 * ballot's version (a voter's parallel changes leave exactly one latest ballot), the poll being open,
 * and the voter still being a member. A lost race reads again and retries.
 */
async function writeVote(
  request: ApiRequest<'PUT /api/polls/{id}/vote'> | ApiRequest<'DELETE /api/polls/{id}/vote'>,
  next: Ballot | null,
  first: PollContext,
): Promise<PollContext> {
  const actor = request.actor;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const context = attempt === 0 ? first : await loadPoll(request.params.id!, actor);
    if (attempt > 0) authorizeVote(context);
    // Its ballots moved into the ballot box meanwhile (migrate-ballots.ts): the next try takes the new path.
    if (inBallotBox(context.item) || (context.item as { migratingBallots?: boolean }).migratingBallots) {
      throw new AppError(409, 'busy', 'This poll\u2019s ballots are being moved to a safer store. Please try again in a moment.');
    }
    const { item, ballot: previous } = context;
    if (!previous && !next) return context;
    const anonymous = item.poll.anonymous;
    const adds = voteChangeAdds(item.poll, previous ? { choices: previous.choices as never, reason: previous.reason } : null, next);
    const ballotKey = pollKeys.ballot(item.pollId, context.ballotId!);
    const guard = previous ? { if: '#version = :v', values: { ':v': previous.version } } : { if: 'attribute_not_exists(pk)' };
    const ballot: BallotItem | null = next && {
      ...ballotKey,
      type: 'ballot',
      choices: next.choices,
      reason: next.reason,
      version: (previous?.version ?? 0) + 1,
      ...(anonymous ? {} : { voterId: actor.id, voterName: actor.name, castAt: new Date().toISOString() }),
    };
    const meta = anonymous ? {} : { actorId: actor.id, ip: request.ip };
    const codes = await transact([
      ballot ? put({ ...ballot }, guard) : remove(ballotKey, guard),
      tallyUpdate(item.pollId, item.groupId, adds),
      // One has-voted marker, one ballot: a first ballot needs the voter not to have voted, so a
      // ballot that cannot be found (its key changed) never lets anyone vote twice.
      next
        ? put({ ...pollKeys.voter(item.pollId, actor.id), type: 'pollVoter', userId: actor.id }, previous ? undefined : { if: 'attribute_not_exists(pk)' })
        : remove(pollKeys.voter(item.pollId, actor.id)),
      check(groupKeys.membership(item.groupId, actor.id), { if: 'attribute_exists(pk) AND attribute_not_exists(#revokedAt)' }),
      next
        ? recordEvent({ kind: 'VoteCast', groupId: item.groupId, pollId: item.pollId, anonymous }, meta)
        : recordEvent({ kind: 'VoteWithdrawn', groupId: item.groupId, pollId: item.pollId }, meta),
    ]);
    if (!codes) {
      countMetric(next ? 'Vote' : 'VoteWithdrawn');
      return { ...context, item: { ...item, tally: applyAdds(item.tally, adds) }, ballot, hasVoted: Boolean(next) };
    }
    // Closed or moved meanwhile: the next attempt reads the poll again and authorizes it afresh.
    if (codes[1] === 'ConditionalCheckFailed') continue;
    // The ballot's key was free but the voter has voted: their ballot is out of reach (see ballotKeysFor).
    if (codes[2] === 'ConditionalCheckFailed' && codes[0] !== 'ConditionalCheckFailed') {
      throw new AppError(409, 'already_voted', 'Your vote in this poll is already counted, and it cannot be changed.');
    }
    if (codes[3] === 'ConditionalCheckFailed') throw forbidden('You are not one of this poll\u2019s voters.');
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(60, 3 * (attempt + 1))));
  }
  throw new AppError(409, 'busy', 'Many votes are arriving at once. Please try again.');
}

const noReceipts = () => invalid({ receipt: 'Only anonymous polls give receipts; this vote needs none.' });

/** PUT /api/polls/{id}/vote: vote, or change your vote (the latest counts). */
export async function castVote(request: ApiRequest<'PUT /api/polls/{id}/vote'>): Promise<ApiReply> {
  const context = await loadPoll(request.params.id!, request.actor);
  authorizeVote(context);
  const { receipt, ...vote } = request.body;
  const validation = validateVote(context.item.poll, vote);
  if (!validation.ok) throw invalid(validation.fields, 'This vote breaks a rule of the poll.');
  if (inBallotBox(context.item)) {
    const cast = await writeAnonymousVote(request, validation.ballot, context, receipt);
    return { body: { ...(await pollView(cast.context)), receipt: cast.receipt } };
  }
  if (receipt !== undefined) throw noReceipts();
  return { body: await pollView(await writeVote(request, validation.ballot, context)) };
}

/** DELETE /api/polls/{id}/vote: withdraw your vote while the poll is open. */
export async function withdrawVote(request: ApiRequest<'DELETE /api/polls/{id}/vote'>): Promise<ApiReply> {
  const context = await loadPoll(request.params.id!, request.actor);
  authorizeVote(context);
  if (inBallotBox(context.item)) await writeAnonymousVote(request, null, context, request.body.receipt);
  else if (request.body.receipt !== undefined) throw noReceipts();
  else await writeVote(request, null, context);
  return { status: 204 };
}
