import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { count } from './index.ts';
import type { Election, StvResult } from './types.ts';

/** Small random elections: up to 6 candidates, 40 weighted ballots, partial rankings with repeats. */
const electionArb: fc.Arbitrary<Election> = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.record({
    title: fc.constant('random'),
    seats: fc.integer({ min: 1, max: n }),
    candidates: fc.constant(Array.from({ length: n }, (_, i) => ({ name: `C${i}` }))),
    withdrawn: fc.constant([]),
    ballots: fc.array(
      fc.record({
        weight: fc.integer({ min: 1, max: 20 }),
        ranks: fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: n + 1 }),
      }),
      { maxLength: 40 },
    ),
  }),
);

/** A 5-decimal string as an exact integer count of 1e-5. */
const units = (value: string) => BigInt(value.replace('.', ''));

/** Candidates still in the count (neither elected nor excluded) before each stage. */
function continuingBefore(result: StvResult, names: string[]): Set<string>[] {
  const out: Set<string>[] = [];
  const left = new Set(names);
  for (const stage of result.stages) {
    out.push(new Set(left));
    for (const name of [...stage.elected, ...stage.excluded]) left.delete(name);
  }
  return out;
}

describe.each(['stv-scottish', 'stv-meek'] as const)('%s on random small elections', (method) => {
  it('keeps votes plus non-transferable equal to the valid votes at every stage', () => {
    fc.assert(
      fc.property(electionArb, (election) => {
        const result = count(method, election);
        const valid = BigInt(result.valid_votes) * 100_000n;
        const slack = method === 'stv-scottish' ? 0n : BigInt(election.candidates.length + 1);
        for (const stage of result.stages) {
          const sum = Object.values(stage.votes).reduce((a, v) => a + units(v), units(stage.non_transferable));
          expect(sum <= valid && sum >= valid - slack).toBe(true);
        }
      }),
    );
  });

  it('elects exactly as many candidates as there are seats', () => {
    fc.assert(
      fc.property(electionArb, (election) => {
        const result = count(method, election);
        expect(result.elected).toHaveLength(election.seats);
        expect(new Set(result.elected).size).toBe(election.seats);
        expect(result.stages.flatMap((s) => s.elected)).toEqual(result.elected);
      }),
    );
  });

  it('never lowers the total of a candidate who is still in the count', () => {
    fc.assert(
      fc.property(electionArb, (election) => {
        const result = count(method, election);
        const before = continuingBefore(result, election.candidates.map((c) => c.name));
        for (let s = 1; s < result.stages.length; s += 1) {
          const stays = [...(before[s] as Set<string>)].filter((name) => !result.stages[s]?.excluded.includes(name));
          for (const name of stays) {
            const now = units((result.stages[s]?.votes[name]) as string);
            const then = units((result.stages[s - 1]?.votes[name]) as string);
            expect(now >= then, `${name} at stage ${s + 1}`).toBe(true);
          }
        }
      }),
    );
  });
});

describe('IRV on random small elections', () => {
  it('gives the winner a majority of the continuing ballots in the final round', () => {
    fc.assert(
      fc.property(electionArb, (election) => {
        const result = count('irv', election);
        const final = result.rounds[result.rounds.length - 1];
        const held = Number(final?.votes[result.winner]);
        const continuing = Number(final?.continuing);
        const others = Object.entries(final?.votes ?? {}).filter(([name, v]) => name !== result.winner && v !== '0');
        expect(continuing === 0 || 2 * held > continuing || others.length === 0).toBe(true);
        expect(Number(final?.exhausted) + continuing).toBe(result.valid_votes);
      }),
    );
  });
});

describe('Schulze on random small elections', () => {
  it('returns the Condorcet winner whenever one exists', () => {
    fc.assert(
      fc.property(electionArb, (election) => {
        // An independent pairwise count straight from the ballots.
        const n = election.candidates.length;
        const d = Array.from({ length: n }, () => new Array<number>(n).fill(0));
        for (const ballot of election.ballots) {
          const seen: number[] = [];
          for (const rank of ballot.ranks) if (typeof rank === 'number' && !seen.includes(rank)) seen.push(rank);
          for (let i = 0; i < n; i += 1) {
            for (let j = 0; j < n; j += 1) {
              const pi = seen.indexOf(i);
              const pj = seen.indexOf(j);
              if (pi >= 0 && (pj < 0 || pi < pj)) (d[i] as number[])[j] = ((d[i] as number[])[j] as number) + ballot.weight;
            }
          }
        }
        const at = (i: number, j: number) => (d[i] as number[])[j] as number;
        const condorcet = [...Array(n).keys()].find((i) => [...Array(n).keys()].every((j) => j === i || at(i, j) > at(j, i)));
        const result = count('schulze', election);
        if (condorcet !== undefined) {
          expect(result.condorcet_winner).toBe(`C${condorcet}`);
          expect(result.winner).toBe(`C${condorcet}`);
          expect(result.ranking[0]).toEqual([`C${condorcet}`]);
        } else {
          expect(result.condorcet_winner).toBeNull();
        }
      }),
    );
  });
});
