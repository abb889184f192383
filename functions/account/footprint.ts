import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { s3 } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { get, getAcross, queryPage } from '../lib/db.ts';
import type { MembershipItem } from '../groups/store.ts';
import type { ThreadItem, TimelineItem } from '../discussions/store.ts';
import { findBallot, pollKeys, type BallotItem, type OutcomeItem, type PollItem } from '../polls/store.ts';
import { ballotTable, boxKeys, inBallotBox, type BoxTallyItem } from '../polls/ballot-box.ts';
import { membershipsOf } from './my-data.ts';

export type OwnContent =
  | { type: 'thread'; item: ThreadItem }
  | { type: 'comment'; item: TimelineItem }
  | { type: 'poll'; item: PollItem }
  | { type: 'vote'; item: BallotItem; pollId: string; groupId: string; anonymous: boolean }
  | { type: 'outcome'; item: OutcomeItem };

async function* pages<T>(input: Omit<QueryCommandInput, 'TableName'>): AsyncGenerator<T[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await queryPage<T>({ ...input, ExclusiveStartKey: start });
    yield page.items;
    start = page.lastKey;
  } while (start);
}

/**
 * The person's own content, a page at a time: threads they started, their comments, polls they
 * made, their votes and the outcomes they stated, in every group they belong or belonged to.
 * Nothing indexes content by author, so this walks those groups' threads and polls: it costs what
 * reading those groups costs, and is used only for the data page and personal exports.
 */
export async function* ownContent(userId: string, memberships?: MembershipItem[]): AsyncGenerator<OwnContent> {
  const groupIds = [...new Set((memberships ?? (await membershipsOf(userId))).map((m) => m.groupId))];
  for (const groupId of groupIds) {
    for await (const threads of pages<ThreadItem>({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `threads#${groupId}` } })) {
      for (const listed of threads) {
        const thread = listed.authorId === userId ? listed : null;
        if (thread) yield { type: 'thread', item: thread };
        for await (const items of pages<TimelineItem>({
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :item)',
          FilterExpression: 'authorId = :me AND #kind = :comment',
          ExpressionAttributeNames: { '#kind': 'kind' },
          ExpressionAttributeValues: { ':pk': listed.pk, ':item': 'item#', ':me': userId, ':comment': 'comment' },
        })) {
          for (const item of items) yield { type: 'comment', item };
        }
      }
    }
    for (const state of ['open', 'closed']) {
      for await (const polls of pages<PollItem>({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `polls#${groupId}#${state}` } })) {
        for (const poll of polls) {
          if (poll.authorId === userId) yield { type: 'poll', item: await withFullTally(poll) };
          // An anonymous ballot in the ballot box is found by its receipt alone, so it is not theirs to list here.
          const ballot = await findBallot(poll.pollId, userId);
          if (ballot) yield { type: 'vote', item: ballot, pollId: poll.pollId, groupId, anonymous: poll.poll.anonymous };
          const outcome = await get<OutcomeItem>(pollKeys.outcome(poll.pollId));
          if (outcome?.authorId === userId) yield { type: 'outcome', item: outcome };
        }
      }
    }
  }
}

/** A poll as its author knows it: an anonymous poll's totals are in the ballot box. */
async function withFullTally(poll: PollItem): Promise<PollItem> {
  if (!inBallotBox(poll)) return poll;
  const { ballotBox: _box, ...plain } = poll;
  void _box;
  const [box] = await getAcross<BoxTallyItem>([{ table: ballotTable(), key: boxKeys.tally(poll.pollId) }]);
  return { ...plain, tally: box?.tally ?? poll.tally };
}

export async function contentCounts(userId: string, memberships?: MembershipItem[]) {
  const counts = { threads: 0, comments: 0, polls: 0, votes: 0, outcomes: 0, uploads: 0 };
  const plural = { thread: 'threads', comment: 'comments', poll: 'polls', vote: 'votes', outcome: 'outcomes' } as const;
  for await (const record of ownContent(userId, memberships)) counts[plural[record.type]]++;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: config.uploadsBucket, Prefix: `uploads/${userId}/`, ContinuationToken: token }));
    counts.uploads += page.KeyCount ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return counts;
}
