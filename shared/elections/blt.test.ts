import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BltError, parseBlt, serializeBlt } from './blt.ts';
import type { Election } from './types.ts';

const DUNDEE = new URL('../../../shared/elections/dundee2022/', import.meta.url);

const SMALL = `# A test file
# second comment
3 2
-2
4 1 3 0
2 3=1 - 2 0
1 2 0
0
"Ann" "Red Party"
"Bob"
"Cat \\"the\\" Kid"
"Test election"
`;

function parseError(text: string): BltError {
  try {
    parseBlt(text);
  } catch (error) {
    if (error instanceof BltError) return error;
    throw error;
  }
  throw new Error('expected a BltError');
}

describe('parseBlt', () => {
  it('reads comments, header, withdrawn line, weighted ballots, names with parties and the title', () => {
    // Act
    const election = parseBlt(SMALL);

    // Assess
    expect(election).toEqual({
      title: 'Test election',
      seats: 2,
      withdrawn: [1],
      candidates: [{ name: 'Ann', party: 'Red Party' }, { name: 'Bob' }, { name: 'Cat "the" Kid' }],
      ballots: [
        { weight: 4, ranks: [0, 2] },
        { weight: 2, ranks: [[2, 0], [], 1] },
        { weight: 1, ranks: [1] },
      ],
      comments: ['A test file', 'second comment'],
    } satisfies Election);
  });

  it('reads a Dundee ward whose ballot weights add up to the official valid votes', () => {
    // Prepare
    const text = readFileSync(new URL('dundee22_coldside.blt', DUNDEE), 'utf8');

    // Act
    const election = parseBlt(text);

    // Assess
    expect(election.title).toBe('Ward 4 - Coldside');
    expect(election.seats).toBe(4);
    expect(election.candidates).toHaveLength(9);
    expect(election.candidates[0]).toEqual({ name: 'Scott AGNEW', party: 'Alba Party for independence' });
    expect(election.ballots.reduce((sum, b) => sum + b.weight, 0)).toBe(5589);
  });

  it.each([
    ['a header that is not two numbers', '# c\nnine 4\n', 2, "a header '<candidates> <seats>'"],
    ['more seats than candidates', '2 3\n0\n"A"\n"B"\n"T"\n', 1, 'a number of seats between 1 and 2'],
    ['a withdrawn number out of range', '2 1\n-3\n0\n"A"\n"B"\n"T"\n', 2, 'withdrawn candidate numbers between -1 and -2'],
    ['a ballot line without the closing 0', '2 1\n1 1 2\n0\n"A"\n"B"\n"T"\n', 2, 'a ballot line ending in 0'],
    ['a zero weight', '2 1\n1 1 0\n0 1 2 0\n0\n"A"\n"B"\n"T"\n', 3, 'a ballot line starting with a positive whole-number weight'],
    ['a preference for a candidate who does not exist', '2 1\n1 3 0\n0\n"A"\n"B"\n"T"\n', 2, 'candidate numbers between 1 and 2'],
    ['a preference that is not a number', '2 1\n1 x 0\n0\n"A"\n"B"\n"T"\n', 2, "a ballot line ending in 0 (preferences are numbers, '-' or '2=3')"],
    ['no 0 line after the ballots', '2 1\n1 1 0\n', 3, 'a ballot line or the 0 line ending the ballots, found end of file'],
    ['an unquoted candidate name', '2 1\n1 1 0\n0\nAnn\n"B"\n"T"\n', 4, 'a quoted candidate name, optionally followed by a quoted party (candidate 1 of 2)'],
    ['a missing candidate line', '2 1\n1 1 0\n0\n"A"\n', 5, 'a quoted candidate name, optionally followed by a quoted party (candidate 2 of 2), found end of file'],
    ['a repeated candidate name', '2 1\n1 1 0\n0\n"A"\n"A"\n"T"\n', 5, 'a candidate name not used before ("A" is repeated)'],
    ['a missing title', '2 1\n1 1 0\n0\n"A"\n"B"', 6, 'the quoted election title, found end of file'],
    ['an unquoted title', '2 1\n1 1 0\n0\n"A"\n"B"\nTitle\n', 6, 'the quoted election title'],
    ['text after the title', '2 1\n1 1 0\n0\n"A"\n"B"\n"T"\n3 4\n', 7, 'end of file after the title'],
  ])('rejects %s with a BltError naming the line', (_, text, line, expected) => {
    // Act
    const error = parseError(text);

    // Assess
    expect(error.line).toBe(line);
    expect(error.expected).toBe(expected);
    expect(error.message).toBe(`line ${line}: expected ${expected}`);
  });
});

describe('serializeBlt', () => {
  it('round-trips the hand-written file with ties, skipped ranks and escaped quotes', () => {
    // Prepare
    const election = parseBlt(SMALL);

    // Act
    const again = parseBlt(serializeBlt(election));

    // Assess
    expect(again).toEqual(election);
  });

  it.each(readdirSync(DUNDEE).filter((f) => f.endsWith('.blt')))('round-trips %s', (file) => {
    // Prepare
    const election = parseBlt(readFileSync(new URL(file, DUNDEE), 'utf8'));

    // Act
    const again = parseBlt(serializeBlt(election));

    // Assess
    expect(again).toEqual(election);
  });

  it('round-trips any election the parser can produce', () => {
    // Each candidate at most once per ballot: alone at a rank, tied with the rank before, or after a skipped rank.
    const rankingArb = (n: number) =>
      fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: n }).chain((order) =>
        fc.array(fc.constantFrom('alone', 'tied', 'after-skip'), { minLength: order.length, maxLength: order.length }).map((shapes) => {
          const ranks: (number | number[])[] = [];
          order.forEach((c, i) => {
            const previous = ranks[ranks.length - 1];
            if (shapes[i] === 'tied' && typeof previous === 'number') ranks[ranks.length - 1] = [previous, c];
            else if (shapes[i] === 'tied' && Array.isArray(previous) && previous.length > 0) previous.push(c);
            else {
              if (shapes[i] === 'after-skip') ranks.push([]);
              ranks.push(c);
            }
          });
          return ranks;
        }),
      );
    const electionArb = fc.integer({ min: 2, max: 6 }).chain((n) =>
      fc.record({
        title: fc.string(),
        seats: fc.integer({ min: 1, max: n }),
        candidates: fc.uniqueArray(fc.string({ minLength: 1 }).filter((s) => s.trim() !== '' && !/[\r\n]/.test(s)), { minLength: n, maxLength: n }).map((names) => names.map((name, i) => (i % 2 ? { name, party: `P${i}` } : { name }))),
        withdrawn: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: n }),
        ballots: fc.array(
          fc.record({
            weight: fc.integer({ min: 1, max: 1000 }),
            ranks: rankingArb(n),
          }),
        ),
      }),
    );
    fc.assert(
      fc.property(electionArb.filter((e) => !/[\r\n]/.test(e.title)), (election: Election) => {
        expect(parseBlt(serializeBlt(election))).toEqual(election);
      }),
    );
  });
});
