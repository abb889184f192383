import { canSeeResults } from '../../shared/permissions/polls.ts';
import { receiptFingerprint } from '../../shared/polls/index.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { queryPage } from '../lib/db.ts';
import { conflict, forbidden, invalid, notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { boxBallot, readReceipt } from './anonymous-vote.ts';
import { ballotTable, fingerprintOf, inBallotBox, type BoxBallotItem } from './ballot-box.ts';
import { visiblePoll } from './get-poll.ts';
import { pollFacts, status } from './store.ts';

/** Pages of the published list: 500 ballots of about 150 bytes each stay well under a Lambda answer. */
const PAGE = 500;

/**
 * POST /api/polls/{id}/receipt: the ballot a receipt names, so a voter sees (and can change) their
 * anonymous vote on any device. The receipt is the only key to it: nothing else finds it.
 */
export async function lookupReceipt(request: ApiRequest<'POST /api/polls/{id}/receipt'>): Promise<ApiReply> {
  const context = await visiblePoll(request.params.id!, request.actor);
  if (!inBallotBox(context.item)) throw notFound('This poll gives no receipts.');
  const receipt = readReceipt(request.body.receipt);
  const fingerprint = await receiptFingerprint(receipt);
  const ballot = await boxBallot(context.item.pollId, fingerprint);
  if (!ballot) throw invalid({ receipt: 'This receipt matches no ballot in this poll. Check that it is the receipt for this poll, and that you pasted all of it.' });
  return { body: { fingerprint, myVote: { choices: ballot.choices, reason: ballot.reason } } };
}

/**
 * GET /api/polls/{id}/ballots: once an anonymous poll has closed, every ballot by its fingerprint,
 * in fingerprint order, for anyone who may see the results. A voter finds their own by hashing
 * their receipt in the browser, so the server never learns whose ballot anyone looked for.
 */
export async function listBallots(request: ApiRequest<'GET /api/polls/{id}/ballots'>): Promise<ApiReply> {
  const context = await visiblePoll(request.params.id!, request.actor);
  const { item } = context;
  if (!item.poll.anonymous) throw notFound('Only anonymous polls publish a ballot list; this poll lists its votes by voter.');
  if (!canSeeResults(pollFacts(item), context.hasVoted)) throw forbidden('Results are hidden until you vote or the poll closes.');
  if (!inBallotBox(item)) throw conflict('This poll\u2019s ballots were cast before receipts, so it has no ballot list to check them against.', 'no_receipts');
  if (status(item) !== 'closed') throw conflict('The ballot list is published when the poll closes.', 'poll_open');
  const scope = `ballots:${item.pollId}`;
  const page = await queryPage<BoxBallotItem>({
    TableName: ballotTable(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)',
    ExpressionAttributeValues: { ':pk': `poll#${item.pollId}`, ':b': 'ballot#' },
    ConsistentRead: true,
    Limit: PAGE,
    ExclusiveStartKey: await decodeCursor(scope, request.query.cursor),
  });
  return {
    body: {
      items: page.items.map((b) => ({ fingerprint: fingerprintOf(b), choices: b.choices, reason: b.reason ?? null })),
      cursor: await encodeCursor(scope, page.lastKey),
    },
  };
}
