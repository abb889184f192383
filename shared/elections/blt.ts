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

const QUOTED = /^"((?:[^"\\]|\\.)*)"\s*/;
const WHOLE = /^\d+$/;

/** Reads non-blank lines; `#` lines are comments wherever they appear. */
class Lines {
  readonly comments: string[] = [];
  private readonly lines: string[];
  private index = 0;

  constructor(text: string) {
    this.lines = text.split(/\r?\n/);
  }

  /** The next meaningful line and its 1-based number, or null at end of file. */
  next(): { text: string; line: number } | null {
    while (this.index < this.lines.length) {
      const text = (this.lines[this.index] ?? '').trim();
      this.index += 1;
      if (text === '') continue;
      if (text.startsWith('#')) {
        this.comments.push(text.slice(1).trim());
        continue;
      }
      return { text, line: this.index };
    }
    return null;
  }

  /** The line just past the last one, blamed when the file ends too early. */
  get endLine(): number {
    const trailingNewline = this.lines[this.lines.length - 1] === '';
    return this.lines.length + (trailingNewline ? 0 : 1);
  }

  require(expected: string): { text: string; line: number } {
    const got = this.next();
    if (!got) throw new BltError(this.endLine, `${expected}, found end of file`);
    return got;
  }
}

function quotedStrings(text: string, line: number, expected: string): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    const match = QUOTED.exec(rest);
    if (!match) throw new BltError(line, expected);
    out.push((match[1] ?? '').replace(/\\(.)/g, '$1'));
    rest = rest.slice(match[0].length);
  }
  return out;
}

function parseHeader(lines: Lines): { candidates: number; seats: number } {
  const { text, line } = lines.require("a header '<candidates> <seats>'");
  const tokens = text.split(/\s+/);
  if (tokens.length !== 2 || !tokens.every((t) => WHOLE.test(t))) {
    throw new BltError(line, "a header '<candidates> <seats>'");
  }
  const candidates = Number(tokens[0]);
  const seats = Number(tokens[1]);
  if (candidates < 1) throw new BltError(line, 'at least 1 candidate in the header');
  if (seats < 1 || seats > candidates) {
    throw new BltError(line, `a number of seats between 1 and ${candidates}`);
  }
  return { candidates, seats };
}

function parseRank(token: string, candidates: number, line: number): Rank {
  if (token === '-') return [];
  const parts = token.split('=');
  if (!parts.every((p) => WHOLE.test(p))) {
    throw new BltError(line, "a ballot line ending in 0 (preferences are numbers, '-' or '2=3')");
  }
  const indices = parts.map((p) => {
    const n = Number(p);
    if (n < 1 || n > candidates) throw new BltError(line, `candidate numbers between 1 and ${candidates}`);
    return n - 1;
  });
  return indices.length === 1 ? (indices[0] as number) : indices;
}

function parseBallot(text: string, line: number, candidates: number): Ballot {
  const tokens = text.split(/\s+/);
  if (tokens.length < 2 || tokens[tokens.length - 1] !== '0') {
    throw new BltError(line, 'a ballot line ending in 0');
  }
  const weightToken = tokens[0] as string;
  if (!WHOLE.test(weightToken) || Number(weightToken) < 1) {
    throw new BltError(line, 'a ballot line starting with a positive whole-number weight');
  }
  const ranks = tokens.slice(1, -1).map((t) => parseRank(t, candidates, line));
  return { weight: Number(weightToken), ranks };
}

/**
 * Parses a BLT file (see shared/elections/README.md of the test data for the format).
 * Extensions beyond the plain format, all written back by `serializeBlt`: `2=3` puts two
 * candidates at one rank, `-` is a skipped rank, and a second quoted string on a candidate
 * line is kept as `party`.
 * @throws BltError carrying the 1-based line number and what was expected there.
 */
export function parseBlt(text: string): Election {
  const lines = new Lines(text);
  const header = parseHeader(lines);

  const withdrawn: number[] = [];
  const ballots: Ballot[] = [];
  let current = lines.require('a ballot line or the 0 line ending the ballots');
  if (current.text.startsWith('-')) {
    for (const token of current.text.split(/\s+/)) {
      const n = -Number(token);
      if (!/^-\d+$/.test(token) || n < 1 || n > header.candidates) {
        throw new BltError(current.line, `withdrawn candidate numbers between -1 and -${header.candidates}`);
      }
      withdrawn.push(n - 1);
    }
    current = lines.require('a ballot line or the 0 line ending the ballots');
  }
  while (current.text !== '0') {
    ballots.push(parseBallot(current.text, current.line, header.candidates));
    current = lines.require('a ballot line or the 0 line ending the ballots');
  }

  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  for (let k = 1; k <= header.candidates; k += 1) {
    const expected = `a quoted candidate name, optionally followed by a quoted party (candidate ${k} of ${header.candidates})`;
    const { text: lineText, line } = lines.require(expected);
    const strings = quotedStrings(lineText, line, expected);
    const [name, party] = strings;
    if (name === undefined || name.trim() === '' || strings.length > 2) throw new BltError(line, expected);
    if (seen.has(name)) throw new BltError(line, `a candidate name not used before ("${name}" is repeated)`);
    seen.add(name);
    candidates.push(party === undefined ? { name } : { name, party });
  }

  const titleLine = lines.require('the quoted election title');
  const title = quotedStrings(titleLine.text, titleLine.line, 'the quoted election title');
  if (title.length !== 1) throw new BltError(titleLine.line, 'the quoted election title');

  const extra = lines.next();
  if (extra) throw new BltError(extra.line, 'end of file after the title');

  const election: Election = { title: title[0] as string, candidates, seats: header.seats, withdrawn, ballots };
  if (lines.comments.length > 0) election.comments = lines.comments;
  return election;
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
