import type { Poll } from '../../shared/polls/index.ts';
import type { PollFacts } from '../../shared/permissions/polls.ts';
import type { Volume } from '../../shared/schemas/notifications.ts';
import { hmac } from '../lib/crypto.ts';
import { getMany, type Key } from '../lib/db.ts';
import { notFound } from '../lib/errors.ts';
import { getSigningKey } from '../lib/secrets.ts';
import type { Actor } from '../lib/session.ts';
import { facts, groupKeys, isActive, type GroupContext, type GroupItem, type MembershipItem } from '../groups/store.ts';
import type { ItemVolumeItem } from '../discussions/store.ts';

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
  /** The poll as the shared library reads it (options with ids, settings, closingAt...). */
  poll: Poll;
  /** Running totals in stored form (`toStoredTally`); changed only together with a ballot. */
  tally: Record<string, unknown>;
  /** With specified voters only: how many were invited. */
  invitedCount: number;
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

export const ballotIdFor = async (pollId: string, userId: string) => hmac(await getSigningKey(), `ballot|${pollId}|${userId}`);

export const pollApiId = (item: Pick<PollItem, 'groupId' | 'pollId'>) => `${item.groupId}.${item.pollId}`;

export function parsePollId(id: string): { groupId: string; pollId: string } {
  const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/.exec(id);
  if (!match) throw notFound('No such poll.');
  return { groupId: match[1]!, pollId: match[2]! };
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
  const ballotId = actor ? await ballotIdFor(pollId, actor.id) : null;
  const [item, group, membership, ballot, voter, invitee, volume] = (await getMany([
    pollKeys.poll(pollId),
    groupKeys.group(groupId),
    ...(actor && ballotId
      ? [groupKeys.membership(groupId, actor.id), pollKeys.ballot(pollId, ballotId), pollKeys.voter(pollId, actor.id), pollKeys.invitee(pollId, actor.id), pollKeys.volume(pollId, actor.id)]
      : []),
  ])) as [PollItem | null, GroupItem | null, MembershipItem | null, BallotItem | null, VoterItem | null, Key | null, ItemVolumeItem | null | undefined];
  if (!item || !group || item.groupId !== groupId) throw notFound('No such poll.');
  const active = isActive(membership ?? null) ? membership! : null;
  return {
    item,
    group,
    facts: facts(group),
    membership: active,
    viewer: { userId: actor?.id ?? null, membership: active ? { role: active.role } : null, parentMembership: null },
    ballot: ballot ?? null,
    hasVoted: Boolean(voter),
    invited: Boolean(invitee),
    ballotId,
    volume: volume?.volume ?? null,
  };
}
