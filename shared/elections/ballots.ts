import type { Election, Rank } from './types.ts';

/** An election that cannot be counted (bad index, weight or seat number). */
export class ElectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElectionError';
  }
}

/** Identical preference lists merged into one weighted group. */
export interface Group {
  prefs: readonly number[];
  weight: number;
}

/** What the sequential methods (STV, IRV) count. */
export interface Profile {
  names: string[];
  seats: number;
  withdrawn: ReadonlySet<number>;
  groups: Group[];
  /** Total weight of ballots with at least one usable preference. */
  valid: number;
}

/** Rejects input no BLT file could produce, so the counting code can trust indices and weights. */
export function validateElection(election: Election): void {
  const n = election.candidates.length;
  if (n < 1) throw new ElectionError('an election needs at least one candidate');
  if (!Number.isInteger(election.seats) || election.seats < 1 || election.seats > n) {
    throw new ElectionError(`seats must be a whole number between 1 and ${n}`);
  }
  const names = new Set(election.candidates.map((c) => c.name));
  if (names.size !== n) throw new ElectionError('candidate names must be unique');
  const isIndex = (c: number) => Number.isInteger(c) && c >= 0 && c < n;
  if (!election.withdrawn.every(isIndex)) throw new ElectionError('withdrawn candidates must be candidate indices');
  if (n - new Set(election.withdrawn).size < election.seats) {
    throw new ElectionError('more seats than candidates left after withdrawals');
  }
  for (const ballot of election.ballots) {
    if (!Number.isSafeInteger(ballot.weight) || ballot.weight < 1) {
      throw new ElectionError('ballot weights must be positive whole numbers');
    }
    for (const rank of ballot.ranks) {
      const ok = typeof rank === 'number' ? isIndex(rank) : rank.every(isIndex);
      if (!ok) throw new ElectionError('ballot preferences must be candidate indices');
    }
  }
}

/**
 * The ranks of a ballot as tiers of candidates, best first, under the policy every method
 * shares: skipped (empty) ranks are ignored, withdrawn candidates are removed, and a
 * candidate already ranked earlier is ignored when it appears again.
 */
export function tiers(ranks: readonly Rank[], withdrawn: ReadonlySet<number>): number[][] {
  const seen = new Set<number>();
  const out: number[][] = [];
  for (const rank of ranks) {
    const tier: number[] = [];
    for (const c of typeof rank === 'number' ? [rank] : rank) {
      if (withdrawn.has(c) || seen.has(c)) continue;
      seen.add(c);
      tier.push(c);
    }
    if (tier.length > 0) out.push(tier);
  }
  return out;
}

/**
 * Preferences for the sequential methods. Overvote policy: a rank holding two or more
 * candidates (after the `tiers` clean-up) is an overvote, and the ballot is exhausted when
 * it reaches that rank, because nobody can tell which of them the voter meant.
 */
export function preferences(ranks: readonly Rank[], withdrawn: ReadonlySet<number>): number[] {
  // Same policy as `tiers`, written out because it runs once per ballot on million-ballot counts.
  const prefs: number[] = [];
  for (const rank of ranks) {
    if (typeof rank === 'number') {
      if (!withdrawn.has(rank) && !prefs.includes(rank)) prefs.push(rank);
      continue;
    }
    const fresh = [...new Set(rank)].filter((c) => !withdrawn.has(c) && !prefs.includes(c));
    if (fresh.length > 1) break;
    if (fresh.length === 1) prefs.push(fresh[0] as number);
  }
  return prefs;
}

/**
 * Normalises and aggregates the ballots: identical preference lists become one weighted
 * group, which is what keeps a million-ballot count fast. Ballots with no usable
 * preference are not valid votes and are dropped.
 */
export function profile(election: Election): Profile {
  validateElection(election);
  const withdrawn = new Set(election.withdrawn);
  const byKey = new Map<string, Group>();
  let valid = 0;
  for (const ballot of election.ballots) {
    const prefs = preferences(ballot.ranks, withdrawn);
    if (prefs.length === 0) continue;
    valid += ballot.weight;
    const key = prefs.join(',');
    const group = byKey.get(key);
    if (group) group.weight += ballot.weight;
    else byKey.set(key, { prefs, weight: ballot.weight });
  }
  if (!Number.isSafeInteger(valid * 100_000)) throw new ElectionError('too many ballots to count exactly');
  return {
    names: election.candidates.map((c) => c.name),
    seats: election.seats,
    withdrawn,
    groups: [...byKey.values()],
    valid,
  };
}
