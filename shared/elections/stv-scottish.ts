import type { Profile } from './ballots.ts';
import { UNIT, format5, mulDivFloor } from './fixed.ts';
import { Lot, breakTie } from './lot.ts';
import type { StvResult, StvStage, TieBreak } from './types.ts';

const CONTINUING = 0;
const ELECTED = 1;
const OUT = 2;
const NONE = -1;

/**
 * Counts by the Scottish Local Government Elections Order 2007, Schedule 1 rules 45–52:
 * Droop quota, weighted inclusive Gregory transfers truncated to 5 decimal places, the
 * largest surplus first, exclusion of the lowest, ties settled by the most recent stage at
 * which the tied candidates differed and then by the seeded lot, one stage per surplus or
 * exclusion, stopping as soon as every seat is filled. All arithmetic is in integer units
 * of 0.00001 of a vote, so the result is exact and reproducible.
 *
 * Each distinct preference list is one bundle of papers for the whole count: identical
 * papers always move together, at the same value. A candidate's papers are a linked list
 * through `next`, so a transfer touches only the papers it moves.
 */
export function countScottish(profile: Profile, lot: Lot): StvResult {
  const { names, seats } = profile;
  const { size, prefs, start, weight } = profile.ballots;
  const n = names.length;
  const quota = (Math.floor(profile.valid / (seats + 1)) + 1) * UNIT;
  const status = new Uint8Array(n);
  for (const c of profile.withdrawn) status[c] = OUT;
  const totals: number[] = new Array<number>(n).fill(0);
  /** Index in `prefs` of the candidate holding each bundle. */
  const at = new Uint32Array(size);
  /** Value of each paper in a bundle, in units of 1e-5 of a vote. */
  const value = new Int32Array(size);
  const next = new Int32Array(size);
  const head = new Int32Array(n).fill(NONE);
  const history: number[][] = [];
  const stages: StvStage[] = [];
  const elected: string[] = [];

  const hold = (g: number, position: number, to: number, paperValue: number) => {
    at[g] = position;
    value[g] = paperValue;
    next[g] = head[to] as number;
    head[to] = g;
    totals[to] = (totals[to] as number) + (weight[g] as number) * paperValue;
  };

  /** Moves a bundle to its next continuing preference; a bundle with none is non-transferable. */
  const pass = (g: number, paperValue: number) => {
    const end = start[g + 1] as number;
    for (let position = (at[g] as number) + 1; position < end; position += 1) {
      const to = prefs[position] as number;
      if (status[to] === CONTINUING) {
        hold(g, position, to, paperValue);
        return;
      }
    }
  };

  /** Detaches a candidate's papers and passes each on at the value `valueOf` gives it. */
  const transferFrom = (from: number, valueOf: (paperValue: number) => number) => {
    let g = head[from] as number;
    head[from] = NONE;
    while (g !== NONE) {
      const following = next[g] as number;
      pass(g, valueOf(value[g] as number));
      g = following;
    }
  };

  const candidatesWith = (state: number) => {
    const out: number[] = [];
    for (let c = 0; c < n; c += 1) if (status[c] === state) out.push(c);
    return out;
  };

  const closeStage = (stage: Omit<StvStage, 'votes' | 'non_transferable' | 'elected'>) => {
    const newlyElected: number[] = [];
    for (let c = 0; c < n; c += 1) {
      if (status[c] === CONTINUING && (totals[c] as number) >= quota) newlyElected.push(c);
    }
    for (const c of newlyElected) status[c] = ELECTED;
    const continuing = candidatesWith(CONTINUING);
    const vacancies = seats - elected.length - newlyElected.length;
    // Rule 52: once the continuing candidates just fill the vacancies, no further transfer is made.
    if (vacancies > 0 && continuing.length <= vacancies) {
      for (const c of continuing) status[c] = ELECTED;
      newlyElected.push(...continuing);
    }
    const names_ = newlyElected.map((c) => names[c] as string);
    elected.push(...names_);
    history.push([...totals]);
    const sum = totals.reduce((a, b) => a + b, 0);
    stages.push({
      votes: Object.fromEntries(names.map((name, c) => [name, format5(totals[c] as number)])),
      non_transferable: format5(profile.valid * UNIT - sum),
      elected: names_,
      ...stage,
    });
  };

  for (let g = 0; g < size; g += 1) hold(g, start[g] as number, prefs[start[g] as number] as number, UNIT);
  closeStage({ excluded: [], surplus: null });

  while (elected.length < seats) {
    const withSurplus = candidatesWith(ELECTED).filter((c) => (totals[c] as number) > quota);
    const earlier = history.slice(0, -1);
    let tie: TieBreak | undefined;
    if (withSurplus.length > 0) {
      // Rule 49: the largest surplus first.
      const largest = Math.max(...withSurplus.map((c) => totals[c] as number));
      const tied = withSurplus.filter((c) => totals[c] === largest);
      const pick = breakTie(tied, earlier, 'highest', lot, names);
      tie = pick.tie;
      const from = pick.chosen;
      const total = totals[from] as number;
      const surplus = total - quota;
      totals[from] = quota;
      // Rule 48(3): each paper's transfer value is surplus × its value ÷ the candidate's total, truncated.
      // Most papers share a handful of values, so each value's transfer value is worked out once.
      const transferValues = new Map<number, number>();
      transferFrom(from, (paperValue) => {
        let transferValue = transferValues.get(paperValue);
        if (transferValue === undefined) {
          transferValue = mulDivFloor(surplus, paperValue, total);
          transferValues.set(paperValue, transferValue);
        }
        return transferValue;
      });
      closeStage({ excluded: [], surplus: names[from] as string, ...(tie ? { tie_break: tie } : {}) });
    } else {
      // Rule 50: exclude the lowest continuing candidate; their papers move at their current value.
      const continuing = candidatesWith(CONTINUING);
      const lowest = Math.min(...continuing.map((c) => totals[c] as number));
      const tied = continuing.filter((c) => totals[c] === lowest);
      const pick = breakTie(tied, earlier, 'lowest', lot, names);
      tie = pick.tie;
      const out = pick.chosen;
      status[out] = OUT;
      totals[out] = 0;
      transferFrom(out, (paperValue) => paperValue);
      closeStage({ excluded: [names[out] as string], surplus: null, ...(tie ? { tie_break: tie } : {}) });
    }
  }

  return {
    method: 'stv-scottish',
    seats,
    valid_votes: profile.valid,
    quota: String(quota / UNIT),
    seed: lot.seed,
    stages,
    elected,
  };
}
