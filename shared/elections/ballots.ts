import type { Election, Rank } from './types.ts';

/** An election that cannot be counted (bad index, weight or seat number). */
export class ElectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElectionError';
  }
}

/**
 * Distinct preference lists with their total weights, flat in typed arrays so a
 * million-ballot count holds a few bytes per list instead of an object and an array each:
 * list `g` is `prefs[start[g]]` to `prefs[start[g + 1] - 1]`, 0-based candidate indices.
 */
export interface PackedBallots {
  size: number;
  prefs: Uint8Array | Uint16Array | Uint32Array;
  /** `size + 1` offsets into `prefs`. */
  start: Uint32Array;
  weight: Float64Array;
}

/** What the sequential methods (STV, IRV) count. */
export interface Profile {
  names: string[];
  seats: number;
  withdrawn: ReadonlySet<number>;
  ballots: PackedBallots;
  /** Total weight of ballots with at least one usable preference. */
  valid: number;
}

const EMPTY = 0;

/**
 * Merges identical preference lists as they are added (open addressing over typed arrays,
 * no string keys), which is what keeps a million-ballot count small and fast.
 */
export class ProfileBuilder {
  private prefs: Uint8Array | Uint16Array | Uint32Array;
  private start = new Uint32Array(1024);
  private weight = new Float64Array(1024);
  private hashes = new Uint32Array(1024);
  /** Slot → list index + 1, or EMPTY. Kept at most half full. */
  private slots = new Int32Array(2048);
  private size = 0;
  valid = 0;

  constructor(candidates: number) {
    this.prefs = candidates <= 0xff ? new Uint8Array(4096) : candidates <= 0xffff ? new Uint16Array(4096) : new Uint32Array(4096);
  }

  /** Adds `weight` papers with the preferences `list[0..length)`; an empty list is not a valid vote. */
  add(list: ArrayLike<number>, length: number, weight: number): void {
    if (length === 0) return;
    this.valid += weight;
    let hash = 0x811c9dc5;
    for (let i = 0; i < length; i += 1) hash = Math.imul(hash ^ (list[i] as number), 0x01000193);
    hash = (hash ^ length) >>> 0;
    const mask = this.slots.length - 1;
    const { prefs, start } = this;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === EMPTY) {
        this.append(list, length, weight, hash);
        this.slots[slot] = this.size;
        if (this.size * 2 > this.slots.length) this.rehash();
        return;
      }
      const g = entry - 1;
      if (this.hashes[g] !== hash) continue;
      const from = start[g] as number;
      if ((start[g + 1] as number) - from !== length) continue;
      let same = true;
      for (let i = 0; i < length && same; i += 1) same = prefs[from + i] === list[i];
      if (same) {
        this.weight[g] = (this.weight[g] as number) + weight;
        return;
      }
    }
  }

  private append(list: ArrayLike<number>, length: number, weight: number, hash: number): void {
    const g = this.size;
    if (g + 2 > this.start.length) {
      this.start = grow(this.start, this.start.length * 2);
      this.weight = grow(this.weight, this.weight.length * 2);
      this.hashes = grow(this.hashes, this.hashes.length * 2);
    }
    const from = this.start[g] as number;
    if (from + length > this.prefs.length) this.prefs = grow(this.prefs, Math.max(this.prefs.length * 2, from + length));
    for (let i = 0; i < length; i += 1) this.prefs[from + i] = list[i] as number;
    this.start[g + 1] = from + length;
    this.weight[g] = weight;
    this.hashes[g] = hash;
    this.size = g + 1;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let g = 0; g < this.size; g += 1) {
      let slot = (this.hashes[g] as number) & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = g + 1;
    }
    this.slots = slots;
  }

  /** The merged lists, in order of first appearance. The builder must not be used afterwards. */
  finish(): PackedBallots {
    const { size } = this;
    return {
      size,
      prefs: this.prefs.subarray(0, this.start[size]),
      start: this.start.subarray(0, size + 1),
      weight: this.weight.subarray(0, size),
    };
  }
}

function grow<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(length);
  bigger.set(array);
  return bigger;
}

/** The profile of merged ballots, refusing totals too large to count exactly in 1e-5 units. */
export function finishProfile(names: string[], seats: number, withdrawn: ReadonlySet<number>, builder: ProfileBuilder): Profile {
  if (!Number.isSafeInteger(builder.valid * 100_000)) throw new ElectionError('too many ballots to count exactly');
  return { names, seats, withdrawn, ballots: builder.finish(), valid: builder.valid };
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
  checkWithdrawals(n, new Set(election.withdrawn), election.seats);
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

export function checkWithdrawals(candidates: number, withdrawn: ReadonlySet<number>, seats: number): void {
  if (candidates - withdrawn.size < seats) throw new ElectionError('more seats than candidates left after withdrawals');
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
 * group. Ballots with no usable preference are not valid votes and are dropped.
 */
export function profile(election: Election): Profile {
  validateElection(election);
  const withdrawn = new Set(election.withdrawn);
  const builder = new ProfileBuilder(election.candidates.length);
  for (const ballot of election.ballots) {
    const prefs = preferences(ballot.ranks, withdrawn);
    builder.add(prefs, prefs.length, ballot.weight);
  }
  return finishProfile(
    election.candidates.map((c) => c.name),
    election.seats,
    withdrawn,
    builder,
  );
}
