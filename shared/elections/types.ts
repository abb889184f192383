/** The counting methods `count()` accepts. */
export type Method = 'stv-scottish' | 'stv-meek' | 'irv' | 'schulze';

export const METHODS: readonly Method[] = ['stv-scottish', 'stv-meek', 'irv', 'schulze'];

export interface Candidate {
  name: string;
  /** A second quoted string on the BLT candidate line, usually the party. */
  party?: string;
}

/**
 * One rank on a ballot: a 0-based candidate index, or several indices when the voter put
 * more than one candidate at the same rank. An empty array is a skipped rank.
 * STV and IRV read a rank with several candidates as an overvote; Schulze reads it as a tie.
 */
export type Rank = number | readonly number[];

export interface Ballot {
  /** How many identical papers this line stands for (a positive integer). */
  weight: number;
  ranks: readonly Rank[];
}

export interface Election {
  title: string;
  candidates: Candidate[];
  seats: number;
  /** 0-based indices of withdrawn candidates: removed from every ballot before counting. */
  withdrawn: number[];
  ballots: Ballot[];
  /** `#` comment lines of a BLT file, without the `#`, kept so a file survives a round trip. */
  comments?: string[];
}

export interface CountOptions {
  /** Seed of the deterministic lot used when every other tie-break fails. Default 1. */
  seed?: number;
}

/** How a tie was settled, so an observer can check it by hand. */
export interface TieBreak {
  among: string[];
  chosen: string;
  /** `earlier-stage`: totals at an earlier stage or round differed; `lot`: the seeded draw. */
  by: 'earlier-stage' | 'lot';
}

export interface StvStage {
  /** Every candidate's total after this stage, as an exact 5-decimal string. */
  votes: Record<string, string>;
  /** Running total of exhausted papers plus value lost to truncation or rounding. */
  non_transferable: string;
  elected: string[];
  excluded: string[];
  /** Whose surplus was transferred at this stage, if any. */
  surplus: string | null;
  tie_break?: TieBreak;
}

export interface StvResult {
  method: 'stv-scottish' | 'stv-meek';
  seats: number;
  valid_votes: number;
  quota: string;
  seed: number;
  stages: StvStage[];
  elected: string[];
}

export interface MeekStage extends StvStage {
  /** Meek's quota moves as papers exhaust, so each stage reports its own. */
  quota: string;
  keep_values: Record<string, string>;
  iterations: number;
}

export interface MeekResult extends StvResult {
  method: 'stv-meek';
  stages: MeekStage[];
  /** Internal fixed-point scale, e.g. "1e-9". */
  precision: string;
  /** Keep values are iterated until the total surplus is at most this many votes. */
  tolerance: string;
}

export interface IrvRound {
  votes: Record<string, string>;
  /** Running total of ballots with no continuing candidate left. */
  exhausted: string;
  /** Ballots still counting for a candidate in this round. */
  continuing: string;
  eliminated: string[];
  elected: string[];
  tie_break?: TieBreak;
}

export interface IrvResult {
  method: 'irv';
  seats: 1;
  valid_votes: number;
  seed: number;
  rounds: IrvRound[];
  winner: string;
  elected: string[];
}

export interface SchulzeResult {
  method: 'schulze';
  seed: number;
  valid_votes: number;
  /** Row and column order of `d` and `p`: the candidates not withdrawn. */
  candidates: string[];
  /** d[i][j]: total weight of ballots preferring candidates[i] to candidates[j]. */
  d: number[][];
  /** p[i][j]: strength of the strongest path from candidates[i] to candidates[j]. */
  p: number[][];
  condorcet_winner: string | null;
  /** Best first; candidates in the same inner array are tied. */
  ranking: string[][];
  winner: string;
  elected: string[];
  tie_break?: TieBreak;
}

export interface ResultOf {
  'stv-scottish': StvResult;
  'stv-meek': MeekResult;
  irv: IrvResult;
  schulze: SchulzeResult;
}
