import { profile } from './ballots.ts';
import { Lot } from './lot.ts';
import { countIrv } from './irv.ts';
import { countSchulze } from './schulze.ts';
import { countMeek } from './stv-meek.ts';
import { countScottish } from './stv-scottish.ts';
import type { CountOptions, Election, Method, ResultOf } from './types.ts';

export { BltError, parseBlt, serializeBlt } from './blt.ts';
export { ElectionError } from './ballots.ts';
export type * from './types.ts';
export { METHODS } from './types.ts';

/**
 * Counts an election by `method` and returns every stage or round, not only the winners.
 * Pure: no I/O, so it runs the same in a browser, a Lambda or the recount CLI.
 * @throws ElectionError when the election cannot be counted (bad indices, weights or seats).
 */
export function count<M extends Method>(method: M, election: Election, options: CountOptions = {}): ResultOf[M] {
  const lot = new Lot(options.seed);
  const counters: { [K in Method]: () => ResultOf[K] } = {
    'stv-scottish': () => countScottish(profile(election), lot),
    'stv-meek': () => countMeek(profile(election), lot),
    irv: () => countIrv(profile(election), lot),
    schulze: () => countSchulze(election, lot),
  };
  return counters[method]();
}
