import type { Poll } from '../../shared/polls/index.ts';
import type { PollFacts } from '../../shared/permissions/polls.ts';
import type { Volume } from '../../shared/schemas/notifications.ts';
import { hmac } from '../lib/crypto.ts';
import { forEachPage, getAcross, getMany, patch, type Key } from '../lib/db.ts';
import { config } from '../lib/config.ts';
import { notFound } from '../lib/errors.ts';
import { getBallotKey, getSigningKey } from '../lib/secrets.ts';
import type { Actor } from '../lib/session.ts';
import { facts, groupKeys, isActive, type GroupContext, type GroupItem, type MembershipItem } from '../groups/store.ts';
import { threadKeys, type ItemVolumeItem } from '../discussions/store.ts';
import { ballotTable, boxKeys, inBallotBox, type BoxTallyItem } from './ballot-box.ts';

/** A poll's partition: the poll (with its running tally), ballots, has-voted markers, invitees, outcome, due markers. */
export const pollKeys = {
  poll: (pollId: string): Key => ({ pk: `poll#${pollId}`, sk: 'poll' }),
  ballot: (pollId: string, ballotId: string): Key => ({ pk: `poll#${pollId}`, sk: `ballot#${ballotId}` }),
  voter: (pollId: string, userId: string): Key => ({ pk: `poll#${pollId}`, sk: `voter#${userId}` }),
  invitee: (pollId: string, userId: string): Key => ({ pk: `poll#${pollId}`, sk: `invitee#${userId}` }),
  /** A member's own volume for this poll; the fan-out reads all of them with one Query. */
  volume: (pollId: string, userId: string): Key => ({ pk: `poll#${pollId}`, sk: `volume#${userId}` }),
  outcome: (pollId: string): Key => ({ pk: `poll#${pollId}`, sk: 'outcome' }),
  due: (pollId: string, what: 'close' | 'soon' | 'review'): Key => ({ pk: `poll#${pollId}`, sk: `due#${what}` }),
  inGroup: (groupId: string, status: PollFacts['status'], at: string, pollId: string) => ({
    gsi1pk: `polls#${groupId}#${status === 'closed' ? 'closed' : 'open'}`,
    gsi1sk: `${at}#${pollId}`,
  }),
};

export interface PollItem extends Key {
  type: 'poll';
  pollId: string;
  groupId: string;
  threadId: string | null;
  timelineSeq: number | null;
  authorId: string;
  authorName: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  /** When it was last reopened: an outcome stated before then is shown as from before the reopening. */
  reopenedAt?: string;
  /** The poll as the shared library reads it (options with ids, settings, closingAt...). */
  poll: Poll;
  /** Running totals in stored form (`toStoredTally`); changed only together with a ballot. */
  tally: Record<string, unknown>;
  /** With specified voters only: how many were invited. */
  invitedCount: number;
  /**
   * Anonymous polls: their ballots and full totals are in the ballot box (ballot-box.ts), and `tally`
   * here counts only voters. Absent on anonymous polls made before the ballot box.
   */
  ballotBox?: true;
  version: number;
  gsi1pk: string;
  gsi1sk: string;
}

/**
 * A ballot. Its key is an HMAC of the poll and the voter under the deployment's secret, so the
 * voter can find and change it, but nothing stored joins it to them: an anonymous ballot holds
 * only the choices and reason, no voter and no time.
 */
export interface BallotItem extends Key {
  type: 'ballot';
  choices: unknown;
  reason: string | null;
  version: number;
  voterId?: string;
  voterName?: string | null;
  castAt?: string;
}

/** "Has voted": stops double voting and drives undecided counts and reminders. */
export interface VoterItem extends Key {
  type: 'pollVoter';
  userId: string;
}

export interface OutcomeItem extends Key {
  type: 'outcome';
  pollId: string;
  groupId: string;
  statement: string;
  optionId: string | null;
  reviewOn: string | null;
  event: { start: string; durationMinutes: number; location?: string } | null;
  authorId: string;
  authorName: string | null;
  createdAt: string;
}

export const status = (item: PollItem): PollFacts['status'] =>
  item.closedAt || (item.poll.closingAt && item.poll.closingAt <= new Date().toISOString()) ? 'closed' : item.poll.closingAt ? 'open' : 'draft';

export const pollFacts = (item: PollItem): PollFacts => ({
  authorId: item.authorId,
  anonymous: item.poll.anonymous,
  hideResults: item.poll.hideResults,
  specifiedVotersOnly: item.poll.specifiedVotersOnly,
  status: status(item),
});

/** A voter's ballot id in a poll, under the ballot key (its own secret, never rotated). */
export const ballotIdFor = async (pollId: string, userId: string) => hmac(await getBallotKey(), `ballot|${pollId}|${userId}`);

/**
 * Where a ballot cast before ballots had their own key lives: under the signing key. It is read
 * as well as the current id, so those voters still find (and change) their ballot; once the
 * signing key rotates they no longer do, and their has-voted marker still stops a second ballot.
 */
const legacyBallotIdFor = async (pollId: string, userId: string) => hmac(await getSigningKey(), `ballot|${pollId}|${userId}`);

/** The keys a voter's ballot may be under, current first. */
export const ballotKeysFor = async (pollId: string, userId: string): Promise<Key[]> => [
  pollKeys.ballot(pollId, await ballotIdFor(pollId, userId)),
  pollKeys.ballot(pollId, await legacyBallotIdFor(pollId, userId)),
];

/** A voter's ballot, wherever it is kept (see `ballotKeysFor`). */
export async function findBallot(pollId: string, userId: string): Promise<BallotItem | null> {
  const [current, legacy] = await getMany<BallotItem>(await ballotKeysFor(pollId, userId));
  return current ?? legacy ?? null;
}

export const pollApiId = (item: Pick<PollItem, 'groupId' | 'pollId'>) => `${item.groupId}.${item.pollId}`;

export function parsePollId(id: string): { groupId: string; pollId: string } {
  const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/.exec(id);
  if (!match) throw notFound('No such poll.');
  return { groupId: match[1]!, pollId: match[2]! };
}

type Op = ReturnType<typeof patch>;

/**
 * The polls in a thread, with their outcomes: every poll in a thread took a timeline item when it
 * was made, so one strongly consistent Query of the timeline finds them all.
 */
export async function pollsInThread(threadId: string): Promise<Array<{ item: PollItem; outcome: OutcomeItem | null }>> {
  const pollIds: string[] = [];
  await forEachPage<{ refId?: string }>(
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :item)',
      FilterExpression: '#kind = :poll',
      ProjectionExpression: 'refId',
      ExpressionAttributeNames: { '#kind': 'kind' },
      ExpressionAttributeValues: { ':pk': threadKeys.thread(threadId).pk, ':item': 'item#', ':poll': 'poll' },
      ConsistentRead: true,
    },
    async (items) => {
      for (const i of items) if (i.refId) pollIds.push(i.refId.split('.').at(-1)!);
    },
  );
  const found: Array<{ item: PollItem; outcome: OutcomeItem | null }> = [];
  for (let i = 0; i < pollIds.length; i += 50) {
    const chunk = pollIds.slice(i, i + 50);
    const items = await getMany<PollItem | OutcomeItem>(chunk.flatMap((id) => [pollKeys.poll(id), pollKeys.outcome(id)]));
    chunk.forEach((_, n) => {
      const item = items[2 * n] as PollItem | null;
      if (item && item.threadId === threadId) found.push({ item, outcome: items[2 * n + 1] as OutcomeItem | null });
    });
  }
  return found;
}

/**
 * The writes that move a thread's poll into the thread's new group, for the thread's move
 * transaction: the poll (its group and its place in the group's poll list) and its outcome.
 * Ballots, voters, invitees and due markers are keyed by the poll alone and stay where they are.
 * Each write holds only if the poll is as read, so a poll closed or reopened meanwhile fails it.
 */
export function movePollOps(found: { item: PollItem; outcome: OutcomeItem | null }, toGroupId: string): Op[] {
  const { item, outcome } = found;
  const listed = item.gsi1pk.replace(`polls#${item.groupId}#`, `polls#${toGroupId}#`);
  return [
    patch(pollKeys.poll(item.pollId), { set: { groupId: toGroupId, gsi1pk: listed } }, {
      if: '#groupId = :from AND #gsi1pk = :listed AND #threadId = :thread',
      values: { ':from': item.groupId, ':listed': item.gsi1pk, ':thread': item.threadId },
    }),
    ...(outcome ? [patch(pollKeys.outcome(item.pollId), { set: { groupId: toGroupId } }, { if: '#groupId = :from', values: { ':from': item.groupId } })] : []),
  ];
}

export interface PollContext extends GroupContext {
  item: PollItem;
  ballot: BallotItem | null;
  hasVoted: boolean;
  invited: boolean;
  ballotId: string | null;
  /** The actor's own volume for this poll; null when the group's applies. */
  volume: Volume | null;
}

/**
 * One BatchGet: the poll, its group, the actor's membership, their ballot, has-voted marker,
 * invitation and own volume (the poll id carries its group, and the ballot key is derived).
 */
export async function loadPoll(id: string, actor: Actor | null): Promise<PollContext> {
  const { groupId, pollId } = parsePollId(id);
  const ballotKeys = actor ? await ballotKeysFor(pollId, actor.id) : null;
  const table = config.tableName;
  // The ballot box's totals come in the same round trip, in case the poll turns out to be anonymous.
  const [item, boxTally, group, membership, voter, invitee, volume, currentBallot, legacyBallot] = (await getAcross([
    { table, key: pollKeys.poll(pollId) },
    { table: ballotTable(), key: boxKeys.tally(pollId) },
    { table, key: groupKeys.group(groupId) },
    ...(actor && ballotKeys
      ? [groupKeys.membership(groupId, actor.id), pollKeys.voter(pollId, actor.id), pollKeys.invitee(pollId, actor.id), pollKeys.volume(pollId, actor.id), ...ballotKeys].map((key) => ({ table, key }))
      : []),
  ])) as [PollItem | null, BoxTallyItem | null, GroupItem | null, MembershipItem | null, VoterItem | null, Key | null, ItemVolumeItem | null | undefined, BallotItem | null, BallotItem | null];
  if (item && inBallotBox(item) && boxTally) item.tally = boxTally.tally;
  const ballot = currentBallot ?? legacyBallot ?? null;
  // A ballot keeps the key it was cast under; a new one takes the current key.
  const ballotId = ballotKeys ? (ballot ?? ballotKeys[0]!).sk.slice('ballot#'.length) : null;
  if (!item) throw notFound('No such poll.');
  let current = { group, membership: membership ?? null };
  // A poll moves with its thread; an id from before the move names the old group. The poll says
  // where it lives now, and it is authorized there.
  if (item.groupId !== groupId) {
    const [g, m] = (await getMany([groupKeys.group(item.groupId), ...(actor ? [groupKeys.membership(item.groupId, actor.id)] : [])])) as [GroupItem | null, MembershipItem | null | undefined];
    current = { group: g, membership: m ?? null };
  }
  if (!current.group) throw notFound('No such poll.');
  const active = isActive(current.membership) ? current.membership : null;
  return {
    item,
    group: current.group,
    facts: facts(current.group),
    membership: active,
    viewer: { userId: actor?.id ?? null, membership: active ? { role: active.role } : null, parentMembership: null },
    ballot: ballot ?? null,
    hasVoted: Boolean(voter),
    invited: Boolean(invitee),
    ballotId,
    volume: volume?.volume ?? null,
  };
}
