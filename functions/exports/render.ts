import { renderMarkdown } from '../../shared/markdown.ts';
import { csvCell } from '../../shared/polls/csv.ts';
import { fromStoredTally, type Poll } from '../../shared/polls/index.ts';
import { CSV_COLUMNS, type CsvName } from '../../shared/archive/group.ts';
import { escapeHtml } from '../lib/mail.ts';

/** One RFC 4180 row (CRLF), each cell neutralised against spreadsheet formulas by `csvCell`. */
export function csvRow(values: Array<string | number | boolean | null | undefined>): string {
  return `${values.map((v) => csvCell(v === undefined ? null : typeof v === 'boolean' ? String(v) : v)).join(',')}\r\n`;
}

export const csvHeader = (name: CsvName) => csvRow([...CSV_COLUMNS[name]]);

const CSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
h1,h2,h3{line-height:1.2}section.group{border-top:4px solid #333;margin-top:2rem}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}article{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
ol.timeline{list-style:none;padding:0}ol.timeline li{border-top:1px solid #eee;padding:.5rem 0}.meta{color:#555;font-size:.875rem}
.reply{margin-left:1.5rem}.deleted{color:#777;font-style:italic}@media (prefers-color-scheme:dark){body{background:#111;color:#eee}.meta{color:#aaa}th,td{border-color:#444}}`;

/**
 * The readable archive: one HTML file, written a piece at a time as the records stream by. A
 * Content-Security-Policy in the page forbids scripts and every remote load, every text is
 * escaped, and markdown is rendered with raw HTML off (`shared/markdown.ts`).
 */
export const html = {
  start: (title: string, exportedAt: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)} (archive)</title><style>${CSS}</style></head><body>
<p class="meta">Archive exported ${escapeHtml(exportedAt)}. It opens offline; attachments are in the NDJSON archive.</p>
`,
  group: (g: { name: string; handle: string; description: string; parentId: string | null }) =>
    `<section class="group"><h1>${escapeHtml(g.name)}</h1><p class="meta">@${escapeHtml(g.handle)}${g.parentId ? ' (subgroup)' : ''}</p><div>${renderMarkdown(g.description)}</div>\n`,
  membersStart: () => '<h2>Members</h2><table><thead><tr><th>Name</th><th>Email</th><th>Role</th><th>Joined</th></tr></thead><tbody>\n',
  member: (m: { name: string | null; email: string | null; role: string; title: string | null; joinedAt: string; revokedAt?: string }) =>
    `<tr><td>${escapeHtml(m.name ?? '')}</td><td>${escapeHtml(m.email ?? '')}</td><td>${escapeHtml(m.role)}${m.title ? `, ${escapeHtml(m.title)}` : ''}${m.revokedAt ? ' (left)' : ''}</td><td>${escapeHtml(m.joinedAt)}</td></tr>\n`,
  membersEnd: () => '</tbody></table><h2>Threads</h2>\n',
  thread: (t: { title: string; description: string; authorName: string | null; createdAt: string }) =>
    `<article><h3>${escapeHtml(t.title)}</h3><p class="meta">${escapeHtml(t.authorName ?? 'Unknown')}, ${escapeHtml(t.createdAt)}</p><div>${renderMarkdown(t.description)}</div><ol class="timeline">\n`,
  item: (i: { kind: string; authorName: string | null; createdAt: string; body: string; depth: number; deletedAt?: string; attachments?: Array<{ filename: string }> }) => {
    const body = i.deletedAt ? '<p class="deleted">Deleted</p>' : i.kind === 'comment' ? renderMarkdown(i.body) : `<p><strong>${escapeHtml(i.kind === 'poll' ? 'Poll' : i.kind === 'outcome' ? 'Outcome' : 'Vote')}:</strong> ${escapeHtml(i.body)}</p>`;
    const files = (i.attachments ?? []).map((a) => `<li>${escapeHtml(a.filename)}</li>`).join('');
    return `<li class="${i.depth > 0 ? 'reply' : ''}"><p class="meta">${escapeHtml(i.authorName ?? 'Unknown')}, ${escapeHtml(i.createdAt)}</p>${body}${files ? `<ul>${files}</ul>` : ''}</li>\n`;
  },
  threadEnd: () => '</ol></article>\n',
  pollsStart: () => '<h2>Polls</h2>\n',
  poll: (p: { poll: Poll; tally: Record<string, unknown>; authorName: string | null; closedAt?: string }) => {
    const tally = fromStoredTally(p.tally as never);
    const rows = p.poll.options.map((o) => `<tr><td>${escapeHtml(o.name)}</td><td>${tally.options[o.id]?.total ?? 0}</td><td>${tally.options[o.id]?.voters ?? 0}</td></tr>`).join('');
    return `<article><h3>${escapeHtml(p.poll.title)}</h3><p class="meta">${escapeHtml(p.poll.type)}${p.poll.anonymous ? ', anonymous' : ''}; ${escapeHtml(p.authorName ?? 'Unknown')}${p.closedAt ? `; closed ${escapeHtml(p.closedAt)}` : ''}; ${tally.voters} voted</p>
<table><thead><tr><th>Option</th><th>Total</th><th>Voters</th></tr></thead><tbody>${rows}</tbody></table>\n`;
  },
  outcome: (o: { statement: string; authorName: string | null; createdAt: string }) =>
    `<p><strong>Outcome</strong> (${escapeHtml(o.authorName ?? 'Unknown')}, ${escapeHtml(o.createdAt)})</p><div>${renderMarkdown(o.statement)}</div>\n`,
  pollEnd: () => '</article>\n',
  groupEnd: () => '</section>\n',
  end: () => '</body></html>\n',
};
