import { rankCount } from './poll.ts';
import type { Ballot, MeetingTally, OptionTally, Poll, Tally, TallyDelta } from './types.ts';

const ANSWER_SCORE = { yes: 2, maybe: 1, no: 0 } as const;

/** A tally with a zeroed entry for every option, so every path a delta adds to already exists. */
export function emptyTally(poll: Poll): Tally {
  const tally: Tally = { voters: 0, options: Object.fromEntries(poll.options.map((o) => [o.id, { total: 0, voters: 0 }])) };
  if (poll.type === 'meeting') tally.meeting = Object.fromEntries(poll.options.map((o) => [o.id, { yes: 0, maybe: 0, no: 0 }]));
  return tally;
}

/**
 * What one validated ballot adds to the tally. Every number is an integer: votes, dots,
 * scores, Borda points (position i of K scores K − i) and meeting scores (yes 2, maybe 1).
 */
export function ballotDelta(poll: Poll, ballot: Ballot): TallyDelta {
  const options: Record<string, OptionTally> = {};
  const add = (id: string, total: number, voters: number) => {
    const entry = (options[id] ??= { total: 0, voters: 0 });
    entry.total += total;
    entry.voters += voters;
  };
  const { choices } = ballot;
  const delta: TallyDelta = { voters: 1, options };
  switch (poll.type) {
    case 'proposal':
    case 'check':
    case 'count':
    case 'poll':
      if ('option' in choices) add(choices.option, 1, 1);
      if ('options' in choices) for (const id of choices.options) add(id, 1, 1);
      break;
    case 'dot_vote':
      if ('scores' in choices) for (const [id, dots] of Object.entries(choices.scores)) if (dots > 0) add(id, dots, 1);
      break;
    case 'score':
      if ('scores' in choices) for (const [id, score] of Object.entries(choices.scores)) add(id, score, 1);
      break;
    case 'ranked_choice': {
      const k = rankCount(poll);
      if ('ranking' in choices) choices.ranking.forEach((id, i) => add(id, k - i, 1));
      break;
    }
    case 'election':
      // The count itself needs the ballots; the tally keeps first preferences for a live view.
      if ('ranking' in choices) choices.ranking.forEach((id, i) => add(id, i === 0 ? 1 : 0, 1));
      break;
    case 'meeting': {
      const meeting: Record<string, MeetingTally> = {};
      if ('answers' in choices) {
        for (const [id, answer] of Object.entries(choices.answers)) {
          meeting[id] = { yes: 0, maybe: 0, no: 0, [answer]: 1 };
          add(id, ANSWER_SCORE[answer], answer === 'no' ? 0 : 1);
        }
      }
      delta.meeting = meeting;
      break;
    }
    case 'question':
      break;
  }
  return delta;
}

/** Adds (`sign` 1) or removes (`sign` −1) a delta; returns a new tally and leaves both inputs alone. */
export function applyDelta(tally: Tally, delta: TallyDelta, sign: 1 | -1): Tally {
  const next: Tally = {
    voters: tally.voters + sign * delta.voters,
    options: Object.fromEntries(Object.entries(tally.options).map(([id, o]) => [id, { ...o }])),
  };
  for (const [id, d] of Object.entries(delta.options)) {
    const entry = (next.options[id] ??= { total: 0, voters: 0 });
    entry.total += sign * d.total;
    entry.voters += sign * d.voters;
  }
  if (tally.meeting || delta.meeting) {
    next.meeting = Object.fromEntries(Object.entries(tally.meeting ?? {}).map(([id, m]) => [id, { ...m }]));
    for (const [id, d] of Object.entries(delta.meeting ?? {})) {
      const entry = (next.meeting[id] ??= { yes: 0, maybe: 0, no: 0 });
      entry.yes += sign * d.yes;
      entry.maybe += sign * d.maybe;
      entry.no += sign * d.no;
    }
  }
  return next;
}

/** Builds the tally from scratch from each voter's latest ballot: the repair and the oracle. */
export function recount(poll: Poll, ballots: Iterable<Ballot>): Tally {
  let tally = emptyTally(poll);
  for (const ballot of ballots) tally = applyDelta(tally, ballotDelta(poll, ballot), 1);
  return tally;
}

// Option ids may hold `_` and `-`; stored keys use only [A-Za-z0-9_], so `_` becomes `_0`
// and `-` becomes `_1`. The mapping is one-to-one, so `fromStoredTally` can undo it.

/** The stored map key of an option id. */
export function tallyKey(optionId: string): string {
  return optionId.replace(/[_-]/g, (c) => (c === '_' ? '_0' : '_1'));
}

/** The option id of a stored map key. */
export function optionIdOfKey(key: string): string {
  return key.replace(/_([01])/g, (_, c: string) => (c === '0' ? '_' : '-'));
}

const mapKeys = <V>(record: Record<string, V>, f: (key: string) => string): Record<string, V> =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [f(k), { ...v }]));

/** The tally as it is stored on the poll item: option keys encoded with `tallyKey`. */
export function toStoredTally(tally: Tally): Tally {
  const stored: Tally = { voters: tally.voters, options: mapKeys(tally.options, tallyKey) };
  if (tally.meeting) stored.meeting = mapKeys(tally.meeting, tallyKey);
  return stored;
}

/** Reads a stored tally back into option ids. */
export function fromStoredTally(stored: Tally): Tally {
  const tally: Tally = { voters: Number(stored.voters), options: mapKeys(stored.options, optionIdOfKey) };
  if (stored.meeting) tally.meeting = mapKeys(stored.meeting, optionIdOfKey);
  return tally;
}

/**
 * Flattens a delta to `{ path: increment }` relative to the stored tally, e.g.
 * `{ voters: 1, "options.o1.total": 3, "options.o1.voters": 1, "meeting.o1.yes": 1 }`.
 * Segments are `[A-Za-z0-9_]` only; zero increments are left out.
 */
export function deltaToAdds(delta: TallyDelta): Record<string, number> {
  const adds: Record<string, number> = {};
  const put = (path: string, n: number) => {
    if (n !== 0) adds[path] = (adds[path] ?? 0) + n;
  };
  put('voters', delta.voters);
  for (const [id, o] of Object.entries(delta.options)) {
    put(`options.${tallyKey(id)}.total`, o.total);
    put(`options.${tallyKey(id)}.voters`, o.voters);
  }
  for (const [id, m] of Object.entries(delta.meeting ?? {})) {
    for (const answer of ['yes', 'maybe', 'no'] as const) put(`meeting.${tallyKey(id)}.${answer}`, m[answer]);
  }
  return adds;
}

/**
 * The adds for one voter's change: `next` minus `previous` (null for a first vote or a
 * withdrawal). Paths whose increments cancel out are left out, so a re-cast identical vote
 * adds nothing.
 */
export function voteChangeAdds(poll: Poll, previous: Ballot | null, next: Ballot | null): Record<string, number> {
  const adds: Record<string, number> = {};
  const merge = (ballot: Ballot, sign: 1 | -1) => {
    for (const [path, n] of Object.entries(deltaToAdds(ballotDelta(poll, ballot)))) adds[path] = (adds[path] ?? 0) + sign * n;
  };
  if (previous) merge(previous, -1);
  if (next) merge(next, 1);
  return Object.fromEntries(Object.entries(adds).filter(([, n]) => n !== 0));
}
