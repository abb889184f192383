import { tiers, validateElection } from './ballots.ts';
import { Lot } from './lot.ts';
import type { Election, SchulzeResult, TieBreak } from './types.ts';

/** Pairwise preferences d[i][j] over the active candidates, aggregating identical ballots first. */
function pairwise(election: Election, active: number[]): { d: number[][]; valid: number } {
  const withdrawn = new Set(election.withdrawn);
  const position = new Map(active.map((c, i) => [c, i]));
  const byKey = new Map<string, { tiers: number[][]; weight: number }>();
  let valid = 0;
  for (const ballot of election.ballots) {
    const ranked = tiers(ballot.ranks, withdrawn).map((tier) => tier.map((c) => position.get(c) as number));
    if (ranked.length === 0) continue;
    valid += ballot.weight;
    const key = ranked.map((tier) => tier.join('=')).join(',');
    const group = byKey.get(key);
    if (group) group.weight += ballot.weight;
    else byKey.set(key, { tiers: ranked, weight: ballot.weight });
  }

  const m = active.length;
  const d = active.map(() => new Array<number>(m).fill(0));
  const below = new Uint8Array(m);
  for (const { tiers: ranked, weight } of byKey.values()) {
    // Every candidate starts below the current tier; unranked ones stay there, tied last.
    below.fill(1);
    for (const tier of ranked) {
      for (const i of tier) below[i] = 0;
      for (const i of tier) {
        const row = d[i] as number[];
        for (let j = 0; j < m; j += 1) if (below[j] === 1) row[j] = (row[j] as number) + weight;
      }
    }
  }
  return { d, valid };
}

/** Strongest path strengths by the widest-path Floyd–Warshall, measured in winning votes. */
function strongestPaths(d: number[][]): number[][] {
  const m = d.length;
  const at = (x: number[][], i: number, j: number) => (x[i] as number[])[j] as number;
  const p = d.map((row, i) => row.map((v, j) => (i !== j && v > at(d, j, i) ? v : 0)));
  for (let k = 0; k < m; k += 1) {
    for (let i = 0; i < m; i += 1) {
      if (i === k) continue;
      for (let j = 0; j < m; j += 1) {
        if (j === i || j === k) continue;
        const via = Math.min(at(p, i, k), at(p, k, j));
        if (via > at(p, i, j)) (p[i] as number[])[j] = via;
      }
    }
  }
  return p;
}

/**
 * Schulze method. A rank holding several candidates means the voter likes them equally, and
 * ranked candidates beat unranked ones (which tie with each other). The ranking is built by
 * repeatedly taking the candidates no remaining candidate beats on strongest paths, so tied
 * candidates share a tier; a tie for first place is settled by the seeded lot.
 */
export function countSchulze(election: Election, lot: Lot): SchulzeResult {
  validateElection(election);
  const withdrawn = new Set(election.withdrawn);
  const active = election.candidates.flatMap((_, c) => (withdrawn.has(c) ? [] : [c]));
  const names = active.map((c) => (election.candidates[c] as { name: string }).name);
  const { d, valid } = pairwise(election, active);
  const p = strongestPaths(d);
  const beats = (x: number[][], i: number, j: number) => ((x[i] as number[])[j] as number) > ((x[j] as number[])[i] as number);

  const all = names.map((_, i) => i);
  const condorcet = all.find((i) => all.every((j) => j === i || beats(d, i, j)));

  const ranking: string[][] = [];
  let left = all;
  while (left.length > 0) {
    const top = left.filter((i) => left.every((j) => j === i || !beats(p, j, i)));
    ranking.push(top.map((i) => names[i] as string));
    left = left.filter((i) => !top.includes(i));
  }

  const first = ranking[0] as string[];
  const winner = first.length === 1 ? (first[0] as string) : lot.draw(first);
  const tie: TieBreak | undefined = first.length > 1 ? { among: first, chosen: winner, by: 'lot' } : undefined;
  return {
    method: 'schulze',
    seed: lot.seed,
    valid_votes: valid,
    candidates: names,
    d,
    p,
    condorcet_winner: condorcet === undefined ? null : (names[condorcet] as string),
    ranking,
    winner,
    elected: [winner],
    ...(tie ? { tie_break: tie } : {}),
  };
}
