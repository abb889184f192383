import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankCount } from './poll.ts';
import {
  applyDelta,
  ballotDelta,
  deltaToAdds,
  emptyTally,
  fromStoredTally,
  optionIdOfKey,
  recount,
  tallyKey,
  toStoredTally,
  voteChangeAdds,
} from './tally.ts';
import { ballotOf, makePoll } from './test-builders.ts';
import type { Ballot, Poll, Tally } from './types.ts';

// Ids an encoding could confuse: `-` against `_`, and `_` followed by the escape digits.
const awkwardOptions = [
  { id: 'a-b', name: 'dash' },
  { id: 'a_b', name: 'underscore' },
  { id: 'a_1', name: 'underscore one' },
  { id: 'a__b', name: 'two underscores' },
];

const polls: Poll[] = [
  makePoll('proposal'),
  makePoll('check'),
  makePoll('count'),
  makePoll('poll'),
  makePoll('poll', { options: ['a', 'b', 'c', 'd'], settings: { minChoices: 1, maxChoices: 3 } }),
  { ...makePoll('poll', { options: ['x', 'y', 'z', 'w'], settings: { maxChoices: 2 } }), options: awkwardOptions },
  makePoll('dot_vote'),
  makePoll('score', { settings: { min: -2, max: 5 } }),
  makePoll('ranked_choice', { noneOfTheAbove: true }),
  { ...makePoll('ranked_choice', { options: ['x', 'y', 'z', 'w'] }), options: awkwardOptions },
  makePoll('meeting'),
  makePoll('meeting', { settings: { allowMaybe: false } }),
  makePoll('question'),
  makePoll('election', { settings: { method: 'schulze' } }),
];

/** Votes that validateVote accepts, one generator per poll type. */
function voteArb(poll: Poll): fc.Arbitrary<unknown> {
  const ids = poll.options.map((o) => o.id);
  switch (poll.type) {
    case 'proposal':
    case 'check':
    case 'count':
      return fc.constantFrom(...ids).map((option) => ({ choices: { option } }));
    case 'poll':
      if (poll.settings.maxChoices === 1) return fc.constantFrom(...ids).map((option) => ({ choices: { option } }));
      return fc.shuffledSubarray(ids, { minLength: poll.settings.minChoices, maxLength: poll.settings.maxChoices }).map((options) => ({ choices: { options } }));
    case 'dot_vote':
      return fc.array(fc.constantFrom(...ids), { minLength: 1, maxLength: poll.settings.dots }).map((picks) => {
        const scores: Record<string, number> = {};
        for (const id of picks) scores[id] = (scores[id] ?? 0) + 1;
        return { choices: { scores } };
      });
    case 'score': {
      const { min, max } = poll.settings;
      return fc
        .shuffledSubarray(ids, { minLength: 1 })
        .chain((scored) => fc.tuple(...scored.map((id) => fc.integer({ min, max }).map((n) => [id, n] as const))))
        .map((entries) => ({ choices: { scores: Object.fromEntries(entries) } }));
    }
    case 'ranked_choice':
      return fc.shuffledSubarray(ids, { minLength: rankCount(poll), maxLength: rankCount(poll) }).map((ranking) => ({ choices: { ranking } }));
    case 'election':
      return fc.shuffledSubarray(ids, { minLength: 1 }).map((ranking) => ({ choices: { ranking } }));
    case 'meeting': {
      const answers = fc.constantFrom(...(poll.settings.allowMaybe ? (['yes', 'maybe', 'no'] as const) : (['yes', 'no'] as const)));
      return fc.tuple(...ids.map((id) => answers.map((a) => [id, a] as const))).map((entries) => ({ choices: { answers: Object.fromEntries(entries) } }));
    }
    case 'question':
      return fc.constantFrom('Friday works', 'Not before noon', 'Any day').map((reason) => ({ choices: {}, reason }));
  }
}

/** A stand-in for DynamoDB: `SET path = if_not_exists(path, 0) + n` on each flat path. */
function applyAdds(stored: Tally, adds: Record<string, number>): Tally {
  const copy = structuredClone(stored) as unknown as Record<string, unknown>;
  for (const [path, n] of Object.entries(adds)) {
    expect(path).toMatch(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/);
    const segments = path.split('.');
    let node = copy;
    for (const segment of segments.slice(0, -1)) node = node[segment] as Record<string, unknown>;
    const leaf = segments.at(-1)!;
    node[leaf] = ((node[leaf] as number | undefined) ?? 0) + n;
  }
  return copy as unknown as Tally;
}

describe('tallies', () => {
  it('counts a ranked ballot as Borda points: position i of K scores K − i', () => {
    // Prepare
    const poll = makePoll('ranked_choice');
    const ballot = ballotOf(poll, { choices: { ranking: ['o2', 'o1', 'o4'] } });

    // Act
    const delta = ballotDelta(poll, ballot);

    // Assess
    expect(delta).toEqual({ voters: 1, options: { o2: { total: 3, voters: 1 }, o1: { total: 2, voters: 1 }, o4: { total: 1, voters: 1 } } });
  });

  it('scores a meeting answer as yes 2, maybe 1, no 0 and counts each answer', () => {
    // Prepare
    const poll = makePoll('meeting');
    const ballot = ballotOf(poll, { choices: { answers: { o1: 'yes', o2: 'maybe', o3: 'no' } } });

    // Act
    const delta = ballotDelta(poll, ballot);

    // Assess
    expect(delta.options).toEqual({ o1: { total: 2, voters: 1 }, o2: { total: 1, voters: 1 }, o3: { total: 0, voters: 0 } });
    expect(delta.meeting).toEqual({ o1: { yes: 1, maybe: 0, no: 0 }, o2: { yes: 0, maybe: 1, no: 0 }, o3: { yes: 0, maybe: 0, no: 1 } });
  });

  it('keeps first preferences of an election ballot and who ranked each candidate', () => {
    const poll = makePoll('election');
    expect(ballotDelta(poll, ballotOf(poll, { choices: { ranking: ['o3', 'o1'] } }))).toEqual({
      voters: 1,
      options: { o3: { total: 1, voters: 1 }, o1: { total: 0, voters: 1 } },
    });
  });

  it('flattens a delta to safe add paths, encoding _ and - in option ids and leaving out zeros', () => {
    // Prepare
    const delta: Tally = {
      voters: 1,
      options: { 'a-b': { total: 2, voters: 1 }, a_b: { total: 0, voters: 1 } },
      meeting: { 'a-b': { yes: 1, maybe: 0, no: 0 } },
    };

    // Act
    const adds = deltaToAdds(delta);

    // Assess
    expect(adds).toEqual({ voters: 1, 'options.a_1b.total': 2, 'options.a_1b.voters': 1, 'options.a_0b.voters': 1, 'meeting.a_1b.yes': 1 });
  });

  it('encodes option ids one-to-one', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), { minLength: 2, maxLength: 20 }), (ids) => {
        const keys = ids.map(tallyKey);
        expect(new Set(keys).size).toBe(ids.length);
        for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_]+$/);
        expect(keys.map(optionIdOfKey)).toEqual(ids);
      }),
    );
  });

  it('adds nothing when a voter casts the same vote again, and only the difference when they change it', () => {
    // Prepare
    const poll = makePoll('poll');
    const red = ballotOf(poll, { choices: { option: 'o1' } });
    const blue = ballotOf(poll, { choices: { option: 'o3' } });

    // Act, Assess
    expect(voteChangeAdds(poll, red, red)).toEqual({});
    expect(voteChangeAdds(poll, red, blue)).toEqual({ 'options.o1.total': -1, 'options.o1.voters': -1, 'options.o3.total': 1, 'options.o3.voters': 1 });
    expect(voteChangeAdds(poll, null, red)).toEqual({ voters: 1, 'options.o1.total': 1, 'options.o1.voters': 1 });
    expect(voteChangeAdds(poll, red, null)).toEqual({ voters: -1, 'options.o1.total': -1, 'options.o1.voters': -1 });
  });

  it('leaves the tally it is given untouched', () => {
    const poll = makePoll('meeting');
    const tally = emptyTally(poll);
    const before = structuredClone(tally);
    applyDelta(tally, ballotDelta(poll, ballotOf(poll, { choices: { answers: { o1: 'yes', o2: 'yes', o3: 'no' } } })), 1);
    expect(tally).toEqual(before);
  });

  it.each(polls.map((poll) => [`${poll.type} (${poll.options.map((o) => o.id).join(' ')})`, poll] as const))(
    'matches a recount after any sequence of votes, changes and withdrawals: %s',
    (_, poll) => {
      const op = fc.record({ voter: fc.integer({ min: 0, max: 5 }), vote: fc.option(voteArb(poll), { nil: null, freq: 4 }) });
      fc.assert(
        fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
          // Prepare
          const latest = new Map<number, Ballot>();
          let incremental = emptyTally(poll);
          let stored = toStoredTally(emptyTally(poll));

          // Act
          for (const { voter, vote } of ops) {
            const previous = latest.get(voter) ?? null;
            const next = vote === null ? null : ballotOf(poll, vote);
            if (previous) incremental = applyDelta(incremental, ballotDelta(poll, previous), -1);
            if (next) incremental = applyDelta(incremental, ballotDelta(poll, next), 1);
            stored = applyAdds(stored, voteChangeAdds(poll, previous, next));
            if (next) latest.set(voter, next);
            else latest.delete(voter);
          }

          // Assess
          const expected = recount(poll, latest.values());
          expect(incremental).toEqual(expected);
          expect(fromStoredTally(stored)).toEqual(expected);
          expect(JSON.parse(JSON.stringify(incremental))).toEqual(incremental);
        }),
        { numRuns: 150 },
      );
    },
  );
});
