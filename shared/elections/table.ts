import type { IrvResult, MeekResult, SchulzeResult, StvResult, TieBreak } from './types.ts';

type AnyResult = StvResult | MeekResult | IrvResult | SchulzeResult;

/** Lays out rows of cells in columns: the first column left-aligned, numbers right-aligned. */
function grid(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n');
}

const tieNote = (tie: TieBreak | undefined) => (tie ? ` (tie between ${tie.among.join(', ')} settled by ${tie.by})` : '');

function stvTable(result: StvResult): string {
  const names = Object.keys(result.stages[0]?.votes ?? {});
  const rows = [
    ['Stage', ...result.stages.map((_, i) => String(i + 1))],
    ...names.map((name) => [name, ...result.stages.map((s) => s.votes[name] ?? '')]),
    ['Non-transferable', ...result.stages.map((s) => s.non_transferable)],
  ];
  const events = result.stages.map((s, i) => {
    const parts = [
      i === 0 ? 'first preferences' : '',
      s.surplus ? `surplus of ${s.surplus}` : '',
      s.excluded.length ? `excluded ${s.excluded.join(', ')}` : '',
      s.elected.length ? `elected ${s.elected.join(', ')}` : '',
      'keep_values' in s && i > 0 && !s.excluded.length ? 'keep values iterated' : '',
    ].filter(Boolean);
    return `Stage ${i + 1}: ${parts.join('; ')}${tieNote(s.tie_break)}`;
  });
  return [
    `${result.method}: ${result.seats} seats, ${result.valid_votes} valid votes, quota ${result.quota}, lot seed ${result.seed}`,
    '',
    grid(rows),
    '',
    ...events,
    '',
    `Elected: ${result.elected.join(', ')}`,
  ].join('\n');
}

function irvTable(result: IrvResult): string {
  const names = Object.keys(result.rounds[0]?.votes ?? {});
  const rows = [
    ['Round', ...result.rounds.map((_, i) => String(i + 1))],
    ...names.map((name) => [name, ...result.rounds.map((r) => r.votes[name] ?? '')]),
    ['Exhausted', ...result.rounds.map((r) => r.exhausted)],
  ];
  const events = result.rounds.flatMap((r, i) =>
    r.eliminated.length || r.elected.length
      ? [`Round ${i + 1}: ${[r.eliminated.length ? `eliminated ${r.eliminated.join(', ')}` : '', r.elected.length ? `elected ${r.elected.join(', ')}` : ''].filter(Boolean).join('; ')}${tieNote(r.tie_break)}`]
      : [],
  );
  return [`irv: ${result.valid_votes} valid votes, lot seed ${result.seed}`, '', grid(rows), '', ...events, '', `Elected: ${result.winner}`].join('\n');
}

function schulzeTable(result: SchulzeResult): string {
  const matrix = (title: string, m: number[][]) =>
    grid([[title, ...result.candidates.map((_, j) => String(j + 1))], ...result.candidates.map((name, i) => [`${i + 1} ${name}`, ...(m[i] ?? []).map((v, j) => (i === j ? '-' : String(v)))])]);
  return [
    `schulze: ${result.valid_votes} valid votes, lot seed ${result.seed}`,
    '',
    matrix('d[i][j] voters preferring i to j', result.d),
    '',
    matrix('p[i][j] strongest path i to j', result.p),
    '',
    `Condorcet winner: ${result.condorcet_winner ?? 'none'}`,
    `Ranking: ${result.ranking.map((tier) => tier.join(' = ')).join(' > ')}`,
    `Elected: ${result.winner}${tieNote(result.tie_break)}`,
  ].join('\n');
}

/** A plain-text report of any count: the stage-by-stage (or round-by-round) table, events and winners. */
export function renderResult(result: AnyResult): string {
  switch (result.method) {
    case 'irv':
      return irvTable(result);
    case 'schulze':
      return schulzeTable(result);
    default:
      return stvTable(result);
  }
}
