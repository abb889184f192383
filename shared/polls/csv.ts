import { choiceShape } from './poll.ts';
import type { Poll, PollResults, VoterBallot } from './types.ts';

type Cell = string | number | null;

/**
 * One RFC 4180 field. Text that a spreadsheet would run as a formula (starting with = + - @,
 * or a tab or carriage return) gets a leading single quote; numbers are written as numbers.
 */
export function csvCell(value: Cell): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const toCsv = (rows: Cell[][]) => rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';

/** The result table as CSV: one row per option (or per answer, for questions). */
export function resultsCsv(poll: Poll, results: PollResults): string {
  if (poll.type === 'question') return toCsv([['Voter', 'Answer'], ...(results.answers ?? []).map((a) => [a.voterName, a.reason])]);
  if (poll.type === 'meeting') {
    return toCsv([
      ['Time', 'Yes', 'Maybe', 'No', 'Score'],
      ...results.options.map((o) => [o.name, o.answers?.yes ?? 0, o.answers?.maybe ?? 0, o.answers?.no ?? 0, o.total]),
    ]);
  }
  if (poll.type === 'election') {
    const elected = new Set(results.election?.elected ?? []);
    return toCsv([['Candidate', 'First preferences', 'Ranked by', 'Elected'], ...results.options.map((o) => [o.name, o.total, o.voters, elected.has(o.name) ? 'yes' : 'no'])]);
  }
  const withAverage = results.options.some((o) => o.average !== null);
  const withPass = results.options.some((o) => o.passTest !== null);
  const header = ['Option', 'Total', 'Voters', '% of votes', '% of eligible voters', ...(withAverage ? ['Average'] : []), 'Rank', ...(withPass ? ['Pass test'] : [])];
  const rows = results.options.map((o) => [
    o.name,
    o.total,
    o.voters,
    o.percentOfVotes,
    o.percentOfEligible,
    ...(withAverage ? [o.average] : []),
    o.rank,
    ...(withPass ? [o.passTest ? (o.passTest.passed ? 'pass' : 'fail') : null] : []),
  ]);
  return toCsv([header, ...rows]);
}

/**
 * Every voter's latest ballot as CSV: one row per voter, one column per option where the
 * choice is per option. Anonymous polls leave out the voter column.
 */
export function votesCsv(poll: Poll, ballots: VoterBallot[]): string {
  const shape = choiceShape(poll);
  const named = !poll.anonymous;
  const nameOf = new Map(poll.options.map((o) => [o.id, o.name]));
  const perOption = shape === 'scores' || shape === 'ranking' || shape === 'answers';
  const header: Cell[] = [...(named ? ['Voter'] : []), ...(perOption ? poll.options.map((o) => o.name) : shape === 'none' ? [] : ['Choice']), 'Reason'];
  const rows = ballots.map(({ voterName, ballot }) => {
    const c = ballot.choices;
    let cells: Cell[] = [];
    if ('option' in c) cells = [nameOf.get(c.option) ?? c.option];
    else if ('options' in c) cells = [c.options.map((id) => nameOf.get(id) ?? id).join('; ')];
    else if ('scores' in c) cells = poll.options.map((o) => c.scores[o.id] ?? null);
    else if ('ranking' in c) cells = poll.options.map((o) => (c.ranking.includes(o.id) ? c.ranking.indexOf(o.id) + 1 : null));
    else if ('answers' in c) cells = poll.options.map((o) => c.answers[o.id] ?? null);
    return [...(named ? [voterName] : []), ...cells, ballot.reason];
  });
  return toCsv([header, ...rows]);
}
