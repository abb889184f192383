import { describe, expect, it } from 'vitest';
import { results, round2 } from './results.ts';
import { recount } from './tally.ts';
import { ballotOf, makePoll } from './test-builders.ts';
import type { Poll, VoterBallot } from './types.ts';

/** Casts each vote as a voter named v1, v2, … and returns the tally input and the named ballots. */
function cast(poll: Poll, votes: unknown[]): { tally: ReturnType<typeof recount>; ballots: VoterBallot[] } {
  const ballots = votes.map((vote, i) => ({ voterName: `v${i + 1}`, ballot: ballotOf(poll, vote) }));
  return { tally: recount(poll, ballots.map((b) => b.ballot)), ballots };
}

const pick = (option: string) => ({ choices: { option } });
const byName = (r: ReturnType<typeof results>) => Object.fromEntries(r.options.map((o) => [o.name, o]));

describe('results', () => {
  it('gives ranked choice K = 3 ballots A>B>C and B>A>D the Borda totals A 5, B 5, C 1, D 1', () => {
    // Prepare
    const poll = makePoll('ranked_choice', { options: ['A', 'B', 'C', 'D'], settings: { rankCount: 3 } });
    const { tally } = cast(poll, [{ choices: { ranking: ['o1', 'o2', 'o3'] } }, { choices: { ranking: ['o2', 'o1', 'o4'] } }]);

    // Act
    const result = results(poll, tally, { eligibleVoters: 2 });

    // Assess
    expect(result.totalOfTotals).toBe(12);
    expect(result.options.map((o) => [o.name, o.total, o.percentOfVotes, o.average, o.rank])).toEqual([
      ['A', 5, 41.67, 2.5, 1],
      ['B', 5, 41.67, 2.5, 1],
      ['C', 1, 8.33, 1, 3],
      ['D', 1, 8.33, 1, 3],
    ]);
  });

  it('shows a proposal as count and % of votes per option, % of eligible voters, undecided, pass tests and quorum', () => {
    // Prepare
    const poll = makePoll('proposal', {
      quorumPercent: 50,
      passTests: [
        { option: 'agree', comparator: 'gte', percent: 50, of: 'votes' },
        { option: 'block', comparator: 'lte', percent: 5, of: 'voters' },
      ],
    });
    const { tally } = cast(poll, [pick('agree'), pick('agree'), pick('disagree'), pick('block')]);

    // Act
    const result = results(poll, tally, { eligibleVoters: 10 });

    // Assess
    const { Agree, Abstain, Block } = byName(result);
    expect(Agree).toMatchObject({ total: 2, percentOfVotes: 50, percentOfEligible: 20, average: null, passTest: { value: 50, passed: true } });
    expect(Abstain).toMatchObject({ total: 0, percentOfVotes: 0, passTest: null });
    expect(Block).toMatchObject({ total: 1, percentOfEligible: 10, passTest: { comparator: 'lte', of: 'voters', value: 10, passed: false } });
    expect(result.options.map((o) => o.name)).toEqual(['Agree', 'Abstain', 'Disagree', 'Block']);
    expect(result).toMatchObject({ voters: 4, eligibleVoters: 10, undecided: 6, quorum: { percent: 50, reached: false, votesNeeded: 1 } });
  });

  it('shows a check as the share of voters per option', () => {
    // Prepare
    const poll = makePoll('check');
    const { tally } = cast(poll, [pick('looks_good'), pick('looks_good'), pick('concerned')]);

    // Act
    const result = results(poll, tally, { eligibleVoters: 3 });

    // Assess
    expect(result.options.map((o) => [o.id, o.percentOfVotes])).toEqual([
      ['looks_good', 66.67],
      ['not_sure', 0],
      ['concerned', 33.33],
    ]);
    expect(result.undecided).toBe(0);
  });

  it('shows a count as yes against the target', () => {
    // Prepare
    const poll = makePoll('count', { settings: { target: 3 } });
    const two = cast(poll, [pick('yes'), pick('no'), pick('yes')]);
    const three = cast(poll, [pick('yes'), pick('yes'), pick('yes')]);

    // Act, Assess
    expect(results(poll, two.tally, { eligibleVoters: 20 }).count).toEqual({ yes: 2, target: 3, reached: false });
    expect(results(poll, three.tally, { eligibleVoters: 20 }).count).toEqual({ yes: 3, target: 3, reached: true });
    expect(results(makePoll('count'), two.tally, { eligibleVoters: 20 }).count?.target).toBe(5);
  });

  it('sorts a multiple-choice poll by votes, keeping option order between equals', () => {
    // Prepare
    const poll = makePoll('poll', { options: ['Red', 'Green', 'Blue', 'Grey'], settings: { maxChoices: 2 } });
    const { tally } = cast(poll, [{ choices: { options: ['o2', 'o3'] } }, { choices: { options: ['o2', 'o1'] } }, { choices: { options: ['o2', 'o3'] } }]);

    // Act
    const result = results(poll, tally, { eligibleVoters: 4 });

    // Assess
    expect(result.options.map((o) => [o.name, o.total, o.percentOfVotes, o.percentOfEligible, o.rank])).toEqual([
      ['Green', 3, 50, 75, 1],
      ['Blue', 2, 33.33, 50, 2],
      ['Red', 1, 16.67, 25, 3],
      ['Grey', 0, 0, 0, 4],
    ]);
  });

  it('shows a dot vote as dots, % and the average per voter who dotted the option', () => {
    // Prepare
    const poll = makePoll('dot_vote', { options: ['Red', 'Green', 'Blue'] });
    const { tally } = cast(poll, [{ choices: { scores: { o1: 5, o2: 3 } } }, { choices: { scores: { o1: 2, o3: 6 } } }]);

    // Act
    const result = results(poll, tally, { eligibleVoters: 2 });

    // Assess
    expect(result.options.map((o) => [o.name, o.total, o.percentOfVotes, o.average])).toEqual([
      ['Red', 7, 43.75, 3.5],
      ['Green', 3, 18.75, 3],
      ['Blue', 6, 37.5, 6],
    ]);
  });

  it('shows a score poll as total and average of the scores given', () => {
    // Prepare
    const poll = makePoll('score', { options: ['Red', 'Green', 'Blue'] });
    const { tally } = cast(poll, [{ choices: { scores: { o1: 4, o2: 2 } } }, { choices: { scores: { o1: 5, o2: 0 } } }]);

    // Act
    const result = results(poll, tally, { eligibleVoters: 5 });

    // Assess
    expect(result.options.map((o) => [o.name, o.total, o.voters, o.average])).toEqual([
      ['Red', 9, 2, 4.5],
      ['Green', 2, 2, 1],
      ['Blue', 0, 0, 0],
    ]);
    expect(result.undecided).toBe(3);
  });

  it('shows a meeting as a grid of who can attend with yes, maybe and no totals, and no undecided', () => {
    // Prepare
    const poll = makePoll('meeting');
    const { tally, ballots } = cast(poll, [
      { choices: { answers: { o1: 'yes', o2: 'maybe', o3: 'no' } } },
      { choices: { answers: { o1: 'yes', o2: 'no', o3: 'yes' } } },
    ]);

    // Act
    const result = results(poll, tally, { eligibleVoters: 5, ballots });

    // Assess
    expect(result.undecided).toBeNull();
    expect(result.options.map((o) => [o.name, o.answers, o.total])).toEqual([
      ['2025-03-01', { yes: 2, maybe: 0, no: 0 }, 4],
      ['2025-03-01T13:00:00Z', { yes: 0, maybe: 1, no: 1 }, 1],
      ['2025-03-02T09:00:00Z', { yes: 1, maybe: 0, no: 1 }, 2],
    ]);
    expect(result.meetingGrid).toEqual([
      { voterName: 'v1', answers: { o1: 'yes', o2: 'maybe', o3: 'no' } },
      { voterName: 'v2', answers: { o1: 'yes', o2: 'no', o3: 'yes' } },
    ]);
  });

  it('shows no per-voter grid for an anonymous meeting poll', () => {
    const poll = makePoll('meeting', { anonymous: true });
    const { tally, ballots } = cast(poll, [{ choices: { answers: { o1: 'yes', o2: 'yes', o3: 'yes' } } }]);
    expect(results(poll, tally, { eligibleVoters: 1, ballots }).meetingGrid).toBeNull();
  });

  it('lists the answers to a question, without names when the poll is anonymous', () => {
    // Prepare
    const named = makePoll('question');
    const anonymous = makePoll('question', { anonymous: true });
    const votes = [{ choices: {}, reason: 'Tuesdays suit me' }, { choices: {}, reason: 'Any evening' }];

    // Act
    const shown = results(named, cast(named, votes).tally, { eligibleVoters: 3, ballots: cast(named, votes).ballots });
    const hidden = results(anonymous, cast(anonymous, votes).tally, { eligibleVoters: 3, ballots: cast(anonymous, votes).ballots });

    // Assess
    expect(shown.answers).toEqual([
      { voterName: 'v1', reason: 'Tuesdays suit me' },
      { voterName: 'v2', reason: 'Any evening' },
    ]);
    expect(hidden.answers).toEqual([
      { voterName: null, reason: 'Tuesdays suit me' },
      { voterName: null, reason: 'Any evening' },
    ]);
    expect(shown.undecided).toBe(1);
  });

  it('counts an election with shared/elections from the ballots, candidates in option order', () => {
    // Prepare
    const poll = makePoll('election', { options: ['Ann', 'Bob', 'Cat'], settings: { method: 'irv' } });
    const { tally, ballots } = cast(poll, [
      { choices: { ranking: ['o1', 'o2'] } },
      { choices: { ranking: ['o2', 'o1'] } },
      { choices: { ranking: ['o3', 'o2'] } },
      { choices: { ranking: ['o2'] } },
      { choices: { ranking: ['o1', 'o3'] } },
    ]);

    // Act
    const result = results(poll, tally, { eligibleVoters: 5, ballots });

    // Assess: Cat goes out first and her ballot moves to Bob, who then has 3 of 5.
    expect(result.election).toMatchObject({ method: 'irv', winner: 'Bob', elected: ['Bob'], valid_votes: 5 });
    expect(result.electionError).toBeNull();
    expect(byName(result)['Ann']).toMatchObject({ total: 2, voters: 3 });
  });

  it('fills two seats by STV and explains why an election without ballots has no count', () => {
    // Prepare
    const poll = makePoll('election', { settings: { method: 'stv-scottish', seats: 2 } });
    const { tally, ballots } = cast(poll, [
      { choices: { ranking: ['o1', 'o2'] } },
      { choices: { ranking: ['o1', 'o2'] } },
      { choices: { ranking: ['o3'] } },
      { choices: { ranking: ['o3', 'o4'] } },
      { choices: { ranking: ['o1'] } },
    ]);

    // Act
    const counted = results(poll, tally, { eligibleVoters: 5, ballots });
    const empty = results(poll, recount(poll, []), { eligibleVoters: 5, ballots: [] });

    // Assess
    expect(counted.election?.elected).toEqual(['Ann', 'Cat']);
    expect(empty).toMatchObject({ election: null, electionError: 'No ballots have been cast yet.' });
    expect(results(poll, tally, { eligibleVoters: 5 }).election).toBeNull();
  });

  it('counts the quorum against eligible voters: votes needed = ceil(quorum × eligible) − voters', () => {
    // Prepare
    const poll = makePoll('proposal', { quorumPercent: 30 });
    const { tally } = cast(poll, [pick('agree'), pick('agree')]);

    // Act, Assess
    expect(results(poll, tally, { eligibleVoters: 10 }).quorum).toEqual({ percent: 30, reached: false, votesNeeded: 1 });
    expect(results(poll, tally, { eligibleVoters: 6 }).quorum).toEqual({ percent: 30, reached: true, votesNeeded: 0 });
    expect(results(poll, tally, { eligibleVoters: 7 }).quorum).toEqual({ percent: 30, reached: false, votesNeeded: 1 });
    expect(results(makePoll('proposal'), tally, { eligibleVoters: 7 }).quorum).toBeNull();
  });

  it('shows zero percentages, not NaN, before anyone votes', () => {
    const poll = makePoll('poll');
    const result = results(poll, recount(poll, []), { eligibleVoters: 0 });
    expect(result.options.every((o) => o.percentOfVotes === 0 && o.percentOfEligible === 0)).toBe(true);
    expect(result.undecided).toBe(0);
  });

  it('rounds percentages half up to 2 decimals', () => {
    expect([round2(1.005), round2(2 / 3), round2(41.666666), round2(0)]).toEqual([1.01, 0.67, 41.67, 0]);
  });
});
