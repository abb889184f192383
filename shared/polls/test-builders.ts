import { buildPoll } from './poll.ts';
import { CreatePoll } from './schemas.ts';
import type { Ballot, CreatePollInput, Poll, PollOf, PollType } from './types.ts';
import { validateVote } from './validate.ts';

const defaultOptions: Partial<Record<PollType, unknown>> = {
  poll: ['Red', 'Green', 'Blue'],
  dot_vote: ['Red', 'Green', 'Blue'],
  score: ['Red', 'Green', 'Blue'],
  ranked_choice: ['A', 'B', 'C', 'D'],
  meeting: ['2025-03-02T09:00:00Z', '2025-03-01', '2025-03-01T14:00:00+01:00'],
  election: ['Ann', 'Bob', 'Cat', 'Dan'],
};

/** A built poll of `type` from the create schema, so tests go through the same defaults as the API. */
export function makePoll<T extends PollType>(type: T, overrides: Record<string, unknown> = {}): PollOf<T> {
  const input = {
    type,
    title: `A ${type}`,
    ...(defaultOptions[type] ? { options: defaultOptions[type] } : {}),
    ...(type === 'election' ? { settings: { method: 'stv-scottish' } } : {}),
    ...overrides,
  } as CreatePollInput;
  return buildPoll(CreatePoll.parse(input)) as PollOf<T>;
}

/** The ballot of a vote that must be valid; throws with the broken rules otherwise. */
export function ballotOf(poll: Poll, vote: unknown): Ballot {
  const result = validateVote(poll, vote);
  if (!result.ok) throw new Error(`invalid vote: ${JSON.stringify(result.fields)}`);
  return result.ballot;
}
