import type { PollFacts } from '../../../../shared/permissions/polls.ts';
import type { Volume } from '../../../../shared/schemas/notifications.ts';
import type { Answer, PassTest, Poll, PollOption, PollResults, PollType, ReasonSetting, StartPoll } from './types.ts';
import { call } from '../api.ts';

// The polls capability as the browser sees it. Imported only by poll routes, so no other page
// (and not the signed-out entry page) loads it.

export interface Person {
  id: string;
  name: string | null;
}

export interface Outcome {
  id: string;
  statement: string;
  statementHtml: string;
  optionId: string | null;
  reviewOn: string | null;
  event: { start: string; durationMinutes: number; location?: string } | null;
  author: Person;
  createdAt: string;
  inviteUrl: string | null;
  /** Stated before the poll was last reopened (only in a poll's own view). */
  beforeReopening?: boolean;
}

/** `GET /api/polls/{id}`: see functions/polls/views.ts. */
export interface PollView {
  id: string;
  groupId: string;
  discussionId: string | null;
  type: PollType;
  title: string;
  details: string;
  detailsHtml: string;
  options: PollOption[];
  settings: Record<string, unknown>;
  reasonSetting: ReasonSetting;
  anonymous: boolean;
  hideResults: 'off' | 'until_voted' | 'until_closed';
  specifiedVotersOnly: boolean;
  closingAt: string | null;
  closedAt: string | null;
  quorumPercent: number | null;
  passTests: PassTest[];
  noneOfTheAbove: boolean;
  closingSoonNotify: Poll['closingSoonNotify'];
  status: 'draft' | 'open' | 'closed';
  author: Person;
  createdAt: string;
  /** In a poll that gives receipts, null except in the answer to the vote itself: only the receipt finds it. */
  myVote: { choices: Record<string, unknown>; reason: string | null } | null;
  /** The viewer has a ballot in this poll (in an anonymous one, whether or not this browser can find it). */
  hasVoted: boolean;
  /** Anonymous polls: a vote answers with a receipt, and changing or withdrawing it needs that receipt. */
  usesReceipts: boolean;
  /** The member's own volume for this poll; null: their group volume applies. */
  myVolume: Volume | null;
  canVote: boolean;
  canSeeVotes: boolean;
  results: PollResults | null;
  resultsHiddenUntil: 'voted' | 'closed' | null;
  outcome: Outcome | null;
}

export interface PollSummary {
  id: string;
  type: PollType;
  title: string;
  status: 'draft' | 'open' | 'closed';
  closingAt: string | null;
  closedAt: string | null;
  anonymous: boolean;
  /** Null while the reader may not see the results. */
  voters: number | null;
  discussionId: string | null;
  author: Person;
}

export interface CastVote {
  voter: Person;
  choices: Record<string, unknown>;
  reason: string | null;
  castAt: string | null;
}

/** `PUT /api/polls/{id}/vote`: the poll, and in a poll with receipts the ballot's receipt (`ABCD-EFGH-…`). */
export type VoteAnswer = PollView & { receipt?: string | null };

/** One ballot of the list an anonymous poll publishes when it closes: its receipt's SHA-256, and what it says. */
export interface PublishedBallot {
  fingerprint: string;
  choices: Record<string, unknown>;
  reason: string | null;
}

export interface Page<T> {
  items: T[];
  cursor: string | null;
}

export interface OutcomeInput {
  statement: string;
  optionId?: string | null;
  reviewOn?: string | null;
  event?: { start: string; durationMinutes: number; location?: string } | null;
}

const path = encodeURIComponent;

export const pollsApi = {
  create: (input: StartPoll) => call<PollView>('POST', '/polls', input),
  get: (id: string, fetcher?: typeof fetch) => call<PollView>('GET', `/polls/${path(id)}`, undefined, fetcher),
  list: (groupId: string, status: 'open' | 'closed', cursor?: string | null) =>
    call<Page<PollSummary>>('GET', `/groups/${path(groupId)}/polls?status=${status}${cursor ? `&cursor=${path(cursor)}` : ''}`),
  /** `receipt` only in a poll with receipts, and only to change a vote already cast. */
  vote: (id: string, vote: { choices: unknown; reason?: string | null; receipt?: string }) => call<VoteAnswer>('PUT', `/polls/${path(id)}/vote`, vote),
  withdraw: (id: string, receipt?: string) => call<void>('DELETE', `/polls/${path(id)}/vote`, receipt === undefined ? undefined : { receipt }),
  /** The ballot a receipt names: how a voter sees their anonymous vote on reload or on another device. */
  lookupReceipt: (id: string, receipt: string) =>
    call<{ fingerprint: string; myVote: { choices: Record<string, unknown>; reason: string | null } }>('POST', `/polls/${path(id)}/receipt`, { receipt }),
  ballots: (id: string, cursor?: string | null) => call<Page<PublishedBallot>>('GET', `/polls/${path(id)}/ballots${cursor ? `?cursor=${path(cursor)}` : ''}`),
  votes: (id: string, cursor?: string | null) => call<Page<CastVote>>('GET', `/polls/${path(id)}/votes${cursor ? `?cursor=${path(cursor)}` : ''}`),
  close: (id: string) => call<PollView>('POST', `/polls/${path(id)}/close`),
  reopen: (id: string, closingAt: string) => call<PollView>('POST', `/polls/${path(id)}/reopen`, { closingAt }),
  remind: (id: string, audience: 'undecided' | 'voters' | 'everyone') => call<unknown>('POST', `/polls/${path(id)}/remind`, { audience }),
  update: (id: string, input: { title?: string; details?: string; closingAt?: string; anonymous?: boolean; hideResults?: PollView['hideResults'] }) =>
    call<PollView>('PATCH', `/polls/${path(id)}`, input),
  outcome: (id: string, input: OutcomeInput) => call<Outcome>('POST', `/polls/${path(id)}/outcome`, input),
};

export const resultsCsvUrl = (id: string) => `/api/polls/${path(id)}/results.csv`;
export const ballotsBltUrl = (id: string) => `/api/polls/${path(id)}/ballots.blt`;

/** Poll ids are `<groupId>.<pollId>`: the group is known before the poll loads. */
export const groupIdOfPoll = (id: string) => id.split('.')[0] ?? '';

/** The facts the shared poll rules need, from what the API says about a poll. */
export const pollFacts = (poll: PollView): PollFacts => ({
  authorId: poll.author.id,
  anonymous: poll.anonymous,
  hideResults: poll.hideResults,
  specifiedVotersOnly: poll.specifiedVotersOnly,
  status: poll.status,
});

/** The poll as the shared library reads it, for `validateVote`, `choiceShape` and `results`. */
export const libraryPoll = (poll: PollView): Poll => poll as unknown as Poll;

export type { Answer };
