import type { TieBreak } from './types.ts';

export const DEFAULT_SEED = 1;

/**
 * A seeded deterministic lot (mulberry32): the same seed draws the same candidates on any
 * machine, so a recount with the published seed reproduces the result.
 */
export class Lot {
  readonly seed: number;
  private state: number;

  constructor(seed: number = DEFAULT_SEED) {
    if (!Number.isSafeInteger(seed)) throw new RangeError('the lot seed must be a whole number');
    this.seed = seed;
    this.state = seed >>> 0;
  }

  /** The next number in [0, 1). */
  unit(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** One of `items`, chosen uniformly. */
  draw<T>(items: readonly T[]): T {
    return items[Math.floor(this.unit() * items.length)] as T;
  }
}

/**
 * Settles a tie between candidate indices. Looks back through `history` (totals at the end
 * of each earlier stage, oldest first) from the most recent stage at which the tied
 * candidates' totals differed, keeping those with the `lowest` or `highest` total there;
 * a tie that survives every stage goes to the lot. This is rules 49(2) and 51(2) of the
 * Scottish Local Government Elections Order 2007, used for IRV too.
 */
export function breakTie(
  tied: readonly number[],
  history: readonly (readonly bigint[] | readonly number[])[],
  want: 'lowest' | 'highest',
  lot: Lot,
  names: readonly string[],
): { chosen: number; tie?: TieBreak } {
  if (tied.length === 1) return { chosen: tied[0] as number };
  let left = [...tied];
  for (let stage = history.length - 1; stage >= 0 && left.length > 1; stage -= 1) {
    const totals = history[stage] as readonly (bigint | number)[];
    const values = left.map((c) => totals[c] as bigint | number);
    const best = values.reduce((a, b) => ((want === 'lowest' ? b < a : b > a) ? b : a));
    if (values.every((v) => v === best)) continue;
    left = left.filter((_, i) => values[i] === best);
  }
  const among = tied.map((c) => names[c] as string);
  if (left.length === 1) {
    const chosen = left[0] as number;
    return { chosen, tie: { among, chosen: names[chosen] as string, by: 'earlier-stage' } };
  }
  const chosen = lot.draw(left);
  return { chosen, tie: { among, chosen: names[chosen] as string, by: 'lot' } };
}
