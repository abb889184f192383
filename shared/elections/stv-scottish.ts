import type { Profile } from './ballots.ts';
import { UNIT, format5, mulDivFloor } from './fixed.ts';
import { Lot, breakTie } from './lot.ts';
import type { StvResult, StvStage, TieBreak } from './types.ts';

const CONTINUING = 0;
const ELECTED = 1;
const OUT = 2;

/** A bundle of identical papers sitting with one candidate at one value. */
interface Paper {
  prefs: readonly number[];
  /** Index in `prefs` of the candidate holding the papers. */
  at: number;
  count: number;
  /** Value of each paper in units of 1e-5 of a vote. */
  value: number;
}

/**
 * Counts by the Scottish Local Government Elections Order 2007, Schedule 1 rules 45–52:
 * Droop quota, weighted inclusive Gregory transfers truncated to 5 decimal places, the
 * largest surplus first, exclusion of the lowest, ties settled by the most recent stage at
 * which the tied candidates differed and then by the seeded lot, one stage per surplus or
 * exclusion, stopping as soon as every seat is filled. All arithmetic is in integer units
 * of 0.00001 of a vote, so the result is exact and reproducible.
 */
export function countScottish(profile: Profile, lot: Lot): StvResult {
  const { names, seats } = profile;
  const n = names.length;
  const quota = (Math.floor(profile.valid / (seats + 1)) + 1) * UNIT;
  const status: number[] = names.map((_, c) => (profile.withdrawn.has(c) ? OUT : CONTINUING));
  const totals: number[] = new Array<number>(n).fill(0);
  const papers: Paper[][] = names.map(() => []);
  const history: number[][] = [];
  const stages: StvStage[] = [];
  const elected: string[] = [];

  /** Moves papers to their next continuing preference; papers with none are non-transferable. */
  const pass = (bundle: Paper, value: number) => {
    for (let at = bundle.at + 1; at < bundle.prefs.length; at += 1) {
      const to = bundle.prefs[at] as number;
      if (status[to] !== CONTINUING) continue;
      papers[to]?.push({ prefs: bundle.prefs, at, count: bundle.count, value });
      totals[to] = (totals[to] as number) + bundle.count * value;
      return;
    }
  };

  const closeStage = (stage: Omit<StvStage, 'votes' | 'non_transferable' | 'elected'>) => {
    const newlyElected: number[] = [];
    for (let c = 0; c < n; c += 1) {
      if (status[c] === CONTINUING && (totals[c] as number) >= quota) newlyElected.push(c);
    }
    for (const c of newlyElected) status[c] = ELECTED;
    const continuing = status.flatMap((s, c) => (s === CONTINUING ? [c] : []));
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

  for (const group of profile.groups) {
    const first = group.prefs[0] as number;
    papers[first]?.push({ prefs: group.prefs, at: 0, count: group.weight, value: UNIT });
    totals[first] = (totals[first] as number) + group.weight * UNIT;
  }
  closeStage({ excluded: [], surplus: null });

  while (elected.length < seats) {
    const withSurplus = status.flatMap((s, c) => (s === ELECTED && (totals[c] as number) > quota ? [c] : []));
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
      const bundles = papers[from] as Paper[];
      papers[from] = [];
      totals[from] = quota;
      // Rule 48(3): each paper's transfer value is surplus × its value ÷ the candidate's total, truncated.
      for (const bundle of bundles) pass(bundle, mulDivFloor(surplus, bundle.value, total));
      closeStage({ excluded: [], surplus: names[from] as string, ...(tie ? { tie_break: tie } : {}) });
    } else {
      // Rule 50: exclude the lowest continuing candidate; their papers move at their current value.
      const continuing = status.flatMap((s, c) => (s === CONTINUING ? [c] : []));
      const lowest = Math.min(...continuing.map((c) => totals[c] as number));
      const tied = continuing.filter((c) => totals[c] === lowest);
      const pick = breakTie(tied, earlier, 'lowest', lot, names);
      tie = pick.tie;
      const out = pick.chosen;
      status[out] = OUT;
      const bundles = papers[out] as Paper[];
      papers[out] = [];
      totals[out] = 0;
      for (const bundle of bundles) pass(bundle, bundle.value);
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
