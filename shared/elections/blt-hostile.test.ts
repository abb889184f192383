import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ElectionError } from './ballots.ts';
import { BltError, MAX_CANDIDATES, MAX_NAME_LENGTH, parseBlt, readBltProfile, serializeBlt } from './blt.ts';
import { count, countProfile } from './index.ts';
import type { Election } from './types.ts';

const SMALL = `# A test file
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

/** A file whose candidate lines and title are the given lines, around two plain ballots. */
const withNames = (...lines: string[]) => `2 1\n1 1 2 0\n1 2 0\n0\n${lines.join('\n')}\n`;

/** The BltError both readers give for `input`; fails the test if either gives anything else. */
function refusal(input: string | Uint8Array): BltError {
  const errors = [() => parseBlt(input), () => readBltProfile(input)].map((read) => {
    try {
      read();
    } catch (error) {
      if (error instanceof BltError) return error;
      throw error;
    }
    throw new Error('expected a BltError');
  });
  expect(errors[1]?.message).toBe(errors[0]?.message);
  return errors[0] as BltError;
}

describe('BLT parser on hostile input', () => {
  describe('repeated candidates', () => {
    it.each([
      ['at two ranks', '1 1 2 1 0', 1],
      ['twice in one tie', '1 2=2 0', 2],
      ['in a tie after ranking them alone', '1 1 2=1 0', 1],
      ['after a skipped rank', '1 2 - 2 0', 2],
    ])('refuses a ballot that ranks a candidate %s, naming the candidate and the line', (_, ballot, candidate) => {
      // Act
      const error = refusal(`2 1\n1 1 0\n${ballot}\n0\n"A"\n"B"\n"T"\n`);

      // Assess
      expect(error.message).toBe(`line 3: expected a ballot that ranks each candidate at most once (candidate ${candidate} is repeated)`);
    });

    it('reports a malformed token before a repeat later on the same line', () => {
      // Act
      const error = refusal('2 1\n1 1 x 1 0\n0\n"A"\n"B"\n"T"\n');

      // Assess
      expect(error.expected).toBe("a ballot line ending in 0 (preferences are numbers, '-' or '2=3')");
    });
  });

  describe('huge input', () => {
    it('answers a 50 MB quoted name with its one-line error, without echoing the name', () => {
      // Prepare
      const text = withNames(`"${'N'.repeat(50 * 1024 * 1024)}"`, '"B"', '"T"');

      // Act
      const error = refusal(text);

      // Assess
      expect(error.message).toBe(`line 5: expected a candidate name and party of at most ${MAX_NAME_LENGTH} characters each (candidate 1 of 2)`);
    });

    it('accepts a name of exactly the longest length, counted in characters rather than UTF-16 units', () => {
      // Prepare: 1,000 emoji are 2,000 UTF-16 units and 4,000 bytes.
      const longest = '🗳'.repeat(MAX_NAME_LENGTH);

      // Act
      const election = parseBlt(withNames(`"${longest}"`, `"${'b'.repeat(MAX_NAME_LENGTH)}"`, '"T"'));

      // Assess
      expect(election.candidates.map((c) => c.name)).toEqual([longest, 'b'.repeat(MAX_NAME_LENGTH)]);
    });

    it.each([
      ['a name', withNames(`"${'a'.repeat(MAX_NAME_LENGTH + 1)}"`, '"B"', '"T"'), 5, `a candidate name and party of at most ${MAX_NAME_LENGTH} characters each (candidate 1 of 2)`],
      ['a party', withNames('"A"', `"B" "${'p'.repeat(MAX_NAME_LENGTH + 1)}"`, '"T"'), 6, `a candidate name and party of at most ${MAX_NAME_LENGTH} characters each (candidate 2 of 2)`],
      ['a title', withNames('"A"', '"B"', `"${'t'.repeat(MAX_NAME_LENGTH + 1)}"`), 7, `a title of at most ${MAX_NAME_LENGTH} characters`],
    ])('refuses %s one character too long', (_, text, line, expected) => {
      // Act
      const error = refusal(text);

      // Assess
      expect(error.line).toBe(line);
      expect(error.expected).toBe(expected);
    });

    it.each([
      ['a header declaring more candidates than a file may hold', `${MAX_CANDIDATES + 1} 1\n`, 1, `at most ${MAX_CANDIDATES} candidates in the header`],
      ['a header of 20-digit numbers', '99999999999999999999 99999999999999999999\n', 1, `at most ${MAX_CANDIDATES} candidates in the header`],
      ['a 10 MB header line', `2 ${' '.repeat(10 * 1024 * 1024)}1\n`, 1, "a header '<candidates> <seats>'"],
      ['a weight beyond exact whole numbers', `2 1\n${'9'.repeat(400)} 1 0\n0\n"A"\n"B"\n"T"\n`, 2, 'a ballot line starting with a positive whole-number weight'],
      ['a candidate number of 400 digits', `2 1\n1 ${'7'.repeat(400)} 0\n0\n"A"\n"B"\n"T"\n`, 2, 'candidate numbers between 1 and 2'],
      ['a 10 MB ballot token', `2 1\n1 ${'1='.repeat(5 * 1024 * 1024)}2 0\n0\n"A"\n"B"\n"T"\n`, 2, 'a ballot that ranks each candidate at most once (candidate 1 is repeated)'],
      ['a 10 MB withdrawn line', `2 1\n${'-1 '.repeat(3.5 * 1024 * 1024)}\n0\n"A"\n"B"\n"T"\n`, 2, 'withdrawn candidate numbers between -1 and -2'],
    ])('refuses %s with one short error', (_, text, line, expected) => {
      // Act
      const error = refusal(text);

      // Assess
      expect(error.line).toBe(line);
      expect(error.expected).toBe(expected);
    });

    it('reads a 10 MB comment and a ballot line of a million skipped ranks', () => {
      // Prepare
      const text = `# ${'c'.repeat(10 * 1024 * 1024)}\n2 1\n1 ${'- '.repeat(1_000_000)}2 0\n0\n"A"\n"B"\n"T"\n`;

      // Act
      const election = parseBlt(text);
      const { profile } = readBltProfile(text);

      // Assess
      expect(election.comments?.[0]).toHaveLength(10 * 1024 * 1024);
      expect(election.ballots[0]?.ranks).toHaveLength(1_000_001);
      expect(profile.valid).toBe(1);
      expect(Array.from(profile.ballots.prefs)).toEqual([1]);
    });

    it('merges identical ballots while reading: 300,000 lines of three ballots become three weighted lists', () => {
      // Prepare
      const lines = Array.from({ length: 300_000 }, (_, i) => ['1 1 2 3 0', '2 2 0', '1 3 1 0'][i % 3]);
      const text = `3 1\n${lines.join('\n')}\n0\n"A"\n"B"\n"C"\n"T"\n`;

      // Act
      const { profile } = readBltProfile(text);

      // Assess
      expect(profile.ballots.size).toBe(3);
      expect(Array.from(profile.ballots.weight)).toEqual([100_000, 200_000, 100_000]);
      expect(profile.valid).toBe(400_000);
    });
  });

  describe('truncated input', () => {
    it('refuses every truncation of a file with a BltError, never a crash or a partial election', () => {
      // Prepare
      const whole = parseBlt(SMALL);
      const ends = SMALL.trimEnd().length;

      for (let cut = 0; cut < ends; cut += 1) {
        // Act
        const prefix = SMALL.slice(0, cut);

        // Assess
        expect(() => parseBlt(prefix), `cut at ${cut}`).toThrow(BltError);
        expect(() => readBltProfile(prefix), `cut at ${cut}`).toThrow(BltError);
      }
      expect(parseBlt(SMALL.slice(0, ends))).toEqual(whole);
    });

    it.each([
      ['inside a quoted name', '2 1\n1 1 0\n0\n"An', 4, 'a quoted candidate name, optionally followed by a quoted party (candidate 1 of 2)'],
      ['after an escaping backslash', '2 1\n1 1 0\n0\n"A\\', 4, 'a quoted candidate name, optionally followed by a quoted party (candidate 1 of 2)'],
      ['inside a ballot line', '2 1\n1 1 2', 2, 'a ballot line ending in 0'],
      ['inside a tie', '2 1\n1 1=', 2, 'a ballot line ending in 0'],
      ['after the header', '2 1', 2, 'a ballot line or the 0 line ending the ballots, found end of file'],
    ])('names the line of a file cut %s', (_, text, line, expected) => {
      // Act
      const error = refusal(text);

      // Assess
      expect(error.line).toBe(line);
      expect(error.expected).toBe(expected);
    });
  });

  describe('binary input', () => {
    it('refuses arbitrary bytes with a BltError or an ElectionError, never anything else', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
          for (const read of [parseBlt, readBltProfile]) {
            try {
              read(bytes);
            } catch (error) {
              expect(error instanceof BltError || error instanceof ElectionError).toBe(true);
            }
          }
        }),
        { numRuns: 2_000 },
      );
    });

    it('refuses arbitrary bytes in the ballot lines of a valid file the same way', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 60 }), (noise) => {
          const bytes = new Uint8Array([...new TextEncoder().encode('3 2\n1 1 2 0\n'), ...noise, ...new TextEncoder().encode('\n0\n"A"\n"B"\n"C"\n"T"\n')]);
          for (const read of [parseBlt, readBltProfile]) {
            try {
              read(bytes);
            } catch (error) {
              expect(error).toBeInstanceOf(BltError);
            }
          }
        }),
        { numRuns: 2_000 },
      );
    });

    it.each([
      ['a NUL byte in the header', new Uint8Array([0x32, 0x00, 0x31, 0x0a]), 1, "a header '<candidates> <seats>'"],
      ['a PNG signature', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]), 1, "a header '<candidates> <seats>'"],
      ['bytes that are not UTF-8 in a name', new Uint8Array([...new TextEncoder().encode('2 1\n1 1 0\n0\n"'), 0xff, 0xfe, ...new TextEncoder().encode('"\n"B"\n"T"\n')]), 4, 'a quoted candidate name, optionally followed by a quoted party (candidate 1 of 2) in well-formed UTF-8'],
      ['an overlong UTF-8 encoding in the title', new Uint8Array([...new TextEncoder().encode('2 1\n1 1 0\n0\n"A"\n"B"\n"'), 0xc0, 0xaf, ...new TextEncoder().encode('"\n')]), 6, 'the quoted election title in well-formed UTF-8'],
    ])('refuses %s, naming the line', (_, bytes, line, expected) => {
      // Act
      const error = refusal(bytes);

      // Assess
      expect(error.line).toBe(line);
      expect(error.expected).toBe(expected);
    });
  });

  describe('nested quotes and ties', () => {
    it('unescapes quotes and backslashes nested inside names', () => {
      // Act
      const election = parseBlt(withNames(String.raw`"A \"B \\\"C\\\"\""`, String.raw`"\\\\" "\"\""`, String.raw`"\\"`));

      // Assess
      expect(election.candidates).toEqual([{ name: 'A "B \\"C\\""' }, { name: '\\\\', party: '""' }]);
      expect(election.title).toBe('\\');
      expect(parseBlt(serializeBlt(election))).toEqual(election);
    });

    it('reads two quoted strings with no space between them as a name and a party', () => {
      // Act
      const election = parseBlt(withNames('"A""Party"', '"B"', '"T"'));

      // Assess
      expect(election.candidates[0]).toEqual({ name: 'A', party: 'Party' });
    });

    it('reads fifteen candidates tied at one rank as one overvoted rank', () => {
      // Prepare
      const names = Array.from({ length: 15 }, (_, c) => `"C${c}"`);
      const text = `15 1\n2 ${Array.from({ length: 15 }, (_, c) => c + 1).join('=')} 0\n1 3 0\n0\n${names.join('\n')}\n"T"\n`;

      // Act
      const election = parseBlt(text);
      const { profile } = readBltProfile(text);

      // Assess
      expect(election.ballots[0]?.ranks).toEqual([Array.from({ length: 15 }, (_, c) => c)]);
      expect(profile.valid).toBe(1);
    });

    it.each([
      ['a doubled equals sign', '1 1==2 0'],
      ['a leading equals sign', '1 =1 0'],
      ['a trailing equals sign', '1 1= 0'],
      ['a skipped rank inside a tie', '1 1=- 0'],
      ['a quoted name on a ballot line', '1 "A" 0'],
      ['a negative preference', '1 -1 0'],
    ])('refuses %s in a ballot', (_, ballot) => {
      // Act
      const error = refusal(`2 1\n${ballot}\n0\n"A"\n"B"\n"T"\n`);

      // Assess
      expect(error.message).toBe("line 2: expected a ballot line ending in 0 (preferences are numbers, '-' or '2=3')");
    });

    it.each([
      ['a quote left open before the party', withNames('"A "Party"', '"B"', '"T"')],
      ['text after the last quote', withNames('"A" x', '"B"', '"T"')],
      ['three quoted strings', withNames('"A" "P" "Q"', '"B"', '"T"')],
    ])('refuses a candidate line with %s', (_, text) => {
      // Act
      const error = refusal(text);

      // Assess
      expect(error.message).toBe('line 5: expected a quoted candidate name, optionally followed by a quoted party (candidate 1 of 2)');
    });
  });

  describe('unicode', () => {
    it('keeps names in any script, with combining marks, right-to-left text and emoji, exactly', () => {
      // Prepare
      const names = ['Σωκράτης', '李小龍', 'نور', 'Zoë', 'Zoe\u0308', '🏳️‍🌈 Pride', 'a\u200bb'];
      const text = `${names.length} 2\n1 1 2 0\n0\n${names.map((n) => `"${n}"`).join('\n')}\n"Élection 2026 — ✓"\n`;

      // Act
      const election = parseBlt(text);

      // Assess
      expect(election.candidates.map((c) => c.name)).toEqual(names);
      expect(election.title).toBe('Élection 2026 — ✓');
      expect(readBltProfile(new TextEncoder().encode(text)).candidates).toEqual(election.candidates);
    });

    it('reads a file that starts with a UTF-8 byte-order mark', () => {
      // Act
      const election = parseBlt(`\ufeff${withNames('"A"', '"B"', '"T"')}`);

      // Assess
      expect(election.candidates).toEqual([{ name: 'A' }, { name: 'B' }]);
    });

    it('refuses text holding a lone surrogate, naming its line, instead of storing a replacement character', () => {
      // Act
      const error = refusal(withNames('"A"', '"B\ud800"', '"T"'));

      // Assess
      expect(error.message).toBe('line 6: expected well-formed Unicode text');
    });

    it.each([
      ['Arabic-Indic digits as a preference', '1 \u0661 0'],
      ['a no-break space between preferences', '1 1\u00a02 0'],
      ['full-width digits as a weight', '\uff11 1 0'],
    ])('refuses %s in a ballot', (_, ballot) => {
      // Act
      const error = refusal(`2 1\n${ballot}\n0\n"A"\n"B"\n"T"\n`);

      // Assess
      expect(error.line).toBe(2);
    });

    it('treats two names that differ only in Unicode normalisation as two candidates', () => {
      // Act
      const election = parseBlt(withNames('"Zoë"', '"Zoe\u0308"', '"T"'));

      // Assess
      expect(election.candidates).toHaveLength(2);
    });
  });
});

describe('readBltProfile', () => {
  const electionArb: fc.Arbitrary<Election> = fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.record({
      title: fc.constant('random'),
      seats: fc.integer({ min: 1, max: n }),
      candidates: fc.constant(Array.from({ length: n }, (_, i) => ({ name: `C${i}` }))),
      withdrawn: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: 2 }),
      ballots: fc.array(
        fc.record({
          weight: fc.integer({ min: 1, max: 20 }),
          ranks: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: n }).chain((order) =>
            fc.array(fc.boolean(), { minLength: order.length, maxLength: order.length }).map((tied) => {
              const ranks: (number | number[] | [])[] = [];
              order.forEach((c, i) => {
                const previous = ranks[ranks.length - 1];
                if (tied[i] && typeof previous === 'number') ranks[ranks.length - 1] = [previous, c];
                else if (tied[i]) ranks.push([]);
                else ranks.push(c);
              });
              return ranks;
            }),
          ),
        }),
        { maxLength: 40 },
      ),
    }),
  );

  it.each(['stv-scottish', 'stv-meek', 'irv'] as const)('gives the same %s count as parseBlt followed by count', (method) => {
    fc.assert(
      fc.property(electionArb, fc.integer({ min: 1, max: 1000 }), (election, seed) => {
        const text = serializeBlt(election);
        const outcome = (run: () => unknown) => {
          try {
            return run();
          } catch (error) {
            return String(error);
          }
        };
        expect(outcome(() => countProfile(method, readBltProfile(text).profile, { seed }))).toEqual(outcome(() => count(method, parseBlt(text), { seed })));
      }),
      { numRuns: 300 },
    );
  });
});
