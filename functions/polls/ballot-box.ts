import { randomBytes } from 'node:crypto';
import { config } from '../lib/config.ts';
import { forEachPage, inTable, put, type Key } from '../lib/db.ts';
import type { PollItem } from './store.ts';

/**
 * The ballot box: where an anonymous poll's ballots and running totals live. It is a table of its
 * own with no stream and no point-in-time history, so no ordered or timestamped record of its
 * writes exists to pair a ballot with the has-voted marker written beside it (SECURITY.md,
 * "Anonymous ballots"). A ballot's key is the fingerprint of its receipt (shared/polls/receipts.ts):
 * it derives from nothing the server knows about the voter, and from no secret of the deployment.
 */
export const boxKeys = {
  ballot: (pollId: string, fingerprint: string): Key => ({ pk: `poll#${pollId}`, sk: `ballot#${fingerprint}` }),
  tally: (pollId: string): Key => ({ pk: `poll#${pollId}`, sk: 'tally' }),
};

/**
 * An anonymous ballot: the choices and reason, and `rev`, a random value replaced at each change so
 * that parallel changes with one receipt leave exactly one ballot. No voter, no time, no counter.
 */
export interface BoxBallotItem extends Key {
  type: 'ballot';
  choices: unknown;
  reason: string | null;
  rev: string;
}

/** The running totals of an anonymous poll, in stored form (`toStoredTally`). */
export interface BoxTallyItem extends Key {
  type: 'tally';
  tally: Record<string, unknown>;
}

export const ballotTable = (): string => config.ballotTableName;

/**
 * Whether a poll's ballots are in the ballot box. Anonymous polls made before it keep theirs in the
 * main table, keyed by voter, until `npm run migrate:anonymous-ballots` moves them.
 */
export const inBallotBox = (item: Pick<PollItem, 'poll' | 'ballotBox'>): boolean => item.poll.anonymous && item.ballotBox === true;

export const newRev = (): string => randomBytes(12).toString('base64url');

export const fingerprintOf = (item: Key): string => item.sk.slice('ballot#'.length);

/** Opens an anonymous poll's ballot box with its (empty) totals; part of the poll's own transaction. */
export const openBallotBox = (pollId: string, tally: Record<string, unknown>) =>
  inTable(put({ ...boxKeys.tally(pollId), type: 'tally', tally }, { if: 'attribute_not_exists(pk)' }), ballotTable());

/** Every ballot in the box, page by page, in fingerprint order (never in the order they came). */
export function forEachBoxBallot(pollId: string, each: (ballots: BoxBallotItem[]) => Promise<void>, limit?: number): Promise<void> {
  return forEachPage<BoxBallotItem>(
    {
      TableName: ballotTable(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)',
      ExpressionAttributeValues: { ':pk': `poll#${pollId}`, ':b': 'ballot#' },
      ConsistentRead: true,
      ...(limit ? { Limit: limit } : {}),
    },
    each,
  );
}
