import { count, ElectionError, type Election } from '../elections/index.ts';
import type { Answer, OptionResult, Poll, PollResults, QuorumResult, Tally, VoterBallot } from './types.ts';

export interface ResultsContext {
  /** Members who may vote in this poll, voted or not. */
  eligibleVoters: number;
  /** Latest ballots with voter names: needed for meeting grids, question answers and elections. */
  ballots?: VoterBallot[];
}

/** Rounds to 2 decimals, nudged so 1.005 becomes 1.01 rather than 1.00. */
export function round2(n: number): number {
  return Math.round((n + Number.EPSILON * Math.sign(n)) * 100) / 100;
}

const share = (part: number, whole: number) => (whole === 0 ? 0 : round2((part / whole) * 100));

const averaged = new Set<Poll['type']>(['dot_vote', 'score', 'ranked_choice', 'meeting']);
const sorted = new Set<Poll['type']>(['poll', 'ranked_choice']);

/**
 * What a poll's result shows, from its tally: the same function renders the browser preview
 * and answers the API. Ballots are only read for meeting grids, question answers and elections.
 */
export function results(poll: Poll, tally: Tally, { eligibleVoters, ballots }: ResultsContext): PollResults {
  const voters = tally.voters;
  const totals = poll.options.map((o) => tally.options[o.id] ?? { total: 0, voters: 0 });
  const totalOfTotals = totals.reduce((sum, t) => sum + t.total, 0);
  const ranks = competitionRanks(totals.map((t) => t.total));

  let options: OptionResult[] = poll.options.map((option, i) => {
    const { total, voters: optionVoters } = totals[i]!;
    const percentOfVotes = share(total, totalOfTotals);
    const percentOfEligible = share(optionVoters, eligibleVoters);
    const test = poll.passTests.find((t) => t.optionId === option.id);
    const value = test?.of === 'voters' ? percentOfEligible : percentOfVotes;
    return {
      id: option.id,
      name: option.name,
      total,
      voters: optionVoters,
      percentOfVotes,
      percentOfEligible,
      average: averaged.has(poll.type) ? (optionVoters === 0 ? 0 : round2(total / optionVoters)) : null,
      rank: ranks[i]!,
      passTest: test ? { ...test, value, passed: test.comparator === 'gte' ? value >= test.percent : value <= test.percent } : null,
      answers: poll.type === 'meeting' ? { ...(tally.meeting?.[option.id] ?? { yes: 0, maybe: 0, no: 0 }) } : null,
    };
  });
  if (sorted.has(poll.type)) options = options.map((o, i) => ({ o, i })).sort((a, b) => b.o.total - a.o.total || a.i - b.i).map(({ o }) => o);

  const named = poll.anonymous ? null : ballots;
  return {
    type: poll.type,
    voters,
    eligibleVoters,
    undecided: poll.type === 'meeting' ? null : Math.max(0, eligibleVoters - voters),
    totalOfTotals,
    options,
    quorum: quorum(poll.quorumPercent, voters, eligibleVoters),
    count:
      poll.type === 'count'
        ? { yes: tally.options['yes']?.total ?? 0, target: poll.settings.target, reached: (tally.options['yes']?.total ?? 0) >= poll.settings.target }
        : null,
    meetingGrid:
      poll.type === 'meeting' && named
        ? named.map(({ voterName, ballot }) => ({ voterName, answers: { ...('answers' in ballot.choices ? ballot.choices.answers : {}) } as Record<string, Answer> }))
        : null,
    answers:
      poll.type === 'question' && ballots
        ? ballots.filter(({ ballot }) => ballot.reason).map(({ voterName, ballot }) => ({ voterName: poll.anonymous ? null : voterName, reason: ballot.reason! }))
        : null,
    ...electionResult(poll, ballots),
  };
}

/** 1 for the highest; equal values share the better rank and the next rank skips (1, 1, 3). */
function competitionRanks(values: number[]): number[] {
  return values.map((v) => 1 + values.filter((w) => w > v).length);
}

function quorum(percent: number | null, voters: number, eligible: number): QuorumResult | null {
  if (percent === null) return null;
  // The epsilon keeps a float product like 0.3 × 10 = 3.0000000000000004 from needing a 4th vote.
  const required = Math.ceil((percent * eligible) / 100 - 1e-9);
  const votesNeeded = Math.max(0, required - voters);
  return { percent, reached: votesNeeded === 0, votesNeeded };
}

function electionResult(poll: Poll, ballots: VoterBallot[] | undefined): Pick<PollResults, 'election' | 'electionError'> {
  if (poll.type !== 'election' || !ballots) return { election: null, electionError: null };
  const index = new Map(poll.options.map((o, i) => [o.id, i]));
  const election: Election = {
    title: poll.title,
    candidates: poll.options.map((o) => ({ name: o.name })),
    seats: poll.settings.seats,
    withdrawn: [],
    ballots: ballots.flatMap(({ ballot }) =>
      'ranking' in ballot.choices && ballot.choices.ranking.length > 0 ? [{ weight: 1, ranks: ballot.choices.ranking.map((id) => index.get(id)!) }] : [],
    ),
  };
  // With no ballots every counter would still "elect" by lot; a result page must not show that.
  if (election.ballots.length === 0) return { election: null, electionError: 'No ballots have been cast yet.' };
  try {
    return { election: count(poll.settings.method, election), electionError: null };
  } catch (error) {
    if (error instanceof ElectionError) return { election: null, electionError: error.message };
    throw error;
  }
}
