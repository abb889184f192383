import { canSeePoll, canVote } from '../../shared/permissions/polls.ts';
import { config } from '../lib/config.ts';
import { check, type transact } from '../lib/db.ts';
import { AppError, forbidden, notFound } from '../lib/errors.ts';
import { pollFacts, pollKeys, type PollContext } from './store.ts';

/** What both ways of voting share (named ballots in vote.ts, anonymous ones in anonymous-vote.ts): who may vote, and the tally writes. */

type Op = Parameters<typeof transact>[0][number];

/** `SET tally.a.b = tally.a.b + :n`, one path per changed total, with its names and values. */
export function tallySets(adds: Record<string, number>, names: Record<string, string>, values: Record<string, unknown>): string[] {
  if (Object.keys(adds).length) names['#tally'] = 'tally';
  return Object.entries(adds).map(([path, n], i) => {
    const segments = path.split('.').map((segment) => {
      const name = `#t_${segment}`;
      names[name] = segment;
      return name;
    });
    values[`:n${i}`] = n;
    const target = ['#tally', ...segments].join('.');
    return `${target} = ${target} + :n${i}`;
  });
}

/**
 * The tally changes as `SET tally.a.b = tally.a.b + :n`, one path per changed total, while the poll
 * is open and still in the group whose membership the vote was checked against.
 */
export function tallyUpdate(pollId: string, groupId: string, adds: Record<string, number>): Op {
  const names: Record<string, string> = { '#closedAt': 'closedAt', '#poll': 'poll', '#closingAt': 'closingAt', '#groupId': 'groupId', '#migratingBallots': 'migratingBallots' };
  const values: Record<string, unknown> = { ':now': new Date().toISOString(), ':group': groupId };
  const sets = tallySets(adds, names, values);
  return {
    Update: {
      TableName: config.tableName,
      Key: pollKeys.poll(pollId),
      // An unchanged ballot still touches the poll, so the open-poll condition is always checked.
      UpdateExpression: sets.length ? `SET ${sets.join(', ')}` : 'SET #poll.#closingAt = #poll.#closingAt',
      ConditionExpression: OPEN_IN_GROUP,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** Open, in the group the vote was authorized in, and not having its ballots moved (migrate-ballots.ts). */
const OPEN_IN_GROUP = 'attribute_not_exists(#closedAt) AND #poll.#closingAt > :now AND #groupId = :group AND attribute_not_exists(#migratingBallots)';

/** The poll is open and in this group: checked, not written. */
export function pollOpenCheck(pollId: string, groupId: string): Op {
  return check(pollKeys.poll(pollId), { if: OPEN_IN_GROUP, values: { ':now': new Date().toISOString(), ':group': groupId } });
}

export const closed = () => new AppError(409, 'poll_closed', 'This poll is closed.');

export function authorizeVote(context: PollContext) {
  const facts = pollFacts(context.item);
  if (!canSeePoll(context.facts, context.viewer, null) && !context.viewer.membership) throw notFound('No such poll.');
  if (facts.status === 'closed') throw closed();
  if (facts.status === 'draft') throw new AppError(409, 'poll_draft', 'This poll has not opened yet.');
  if (!canVote(context.facts, context.viewer, facts, context.invited)) throw forbidden('You are not one of this poll\u2019s voters.');
}

/** The stored tally after the adds: the same arithmetic the transaction did, without reading it back. */
export function applyAdds(tally: Record<string, unknown>, adds: Record<string, number>): Record<string, unknown> {
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
