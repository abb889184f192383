import { ElectionError, ProfileBuilder, checkWithdrawals, finishProfile } from './ballots.ts';
import type { Profile } from './ballots.ts';
import type { Ballot, Candidate, Election, Rank } from './types.ts';

/** A malformed BLT file: `line` is 1-based, `expected` says what the parser wanted there. */
export class BltError extends Error {
  readonly line: number;
  readonly expected: string;

  constructor(line: number, expected: string) {
    super(`line ${line}: expected ${expected}`);
    this.name = 'BltError';
    this.line = line;
    this.expected = expected;
  }
}

/** Longest candidate name, party or title, in characters: far above any real one, far below a hostile one. */
export const MAX_NAME_LENGTH = 1_000;

/** Most candidates a file may declare: each costs memory before a single ballot is read. */
export const MAX_CANDIDATES = 10_000;

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const HASH = 0x23;
const MINUS = 0x2d;
const EQUALS = 0x3d;
const BACKSLASH = 0x5c;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const BALLOT_OR_END = 'a ballot line or the 0 line ending the ballots';
const BALLOT_END = 'a ballot line ending in 0';

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0b || b === 0x0c;
const isDigit = (b: number) => b >= DIGIT_0 && b <= DIGIT_9;
/** The end of a token: whitespace or the end of its line. */
const ends = (bytes: Uint8Array, i: number, end: number) => i >= end || isSpace(bytes[i] as number);

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/** One meaningful line: bytes `start` to `end` with surrounding whitespace trimmed. */
interface Span {
  start: number;
  end: number;
  line: number;
}

/**
 * Walks the file's bytes once, line by line. Blank lines are skipped and `#` lines are
 * comments wherever they appear. Nothing here is a regular expression or builds a string
 * per line, so a huge line costs its length and no more.
 */
class Scanner {
  readonly comments: string[] = [];
  private position = 0;
  private line = 0;

  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    // A UTF-8 byte-order mark is not part of the header.
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) this.position = 3;
  }

  next(): Span | null {
    const { bytes } = this;
    while (this.position < bytes.length) {
      // A plain loop: a native indexOf per line costs more than the line on million-line files.
      let end = this.position;
      while (end < bytes.length && bytes[end] !== NEWLINE) end += 1;
      let start = this.position;
      this.position = end + 1;
      this.line += 1;
      while (start < end && isSpace(bytes[start] as number)) start += 1;
      while (end > start && isSpace(bytes[end - 1] as number)) end -= 1;
      if (start === end) continue;
      if (bytes[start] === HASH) {
        this.comments.push(lenient.decode(bytes.subarray(start + 1, end)).trim());
        continue;
      }
      return { start, end, line: this.line };
    }
    return null;
  }

  /** The line just past the last one, blamed when the file ends too early (call once `next` has returned null). */
  get endLine(): number {
    return this.line + 1;
  }

  require(expected: string): Span {
    const got = this.next();
    if (!got) throw new BltError(this.endLine, `${expected}, found end of file`);
    return got;
  }

  /** The span as ASCII text, for the short lines (header, withdrawn) that are checked token by token. */
  ascii({ start, end }: Span): string {
    return lenient.decode(this.bytes.subarray(start, end));
  }
}

/** Header and withdrawn lines are split into tokens; one longer than this is refused unsplit. */
const LONGEST_SHORT_LINE = 4096;

function tokens(text: string): string[] {
  return text.split(/[ \t\r\v\f]+/);
}

const WHOLE = /^\d+$/;

function parseHeader(scanner: Scanner): { candidates: number; seats: number } {
  const span = scanner.require("a header '<candidates> <seats>'");
  const parts = span.end - span.start > LONGEST_SHORT_LINE ? [] : tokens(scanner.ascii(span));
  if (parts.length !== 2 || !parts.every((t) => WHOLE.test(t))) {
    throw new BltError(span.line, "a header '<candidates> <seats>'");
  }
  const candidates = Number(parts[0]);
  const seats = Number(parts[1]);
  if (candidates < 1) throw new BltError(span.line, 'at least 1 candidate in the header');
  if (candidates > MAX_CANDIDATES) throw new BltError(span.line, `at most ${MAX_CANDIDATES} candidates in the header`);
  if (seats < 1 || seats > candidates) {
    throw new BltError(span.line, `a number of seats between 1 and ${candidates}`);
  }
  return { candidates, seats };
}

function parseWithdrawn(scanner: Scanner, span: Span, candidates: number): number[] {
  const expected = `withdrawn candidate numbers between -1 and -${candidates}`;
  const withdrawn: number[] = [];
  if (span.end - span.start > LONGEST_SHORT_LINE + 24 * candidates) throw new BltError(span.line, expected);
  for (const token of tokens(scanner.ascii(span))) {
    const n = -Number(token);
    if (!/^-\d+$/.test(token) || n < 1 || n > candidates) throw new BltError(span.line, expected);
    withdrawn.push(n - 1);
  }
  return withdrawn;
}

/**
 * A ballot line's ranks, written into `ranks` by `readBallot`: `k > 0` starts a new rank
 * with candidate k (1-based), `-k` puts candidate k at the same rank as the one before
 * (`2=3`), and 0 is a skipped rank (`-`).
 */
class BallotReader {
  ranks = new Int32Array(64);
  length = 0;
  weight = 0;
  /** `seen[c] === stamp` when candidate c is already on the current ballot. */
  private readonly seen: Uint32Array;
  private stamp = 0;
  private readonly bytes: Uint8Array;
  private readonly candidates: number;

  constructor(bytes: Uint8Array, candidates: number) {
    this.bytes = bytes;
    this.candidates = candidates;
    this.seen = new Uint32Array(candidates + 1);
  }

  /** Reads one ballot line, or explains exactly what is wrong with it. */
  read(span: Span): void {
    if (!this.tryRead(span)) explainBallot(this.bytes, span, this.candidates);
  }

  private push(value: number): void {
    if (this.length === this.ranks.length) {
      const bigger = new Int32Array(this.ranks.length * 2);
      bigger.set(this.ranks);
      this.ranks = bigger;
    }
    this.ranks[this.length] = value;
    this.length += 1;
  }

  /** The fast path for well-formed lines: false at the first thing out of place. */
  private tryRead({ start, end }: Span): boolean {
    const { bytes, candidates } = this;
    this.length = 0;
    this.stamp += 1;
    if (this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    let i = start;
    let weight = 0;
    while (i < end && isDigit(bytes[i] as number)) {
      weight = weight * 10 + (bytes[i] as number) - DIGIT_0;
      i += 1;
    }
    if (i === start || weight < 1 || !Number.isSafeInteger(weight) || !ends(bytes, i, end)) return false;
    this.weight = weight;
    for (;;) {
      while (i < end && isSpace(bytes[i] as number)) i += 1;
      if (i >= end) return false;
      const b = bytes[i] as number;
      if (b === DIGIT_0 && ends(bytes, i + 1, end)) {
        // The closing 0 must be the last token on the line.
        return i + 1 >= end;
      }
      if (b === MINUS && ends(bytes, i + 1, end)) {
        this.push(0);
        i += 1;
        continue;
      }
      let joined = false;
      for (;;) {
        let k = 0;
        const from = i;
        while (i < end && isDigit(bytes[i] as number)) {
          k = k * 10 + (bytes[i] as number) - DIGIT_0;
          i += 1;
        }
        if (i === from || k < 1 || k > candidates || this.seen[k] === this.stamp) return false;
        this.seen[k] = this.stamp;
        this.push(joined ? -k : k);
        if (i < end && bytes[i] === EQUALS) {
          i += 1;
          joined = true;
          continue;
        }
        if (!ends(bytes, i, end)) return false;
        break;
      }
    }
  }
}

/** The error a malformed ballot line gets: the checks in the order a reader would make them. */
function explainBallot(bytes: Uint8Array, { start, end, line }: Span, candidates: number): never {
  const tokenAt = (from: number) => {
    let to = from;
    while (to < end && !isSpace(bytes[to] as number)) to += 1;
    return to;
  };
  let last = end;
  while (last > start && !isSpace(bytes[last - 1] as number)) last -= 1;
  if (last === start || end - last !== 1 || bytes[last] !== DIGIT_0) throw new BltError(line, BALLOT_END);
  const weightEnd = tokenAt(start);
  let weight = 0;
  for (let j = start; j < weightEnd && weight >= 0; j += 1) {
    const b = bytes[j] as number;
    weight = isDigit(b) ? weight * 10 + b - DIGIT_0 : -1;
  }
  if (weight < 1 || !Number.isSafeInteger(weight)) {
    throw new BltError(line, 'a ballot line starting with a positive whole-number weight');
  }
  const seen = new Set<number>();
  for (let i = weightEnd; i < last; ) {
    while (i < last && isSpace(bytes[i] as number)) i += 1;
    if (i >= last) break;
    const to = tokenAt(i);
    const from = i;
    i = to;
    if (to - from === 1 && bytes[from] === MINUS) continue;
    // Numbers joined by '=', checked for form before any is read, as a person would read it.
    let digits = 0;
    let wellFormed = true;
    for (let j = from; j < to && wellFormed; j += 1) {
      const b = bytes[j] as number;
      if (isDigit(b)) digits += 1;
      else if (b === EQUALS && digits > 0) digits = 0;
      else wellFormed = false;
    }
    if (!wellFormed || digits === 0) {
      throw new BltError(line, "a ballot line ending in 0 (preferences are numbers, '-' or '2=3')");
    }
    for (let j = from; j < to; j += 1) {
      let n = 0;
      while (j < to && bytes[j] !== EQUALS) {
        n = n * 10 + (bytes[j] as number) - DIGIT_0;
        j += 1;
      }
      if (n < 1 || n > candidates) throw new BltError(line, `candidate numbers between 1 and ${candidates}`);
      if (seen.has(n)) throw new BltError(line, `a ballot that ranks each candidate at most once (candidate ${n} is repeated)`);
      seen.add(n);
    }
  }
  throw new BltError(line, BALLOT_END);
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** The quoted strings on a line, unescaped (`\"` and `\\`), each at most `MAX_NAME_LENGTH` characters. */
function quotedStrings(bytes: Uint8Array, { start, end, line }: Span, expected: string, tooLong: string): string[] {
  const out: string[] = [];
  let i = start;
  while (i < end) {
    if (bytes[i] !== QUOTE) throw new BltError(line, expected);
    i += 1;
    const from = i;
    let escapes = false;
    while (i < end && bytes[i] !== QUOTE) {
      if (bytes[i] === BACKSLASH) {
        escapes = true;
        i += 1;
      }
      i += 1;
    }
    if (i >= end) throw new BltError(line, expected);
    // Four bytes is the longest a UTF-8 character can be, so this refuses a 50 MB name before decoding it.
    if (i - from > 4 * MAX_NAME_LENGTH) throw new BltError(line, tooLong);
    let raw = bytes.subarray(from, i);
    if (escapes) {
      const unescaped = new Uint8Array(raw.length);
      let length = 0;
      for (let j = 0; j < raw.length; j += 1) {
        if (raw[j] === BACKSLASH) j += 1;
        unescaped[length] = raw[j] as number;
        length += 1;
      }
      raw = unescaped.subarray(0, length);
    }
    let value: string;
    try {
      value = utf8.decode(raw);
    } catch {
      throw new BltError(line, `${expected} in well-formed UTF-8`);
    }
    if (value.length > MAX_NAME_LENGTH && codePoints(value) > MAX_NAME_LENGTH) throw new BltError(line, tooLong);
    out.push(value);
    i += 1;
    while (i < end && isSpace(bytes[i] as number)) i += 1;
  }
  return out;
}

/** Everything in a BLT file apart from its ballots. */
export interface BltHeader {
  title: string;
  candidates: Candidate[];
  seats: number;
  withdrawn: number[];
  comments?: string[];
}

/**
 * The one reader behind `parseBlt` and `readBltProfile`: header, withdrawn line, then each
 * ballot handed to `onBallot` as it is read (the reader's buffer is reused for the next
 * line), then the candidates and the title.
 */
function scanBlt(bytes: Uint8Array, onStart: (candidates: number, withdrawn: number[]) => (reader: BallotReader) => void): BltHeader {
  const scanner = new Scanner(bytes);
  const header = parseHeader(scanner);

  let withdrawn: number[] = [];
  let current = scanner.require(BALLOT_OR_END);
  if (bytes[current.start] === MINUS) {
    withdrawn = parseWithdrawn(scanner, current, header.candidates);
    current = scanner.require(BALLOT_OR_END);
  }
  const onBallot = onStart(header.candidates, withdrawn);
  const reader = new BallotReader(bytes, header.candidates);
  while (!(current.end - current.start === 1 && bytes[current.start] === DIGIT_0)) {
    reader.read(current);
    onBallot(reader);
    current = scanner.require(BALLOT_OR_END);
  }

  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  for (let k = 1; k <= header.candidates; k += 1) {
    const of = `(candidate ${k} of ${header.candidates})`;
    const expected = `a quoted candidate name, optionally followed by a quoted party ${of}`;
    const span = scanner.require(expected);
    const strings = quotedStrings(bytes, span, expected, `a candidate name and party of at most ${MAX_NAME_LENGTH} characters each ${of}`);
    const [name, party] = strings;
    if (name === undefined || name.trim() === '' || strings.length > 2) throw new BltError(span.line, expected);
    if (seen.has(name)) throw new BltError(span.line, `a candidate name not used before ("${name}" is repeated)`);
    seen.add(name);
    candidates.push(party === undefined ? { name } : { name, party });
  }

  const titleSpan = scanner.require('the quoted election title');
  const title = quotedStrings(bytes, titleSpan, 'the quoted election title', `a title of at most ${MAX_NAME_LENGTH} characters`);
  if (title.length !== 1) throw new BltError(titleSpan.line, 'the quoted election title');

  const extra = scanner.next();
  if (extra) throw new BltError(extra.line, 'end of file after the title');

  const result: BltHeader = { title: title[0] as string, candidates, seats: header.seats, withdrawn };
  if (scanner.comments.length > 0) result.comments = scanner.comments;
  return result;
}

function toBytes(input: string | Uint8Array): Uint8Array {
  if (typeof input !== 'string') return input;
  if (!input.isWellFormed()) {
    // A lone surrogate cannot be written as UTF-8; name its line rather than store U+FFFD in its place.
    let line = 1;
    for (let i = 0; i < input.length; i += 1) {
      const unit = input.charCodeAt(i);
      if (unit === NEWLINE) line += 1;
      else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < input.length && (input.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i += 1;
      else if (unit >= 0xd800 && unit <= 0xdfff) break;
    }
    throw new BltError(line, 'well-formed Unicode text');
  }
  return new TextEncoder().encode(input);
}

function ranksOf(reader: BallotReader): Rank[] {
  const { ranks, length } = reader;
  const out: Rank[] = [];
  for (let i = 0; i < length; i += 1) {
    const v = ranks[i] as number;
    if (v === 0) {
      out.push([]);
      continue;
    }
    if (i + 1 < length && (ranks[i + 1] as number) < 0) {
      const tied = [v - 1];
      while (i + 1 < length && (ranks[i + 1] as number) < 0) {
        i += 1;
        tied.push(-(ranks[i] as number) - 1);
      }
      out.push(tied);
      continue;
    }
    out.push(v - 1);
  }
  return out;
}

/**
 * Parses a BLT file (see shared/elections/README.md of the test data for the format).
 * Extensions beyond the plain format, all written back by `serializeBlt`: `2=3` puts two
 * candidates at one rank, `-` is a skipped rank, and a second quoted string on a candidate
 * line is kept as `party`. A ballot that ranks a candidate twice is refused, not tidied.
 * @throws BltError carrying the 1-based line number and what was expected there.
 */
export function parseBlt(input: string | Uint8Array): Election {
  const ballots: Ballot[] = [];
  const header = scanBlt(toBytes(input), () => (reader) => {
    ballots.push({ weight: reader.weight, ranks: ranksOf(reader) });
  });
  const { comments, ...rest } = header;
  const election: Election = { ...rest, ballots };
  if (comments) election.comments = comments;
  return election;
}

/**
 * Reads a BLT file straight into what the sequential methods count (Scottish and Meek STV,
 * IRV), in one pass over its bytes: each ballot's preferences are worked out as it is read
 * (withdrawn candidates removed, an overvote ends the ballot) and identical ones merged, so
 * a million-ballot file never exists as a million objects.
 * @throws BltError for a malformed file, ElectionError for one that cannot be counted.
 */
export function readBltProfile(input: string | Uint8Array): BltHeader & { profile: Profile } {
  // Set once the header is read, before the first ballot.
  let builder = undefined as ProfileBuilder | undefined;
  let withdrawnSet: ReadonlySet<number> = new Set();
  const header = scanBlt(toBytes(input), (candidates, withdrawn) => {
    withdrawnSet = new Set(withdrawn);
    const isWithdrawn = new Uint8Array(candidates);
    for (const c of withdrawn) isWithdrawn[c] = 1;
    const prefs = new Int32Array(candidates);
    const ballots = new ProfileBuilder(candidates);
    builder = ballots;
    return (reader) => {
      const { ranks, length } = reader;
      let count = 0;
      for (let i = 0; i < length; ) {
        const first = ranks[i] as number;
        i += 1;
        if (first === 0) continue;
        // One rank: `first` and any candidates tied with it; more than one left is an overvote.
        let chosen = isWithdrawn[first - 1] === 1 ? -1 : first - 1;
        let fresh = chosen < 0 ? 0 : 1;
        while (i < length && (ranks[i] as number) < 0) {
          const c = -(ranks[i] as number) - 1;
          i += 1;
          if (isWithdrawn[c] === 0) {
            chosen = c;
            fresh += 1;
          }
        }
        if (fresh > 1) break;
        if (fresh === 1) {
          prefs[count] = chosen;
          count += 1;
        }
      }
      ballots.add(prefs, count, reader.weight);
    };
  });
  checkWithdrawals(header.candidates.length, withdrawnSet, header.seats);
  if (!builder) throw new Error('the BLT reader never reached the ballots');
  const profile = finishProfile(
    header.candidates.map((c) => c.name),
    header.seats,
    withdrawnSet,
    builder,
  );
  return { ...header, profile };
}

function quote(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}

function rankToken(rank: Rank): string {
  if (typeof rank === 'number') return String(rank + 1);
  if (rank.length === 0) return '-';
  return rank.map((c) => c + 1).join('=');
}

/** Writes an election as BLT; `parseBlt(serializeBlt(e))` equals any `e` that `parseBlt` produced. */
export function serializeBlt(election: Election): string {
  const out: string[] = [];
  for (const comment of election.comments ?? []) out.push(`# ${comment}`);
  out.push(`${election.candidates.length} ${election.seats}`);
  if (election.withdrawn.length > 0) out.push(election.withdrawn.map((c) => `-${c + 1}`).join(' '));
  for (const ballot of election.ballots) {
    out.push([String(ballot.weight), ...ballot.ranks.map(rankToken), '0'].join(' '));
  }
  out.push('0');
  for (const c of election.candidates) out.push(c.party === undefined ? quote(c.name) : `${quote(c.name)} ${quote(c.party)}`);
  out.push(quote(election.title));
  return `${out.join('\n')}\n`;
}
