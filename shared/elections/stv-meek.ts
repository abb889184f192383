import type { Profile } from './ballots.ts';
import { formatFixed } from './fixed.ts';
import { Lot, breakTie } from './lot.ts';
import type { MeekResult, MeekStage, TieBreak } from './types.ts';

/** Fixed-point scale: every vote amount and keep value is a BigInt count of 1e-9. */
export const MEEK_SCALE = 1_000_000_000n;
/** Keep values are iterated until the elected candidates' surpluses add up to at most 1e-6 of a vote. */
export const MEEK_TOLERANCE = 1_000n;
/** A guard, not a rule: iteration also stops as soon as the total surplus stops shrinking. */
const MAX_ITERATIONS = 1_000;

const HOPEFUL = 0;
const ELECTED = 1;
const OUT = 2;

const votes5 = (amount: bigint) => formatFixed(amount, MEEK_SCALE, 5);
const exact9 = (amount: bigint) => formatFixed(amount, MEEK_SCALE, 9);

/**
 * Meek STV. Every candidate has a keep value (1 while hopeful, 0 once excluded); each ballot
 * gives each candidate it ranks the fraction `keep` of what is left of it, and the rest
 * moves on or is exhausted. The quota is the Droop quota of the votes still held,
 * (held / (seats + 1)) + 1e-9, so it falls as papers exhaust. Elected candidates' keep values
 * are iterated (k ← k × quota / votes, rounded up) until their total surplus is at most
 * `MEEK_TOLERANCE` (1e-6 of a vote) or stops shrinking.
 *
 * Precision: amounts are BigInt multiples of 1e-9 (`MEEK_SCALE`), shares are rounded down,
 * so nothing is created or lost: votes + non-transferable equal the valid votes exactly at
 * 1e-9. The reported 5-decimal strings are truncated, so their sum can fall short of the
 * valid votes by less than 1e-5 per candidate plus 1e-5.
 *
 * Stages: the first count; then one stage per round of keep-value iteration after someone
 * is elected (surplus `null`: Meek moves all surpluses at once), or per exclusion. Ties for
 * exclusion go to the most recent stage at which the candidates differed, then to the lot.
 */
export function countMeek(profile: Profile, lot: Lot): MeekResult {
  const { names, seats } = profile;
  const { size, prefs, start } = profile.ballots;
  const n = names.length;
  const status: number[] = names.map((_, c) => (profile.withdrawn.has(c) ? OUT : HOPEFUL));
  const keep: bigint[] = status.map((s) => (s === OUT ? 0n : MEEK_SCALE));
  const weights = Array.from(profile.ballots.weight, (w) => BigInt(w) * MEEK_SCALE);
  const valid = BigInt(profile.valid) * MEEK_SCALE;
  let votes: bigint[] = new Array<bigint>(n).fill(0n);
  let quota = 0n;
  const history: bigint[][] = [];
  const stages: MeekStage[] = [];
  const elected: string[] = [];

  const tally = () => {
    votes = new Array<bigint>(n).fill(0n);
    for (let g = 0; g < size; g += 1) {
      let left = weights[g] as bigint;
      for (let i = start[g] as number, end = start[g + 1] as number; i < end; i += 1) {
        const c = prefs[i] as number;
        const k = keep[c] as bigint;
        if (k === 0n) continue;
        const share = k === MEEK_SCALE ? left : (left * k) / MEEK_SCALE;
        votes[c] = (votes[c] as bigint) + share;
        left -= share;
        if (left === 0n) break;
      }
    }
    const held = votes.reduce((a, b) => a + b, 0n);
    quota = held / BigInt(seats + 1) + 1n;
  };

  const totalSurplus = () =>
    status.reduce((sum, s, c) => (s === ELECTED && (votes[c] as bigint) > quota ? sum + (votes[c] as bigint) - quota : sum), 0n);
  const hopefulReached = () => status.some((s, c) => s === HOPEFUL && (votes[c] as bigint) >= quota);

  /** Iterates keep values until converged or until a hopeful candidate reaches the quota. */
  const settle = (): number => {
    let iterations = 0;
    let previous: bigint | null = null;
    for (;;) {
      tally();
      const surplus = totalSurplus();
      if (hopefulReached() || surplus <= MEEK_TOLERANCE || iterations >= MAX_ITERATIONS) return iterations;
      if (previous !== null && surplus >= previous) return iterations;
      previous = surplus;
      status.forEach((s, c) => {
        if (s !== ELECTED) return;
        const v = votes[c] as bigint;
        const next = ((keep[c] as bigint) * quota + v - 1n) / v;
        keep[c] = next > MEEK_SCALE ? MEEK_SCALE : next;
      });
      iterations += 1;
    }
  };

  /** Elects whoever reached the quota (or fills the last seats) and records the stage; returns how many were elected. */
  const closeStage = (excluded: string[], iterations: number, tie: TieBreak | undefined): number => {
    const newly = status.flatMap((s, c) => (s === HOPEFUL && (votes[c] as bigint) >= quota ? [c] : []));
    for (const c of newly) status[c] = ELECTED;
    const hopeful = status.flatMap((s, c) => (s === HOPEFUL ? [c] : []));
    const vacancies = seats - elected.length - newly.length;
    if (vacancies > 0 && hopeful.length <= vacancies) {
      for (const c of hopeful) status[c] = ELECTED;
      newly.push(...hopeful);
    }
    const newNames = newly.map((c) => names[c] as string);
    elected.push(...newNames);
    history.push([...votes]);
    const held = votes.reduce((a, b) => a + b, 0n);
    stages.push({
      votes: Object.fromEntries(names.map((name, c) => [name, votes5(votes[c] as bigint)])),
      non_transferable: votes5(valid - held),
      elected: newNames,
      excluded,
      surplus: null,
      ...(tie ? { tie_break: tie } : {}),
      quota: exact9(quota),
      keep_values: Object.fromEntries(names.map((name, c) => [name, exact9(keep[c] as bigint)])),
      iterations,
    });
    return newly.length;
  };

  tally();
  let justElected = closeStage([], 0, undefined) > 0;
  while (elected.length < seats) {
    if (justElected && totalSurplus() > MEEK_TOLERANCE) {
      justElected = closeStage([], settle(), undefined) > 0;
      continue;
    }
    const hopeful = status.flatMap((s, c) => (s === HOPEFUL ? [c] : []));
    const lowest = hopeful.reduce((a, c) => ((votes[c] as bigint) < a ? (votes[c] as bigint) : a), votes[hopeful[0] as number] as bigint);
    const tied = hopeful.filter((c) => votes[c] === lowest);
    const pick = breakTie(tied, history.slice(0, -1), 'lowest', lot, names);
    status[pick.chosen] = OUT;
    keep[pick.chosen] = 0n;
    justElected = closeStage([names[pick.chosen] as string], settle(), pick.tie) > 0;
  }

  return {
    method: 'stv-meek',
    seats,
    valid_votes: profile.valid,
    quota: (stages[0] as MeekStage).quota,
    seed: lot.seed,
    stages,
    elected,
    precision: '1e-9',
    tolerance: '0.000001',
  };
}
