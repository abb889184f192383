import { describe, expect, it } from 'vitest';
import { csvCell, resultsCsv, votesCsv } from './csv.ts';
import { results } from './results.ts';
import { recount } from './tally.ts';
import { ballotOf, makePoll } from './test-builders.ts';
import type { Poll, VoterBallot } from './types.ts';

const named = (poll: Poll, votes: Array<[string, unknown]>): VoterBallot[] => votes.map(([voterName, vote]) => ({ voterName, ballot: ballotOf(poll, vote) }));

describe('CSV exports', () => {
  it('quotes fields per RFC 4180', () => {
    expect(['plain', 'a,b', 'say "hi"', 'two\nlines', 3.5, null].map(csvCell)).toEqual(['plain', '"a,b"', '"say ""hi"""', '"two\nlines"', '3.5', '']);
  });

  it('defuses text a spreadsheet would run as a formula, but not numbers', () => {
    expect(['=SUM(A1)', '+1', '-cmd', '@x', '\tx', -3].map(csvCell)).toEqual(["'=SUM(A1)", "'+1", "'-cmd", "'@x", "'\tx", '-3']);
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
  });

  it('writes poll results as one row per option, with pass tests when there are any', () => {
    // Prepare
    const poll = makePoll('proposal', { passTests: [{ option: 'agree', comparator: 'gte', percent: 50, of: 'votes' }] });
    const ballots = named(poll, [['Ann', { choices: { option: 'agree' } }], ['Bob', { choices: { option: 'block' } }]]);
    const result = results(poll, recount(poll, ballots.map((b) => b.ballot)), { eligibleVoters: 4 });

    // Act
    const csv = resultsCsv(poll, result);

    // Assess
    expect(csv).toBe(
      [
        'Option,Total,Voters,% of votes,% of eligible voters,Rank,Pass test',
        'Agree,1,1,50,25,1,pass',
        'Abstain,0,0,0,0,3,',
        'Disagree,0,0,0,0,3,',
        'Block,1,1,50,25,1,',
        '',
      ].join('\r\n'),
    );
  });

  it('writes a meeting as yes, maybe and no per time', () => {
    // Prepare
    const poll = makePoll('meeting');
    const ballots = named(poll, [['Ann', { choices: { answers: { o1: 'yes', o2: 'maybe', o3: 'no' } } }]]);
    const result = results(poll, recount(poll, ballots.map((b) => b.ballot)), { eligibleVoters: 1, ballots });

    // Act, Assess
    expect(resultsCsv(poll, result).split('\r\n').slice(0, 2)).toEqual(['Time,Yes,Maybe,No,Score', '2025-03-01,1,0,0,2']);
    expect(votesCsv(poll, ballots).split('\r\n')[0]).toBe('Voter,2025-03-01,2025-03-01T13:00:00Z,2025-03-02T09:00:00Z,Reason');
    expect(votesCsv(poll, ballots).split('\r\n')[1]).toBe('Ann,yes,maybe,no,');
  });

  it('writes each voter with their choice and reason, names made safe', () => {
    // Prepare
    const poll = makePoll('poll', { options: ['Red', '=Green'], settings: { maxChoices: 2 } });
    const ballots = named(poll, [['=HYPERLINK("x")', { choices: { options: ['o1', 'o2'] }, reason: 'Both, really' }]]);

    // Act
    const csv = votesCsv(poll, ballots);

    // Assess
    expect(csv).toBe(`Voter,Choice,Reason\r\n"'=HYPERLINK(""x"")",Red; =Green,"Both, really"\r\n`);
  });

  it('writes ranks per option for a ranked choice and leaves voters out of an anonymous poll', () => {
    const poll = makePoll('ranked_choice', { options: ['A', 'B', 'C', 'D'], anonymous: true });
    const ballots = named(poll, [['Ann', { choices: { ranking: ['o3', 'o1', 'o2'] } }]]);
    expect(votesCsv(poll, ballots)).toBe('A,B,C,D,Reason\r\n2,3,1,,\r\n');
  });

  it('writes the answers to a question', () => {
    const poll = makePoll('question');
    const ballots = named(poll, [['Ann', { choices: {}, reason: '-1 from me' }]]);
    const result = results(poll, recount(poll, ballots.map((b) => b.ballot)), { eligibleVoters: 2, ballots });
    expect(resultsCsv(poll, result)).toBe("Voter,Answer\r\nAnn,'-1 from me\r\n");
  });
});
