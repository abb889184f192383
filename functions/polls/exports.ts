import { canSeeResults, canSeeVotes } from '../../shared/permissions/polls.ts';
import { fromStoredTally, results, resultsCsv, votesCsv } from '../../shared/polls/index.ts';
import { serializeBlt } from '../../shared/elections/index.ts';
import { forbidden, invalid } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { visiblePoll } from './get-poll.ts';
import { pollFacts } from './store.ts';
import { eligibleVoters, needsBallots, readBallots } from './views.ts';

const hidden = () => forbidden('Results are hidden until you vote or the poll closes.');

/** GET /api/polls/{id}/results.csv: results, then per-voter rows only when the poll is not anonymous. */
export async function resultsCsvExport(request: ApiRequest<'GET /api/polls/{id}/results.csv'>): Promise<ApiReply> {
  const context = await visiblePoll(request.params.id!, request.actor);
  const facts = pollFacts(context.item);
  if (!canSeeResults(facts, context.hasVoted)) throw hidden();
  const poll = context.item.poll;
  const withVoters = canSeeVotes(facts, context.hasVoted);
  const ballots = needsBallots(poll.type) || withVoters ? await readBallots(context.item) : undefined;
  const computed = results(poll, fromStoredTally(context.item.tally as never), { eligibleVoters: eligibleVoters(context), ...(ballots ? { ballots } : {}) });
  const csv = [resultsCsv(poll, computed), ...(withVoters && ballots ? ['', votesCsv(poll, ballots)] : [])].join('\r\n');
  return { raw: csv, headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="results.csv"' } };
}

/**
 * GET /api/polls/{id}/ballots.blt: an election's ballots in BLT, for anyone who may see its results,
 * anonymous polls included. No voter identity; identical ballots are merged and lines sorted, so the
 * order says nothing about who voted when. Any BLT program can recount it.
 */
export async function ballotsBlt(request: ApiRequest<'GET /api/polls/{id}/ballots.blt'>): Promise<ApiReply> {
  const context = await visiblePoll(request.params.id!, request.actor);
  const poll = context.item.poll;
  if (poll.type !== 'election') throw invalid({ type: 'Only elections have BLT ballots.' });
  if (!canSeeResults(pollFacts(context.item), context.hasVoted)) throw hidden();
  const index = new Map(poll.options.map((o, i) => [o.id, i]));
  const weights = new Map<string, number>();
  for (const { ballot } of await readBallots(context.item)) {
    const ranking = ((ballot.choices as { ranking?: string[] }).ranking ?? []).map((id) => index.get(id)).filter((i): i is number => i !== undefined);
    if (!ranking.length) continue;
    const key = ranking.join(' ');
    weights.set(key, (weights.get(key) ?? 0) + 1);
  }
  const lines = [...weights.entries()].sort(([a], [b]) => a.localeCompare(b));
  const blt = serializeBlt({
    title: poll.title,
    candidates: poll.options.map((o) => ({ name: o.name })),
    seats: poll.settings.seats,
    withdrawn: [],
    ballots: lines.map(([key, weight]) => ({ weight, ranks: key.split(' ').map(Number) })),
  });
  return { raw: blt, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-disposition': 'attachment; filename="ballots.blt"' } };
}
