import type { Profile } from './ballots.ts';
import { Lot, breakTie } from './lot.ts';
import type { IrvResult, IrvRound, TieBreak } from './types.ts';

/**
 * Single-winner instant runoff. Each round credits every ballot to its highest-ranked
 * continuing candidate; a candidate holding more than half of the continuing ballots wins,
 * otherwise the lowest is eliminated. Elimination ties go to the most recent earlier round
 * at which the tied candidates' totals differed (lowest goes), then to the seeded lot.
 * Ballots are read under the overvote and skipped-rank policy of `preferences()` in
 * ballots.ts, and ballots with no continuing candidate are counted as exhausted each round.
 */
export function countIrv(profile: Profile, lot: Lot): IrvResult {
  const { names } = profile;
  const { size, prefs, start, weight } = profile.ballots;
  const n = names.length;
  const continuing = names.map((_, c) => !profile.withdrawn.has(c));
  const history: number[][] = [];
  const rounds: IrvRound[] = [];
  let eliminated: string[] = [];
  let tie: TieBreak | undefined;

  for (;;) {
    const totals = new Array<number>(n).fill(0);
    for (let g = 0; g < size; g += 1) {
      for (let i = start[g] as number, end = start[g + 1] as number; i < end; i += 1) {
        const top = prefs[i] as number;
        if (!continuing[top]) continue;
        totals[top] = (totals[top] as number) + (weight[g] as number);
        break;
      }
    }
    const live = continuing.flatMap((on, c) => (on ? [c] : []));
    const held = totals.reduce((a, b) => a + b, 0);
    const leader = live.reduce((a, b) => ((totals[b] as number) > (totals[a] as number) ? b : a));
    const won = live.length === 1 || 2 * (totals[leader] as number) > held;
    history.push(totals);
    rounds.push({
      votes: Object.fromEntries(names.map((name, c) => [name, String(totals[c])])),
      exhausted: String(profile.valid - held),
      continuing: String(held),
      eliminated,
      elected: won ? [names[leader] as string] : [],
      ...(tie ? { tie_break: tie } : {}),
    });
    if (won) {
      const winner = names[leader] as string;
      return { method: 'irv', seats: 1, valid_votes: profile.valid, seed: lot.seed, rounds, winner, elected: [winner] };
    }
    const lowest = Math.min(...live.map((c) => totals[c] as number));
    const tied = live.filter((c) => totals[c] === lowest);
    const pick = breakTie(tied, history.slice(0, -1), 'lowest', lot, names);
    continuing[pick.chosen] = false;
    eliminated = [names[pick.chosen] as string];
    tie = pick.tie;
  }
}
