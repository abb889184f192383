import type { Election, Rank } from './types.ts';

/**
 * Builds an election for tests from candidate names and `[weight, ...ranks]` rows, where a
 * rank is a candidate name or an array of names (a tie or overvote; empty for a skipped rank).
 */
export function election(names: string[], seats: number, rows: [number, ...(string | string[])[]][]): Election {
  const index = (name: string) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`unknown candidate ${name}`);
    return i;
  };
  return {
    title: 'test',
    seats,
    withdrawn: [],
    candidates: names.map((name) => ({ name })),
    ballots: rows.map(([weight, ...ranks]) => ({
      weight,
      ranks: ranks.map((r): Rank => (typeof r === 'string' ? index(r) : r.map(index))),
    })),
  };
}
