import { canSeePoll, canVote } from '../../shared/permissions/polls.ts';
import { validateVote, voteChangeAdds, type Ballot } from '../../shared/polls/index.ts';
import { config } from '../lib/config.ts';
import { check, put, remove, transact } from '../lib/db.ts';
import { AppError, forbidden, invalid, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { groupKeys } from '../groups/store.ts';
import { loadPoll, pollFacts, pollKeys, type BallotItem, type PollContext } from './store.ts';
import { pollView } from './views.ts';

type Op = Parameters<typeof transact>[0][number];

const MAX_ATTEMPTS = 60;

/**
 * The tally changes as `SET tally.a.b = tally.a.b + :n`, one path per changed total, while the poll
 * is open and still in the group whose membership the vote was checked against.
 */
function tallyUpdate(pollId: string, groupId: string, adds: Record<string, number>): Op {
  const names: Record<string, string> = { '#closedAt': 'closedAt', '#poll': 'poll', '#closingAt': 'closingAt', '#groupId': 'groupId' };
  if (Object.keys(adds).length) names['#tally'] = 'tally';
  const values: Record<string, unknown> = { ':now': new Date().toISOString(), ':group': groupId };
  const sets = Object.entries(adds).map(([path, n], i) => {
    const segments = path.split('.').map((segment) => {
      const name = `#t_${segment}`;
      names[name] = segment;
      return name;
    });
    values[`:n${i}`] = n;
    const target = ['#tally', ...segments].join('.');
    return `${target} = ${target} + :n${i}`;
  });
  return {
    Update: {
      TableName: config.tableName,
      Key: pollKeys.poll(pollId),
      // An unchanged ballot still touches the poll, so the open-poll condition is always checked.
      UpdateExpression: sets.length ? `SET ${sets.join(', ')}` : 'SET #poll.#closingAt = #poll.#closingAt',
      ConditionExpression: 'attribute_not_exists(#closedAt) AND #poll.#closingAt > :now AND #groupId = :group',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

const closed = () => new AppError(409, 'poll_closed', 'This poll is closed.');

function authorizeVote(context: PollContext) {
  const facts = pollFacts(context.item);
  if (!canSeePoll(context.facts, context.viewer, null) && !context.viewer.membership) throw notFound('No such poll.');
  if (facts.status === 'closed') throw closed();
  if (facts.status === 'draft') throw new AppError(409, 'poll_draft', 'This poll has not opened yet.');
  if (!canVote(context.facts, context.viewer, facts, context.invited)) throw forbidden('You are not one of this poll\u2019s voters.');
}

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
    if (!codes) return { ...context, item: { ...item, tally: applyAdds(item.tally, adds) }, ballot, hasVoted: Boolean(next) };
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

/** PUT /api/polls/{id}/vote: vote, or change your vote (the latest counts). */
export async function castVote(request: ApiRequest<'PUT /api/polls/{id}/vote'>): Promise<ApiReply> {
  const context = await loadPoll(request.params.id!, request.actor);
  authorizeVote(context);
  const validation = validateVote(context.item.poll, request.body);
  if (!validation.ok) throw invalid(validation.fields, 'This vote breaks a rule of the poll.');
  return { body: await pollView(await writeVote(request, validation.ballot, context)) };
}

/** DELETE /api/polls/{id}/vote: withdraw your vote while the poll is open. */
export async function withdrawVote(request: ApiRequest<'DELETE /api/polls/{id}/vote'>): Promise<ApiReply> {
  const context = await loadPoll(request.params.id!, request.actor);
  authorizeVote(context);
  await writeVote(request, null, context);
  return { status: 204 };
}

/** The stored tally after the adds: the same arithmetic the transaction did, without reading it back. */
function applyAdds(tally: Record<string, unknown>, adds: Record<string, number>): Record<string, unknown> {
  const copy = structuredClone(tally);
  for (const [path, n] of Object.entries(adds)) {
    const segments = path.split('.');
    let node = copy as Record<string, unknown>;
    for (const segment of segments.slice(0, -1)) node = node[segment] as Record<string, unknown>;
    const leaf = segments.at(-1)!;
    node[leaf] = ((node[leaf] as number) ?? 0) + n;
  }
  return copy;
}
