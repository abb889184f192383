import { canonicalReceipt, formatReceipt, newReceipt, receiptFingerprint, voteChangeAdds, type Ballot } from '../../shared/polls/index.ts';
import { check, getAcross, inTable, put, remove, transact } from '../lib/db.ts';
import { AppError, forbidden, invalid } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import { countMetric } from '../lib/metrics.ts';
import type { ApiRequest } from '../lib/http.ts';
import { groupKeys } from '../groups/store.ts';
import { ballotTable, boxKeys, newRev, type BoxBallotItem } from './ballot-box.ts';
import { loadPoll, pollKeys, type BallotItem, type PollContext } from './store.ts';
import { applyAdds, authorizeVote, pollOpenCheck, tallySets, tallyUpdate } from './vote-writes.ts';

const MAX_ATTEMPTS = 60;

/** Without the receipt nothing can find a voter's anonymous ballot, so nothing can change it. */
export const receiptRequired = () =>
  new AppError(409, 'receipt_required', 'You have voted in this anonymous poll. Nothing links you to your ballot, so only the receipt you were given when you voted can change or withdraw it.');

const notAReceipt = () => invalid({ receipt: 'A receipt is 32 letters and digits, shown in groups of four. Paste all of it.' });
const noMatch = () => invalid({ receipt: 'This receipt matches no ballot in this poll. Check that it is the receipt for this poll, and that you pasted all of it.' });

/** A receipt as typed or pasted, in canonical form; a 422 naming `receipt` when it cannot be one. */
export function readReceipt(input: string): string {
  const canonical = canonicalReceipt(input);
  if (!canonical) throw notAReceipt();
  return canonical;
}

export async function boxBallot(pollId: string, fingerprint: string): Promise<BoxBallotItem | null> {
  const [ballot] = await getAcross<BoxBallotItem>([{ table: ballotTable(), key: boxKeys.ballot(pollId, fingerprint) }]);
  return ballot ?? null;
}

/** The totals in the ballot box change with the ballot; the box's totals item must exist. */
function boxTallyUpdate(pollId: string, adds: Record<string, number>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = tallySets(adds, names, values);
  const key = boxKeys.tally(pollId);
  return sets.length
    ? {
        Update: {
          TableName: ballotTable(),
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      }
    : inTable(check(key, { if: 'attribute_exists(pk)' }), ballotTable());
}

/**
 * Casts, changes or withdraws (`next` null) an anonymous ballot. A first ballot gets a new receipt
 * and is stored under its fingerprint; a change or withdrawal needs that receipt. In one transaction:
 * the ballot and the box's totals (ballot table), and the poll's voter count, the has-voted marker,
 * the membership check and the event (main table). Nothing written to the main table names the
 * ballot, and the ballot names no one and carries no time.
 */
export async function writeAnonymousVote(
  request: ApiRequest<'PUT /api/polls/{id}/vote'> | ApiRequest<'DELETE /api/polls/{id}/vote'>,
  next: Ballot | null,
  first: PollContext,
  receiptInput: string | undefined,
): Promise<{ context: PollContext; receipt: string | null }> {
  const actor = request.actor;
  let receipt = receiptInput === undefined ? null : readReceipt(receiptInput);
  if (!receipt) {
    if (first.hasVoted) throw receiptRequired();
    if (!next) return { context: first, receipt: null };
  }
  const fresh = receipt === null;
  receipt ??= newReceipt();
  let fingerprint = await receiptFingerprint(receipt);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const context = attempt === 0 ? first : await loadPoll(request.params.id!, actor);
    if (attempt > 0) authorizeVote(context);
    const { item } = context;
    const previous = fresh ? null : await boxBallot(item.pollId, fingerprint);
    if (!fresh && (!previous || !context.hasVoted)) throw noMatch();
    if (fresh && context.hasVoted) throw receiptRequired();
    const adds = voteChangeAdds(item.poll, previous ? { choices: previous.choices as never, reason: previous.reason } : null, next);
    const voters = adds.voters ?? 0;
    const key = boxKeys.ballot(item.pollId, fingerprint);
    const guard = previous ? { if: '#rev = :rev', values: { ':rev': previous.rev } } : { if: 'attribute_not_exists(pk)' };
    const ballot: BoxBallotItem | null = next && { ...key, type: 'ballot', choices: next.choices, reason: next.reason, rev: newRev() };
    const marker = pollKeys.voter(item.pollId, actor.id);
    const codes = await transact([
      inTable(ballot ? put({ ...ballot }, guard) : remove(key, guard), ballotTable()),
      boxTallyUpdate(item.pollId, adds),
      // The poll counts voters, as the has-voted markers do; a change touches neither.
      voters ? tallyUpdate(item.pollId, item.groupId, { voters }) : pollOpenCheck(item.pollId, item.groupId),
      fresh
        ? put({ ...marker, type: 'pollVoter', userId: actor.id }, { if: 'attribute_not_exists(pk)' })
        : next
          ? check(marker, { if: 'attribute_exists(pk)' })
          : remove(marker, { if: 'attribute_exists(pk)' }),
      check(groupKeys.membership(item.groupId, actor.id), { if: 'attribute_exists(pk) AND attribute_not_exists(#revokedAt)' }),
      // The event says that a vote happened, never which ballot, and names no actor.
      next
        ? recordEvent({ kind: 'VoteCast', groupId: item.groupId, pollId: item.pollId, anonymous: true }, {})
        : recordEvent({ kind: 'VoteWithdrawn', groupId: item.groupId, pollId: item.pollId }, {}),
    ]);
    if (!codes) {
      countMetric(next ? 'Vote' : 'VoteWithdrawn');
      const mine = ballot ? ({ choices: ballot.choices, reason: ballot.reason } as BallotItem) : null;
      return {
        context: { ...context, item: { ...item, tally: applyAdds(item.tally, adds) }, ballot: mine, hasVoted: Boolean(next) },
        receipt: next ? formatReceipt(receipt) : null,
      };
    }
    // Closed or moved meanwhile: the next attempt reads the poll again and authorizes it afresh.
    if (codes[2] === 'ConditionalCheckFailed') continue;
    if (codes[3] === 'ConditionalCheckFailed') {
      // A first ballot while another first ballot of the same voter landed; or a change after a withdrawal.
      if (fresh) throw receiptRequired();
      throw noMatch();
    }
    if (codes[4] === 'ConditionalCheckFailed') throw forbidden('You are not one of this poll\u2019s voters.');
    if (codes[1] === 'ConditionalCheckFailed') throw new Error('The ballot box of this poll has no totals.');
    // A new fingerprint taken (it never is) takes another receipt; a parallel change with this
    // receipt is read again and applied on top of it.
    if (codes[0] === 'ConditionalCheckFailed' && fresh) {
      receipt = newReceipt();
      fingerprint = await receiptFingerprint(receipt);
    }
    await new Promise((r) => setTimeout(r, Math.random() * Math.min(60, 3 * (attempt + 1))));
  }
  throw new AppError(409, 'busy', 'Many votes are arriving at once. Please try again.');
}
