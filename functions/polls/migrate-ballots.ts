import { randomInt } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { emptyTally, newReceipt, receiptFingerprint, toStoredTally } from '../../shared/polls/index.ts';
import { db } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { batchDelete, batchPut, forEachPage, get, inTable, patch, put, transact, type Key } from '../lib/db.ts';
import { ballotTable, boxKeys, forEachBoxBallot, newRev } from './ballot-box.ts';
import { pollKeys, type BallotItem, type PollItem } from './store.ts';

export interface MigrationReport {
  polls: number;
  ballots: number;
}

/** Fisher-Yates with a cryptographic source, so not even the order of writes follows the old keys. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Moves one anonymous poll made before the ballot box into it. While it runs the poll refuses
 * votes (`migratingBallots`; a voter asked to try again lands on the new path). Each ballot gets a
 * fingerprint of a receipt that is made and thrown away at once, so nothing (no receipt, no list, no
 * log line) maps an old key to a new one; the old ballots, keyed by an HMAC of their voters, go.
 * Run again after an interruption, it first removes what the interrupted run put in the box.
 */
export async function migratePoll(item: PollItem): Promise<number> {
  const pollId = item.pollId;
  const poll = pollKeys.poll(pollId);
  await transact([patch(poll, { set: { migratingBallots: true } }, { if: 'attribute_not_exists(#ballotBox)' })]);
  // The totals as they stand now that no vote can change them.
  const locked = (await get<PollItem>(poll))!;
  const leftovers: Key[] = [];
  await forEachBoxBallot(pollId, async (page) => void leftovers.push(...page.map(({ pk, sk }) => ({ pk, sk }))));
  await batchDelete(leftovers, ballotTable());

  const old: BallotItem[] = [];
  await forEachPage<BallotItem>(
    { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)', ExpressionAttributeValues: { ':pk': poll.pk, ':b': 'ballot#' }, ConsistentRead: true },
    async (page) => void old.push(...page),
  );
  const moved = [];
  for (const b of shuffle([...old])) {
    moved.push({ ...boxKeys.ballot(pollId, await receiptFingerprint(newReceipt())), type: 'ballot', choices: b.choices, reason: b.reason ?? null, rev: newRev() });
  }
  await batchPut(moved, ballotTable());
  const voters = Number((locked.tally as { voters?: number }).voters ?? 0);
  const codes = await transact([
    inTable(put({ ...boxKeys.tally(pollId), type: 'tally', tally: locked.tally }, { if: 'attribute_not_exists(pk)' }), ballotTable()),
    patch(poll, { set: { ballotBox: true, tally: { ...toStoredTally(emptyTally(item.poll)), voters } }, remove: ['migratingBallots'] }, { if: 'attribute_exists(#migratingBallots)' }),
  ]);
  if (codes) throw new Error(`Poll ${pollId} was not moved into the ballot box: ${codes.join(',')}`);
  await batchDelete(old.map(({ pk, sk }) => ({ pk, sk })));
  return moved.length;
}

/**
 * `npm run migrate:anonymous-ballots`: every anonymous poll whose ballots are still in the main
 * table, keyed by their voters, moves into the ballot box. Safe to run any number of times.
 */
export async function migrateAnonymousBallots(): Promise<MigrationReport> {
  const report: MigrationReport = { polls: 0, ballots: 0 };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: config.tableName,
        FilterExpression: '#type = :poll AND #poll.#anonymous = :yes AND attribute_not_exists(#ballotBox)',
        ExpressionAttributeNames: { '#type': 'type', '#poll': 'poll', '#anonymous': 'anonymous', '#ballotBox': 'ballotBox' },
        ExpressionAttributeValues: { ':poll': 'poll', ':yes': true },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of (page.Items ?? []) as PollItem[]) {
      report.ballots += await migratePoll(item);
      report.polls++;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return report;
}
