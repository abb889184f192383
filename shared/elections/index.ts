import { profile } from './ballots.ts';
import type { Profile } from './ballots.ts';
import { Lot } from './lot.ts';
import { countIrv } from './irv.ts';
import { countSchulze } from './schulze.ts';
import { countMeek } from './stv-meek.ts';
import { countScottish } from './stv-scottish.ts';
import type { CountOptions, Election, Method, ResultOf } from './types.ts';

export { BltError, MAX_CANDIDATES, MAX_NAME_LENGTH, parseBlt, readBltProfile, serializeBlt } from './blt.ts';
export type { BltHeader } from './blt.ts';
export { ElectionError } from './ballots.ts';
export type { PackedBallots, Profile } from './ballots.ts';
export type * from './types.ts';
export { METHODS } from './types.ts';

/** The methods that count merged preference lists, so they can start from `readBltProfile`. */
export type SequentialMethod = 'stv-scottish' | 'stv-meek' | 'irv';

export const SEQUENTIAL_METHODS: readonly Method[] = ['stv-scottish', 'stv-meek', 'irv'];

const sequential: { [K in SequentialMethod]: (profile: Profile, lot: Lot) => ResultOf[K] } = {
  'stv-scottish': countScottish,
  'stv-meek': countMeek,
  irv: countIrv,
};

/**
 * Counts an election by `method` and returns every stage or round, not only the winners.
 * Pure: no I/O, so it runs the same in a browser, a Lambda or the recount CLI.
 * @throws ElectionError when the election cannot be counted (bad indices, weights or seats).
 */
export function count<M extends Method>(method: M, election: Election, options: CountOptions = {}): ResultOf[M] {
  const lot = new Lot(options.seed);
  if (method === 'schulze') return countSchulze(election, lot) as ResultOf[M];
  return sequential[method as SequentialMethod](profile(election), lot) as ResultOf[M];
}

/** Counts a profile read by `readBltProfile`; the same result `count` gives for the same file. */
export function countProfile<M extends SequentialMethod>(method: M, ballots: Profile, options: CountOptions = {}): ResultOf[M] {
  return sequential[method](ballots, new Lot(options.seed)) as ResultOf[M];
}
