import { csvCell } from '../../shared/polls/csv.ts';
import { canSeeAudit } from '../../shared/permissions/exports.ts';
import { canSeeGroup } from '../../shared/permissions/groups.ts';
import { canSeeResults } from '../../shared/permissions/polls.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { getMany, queryPage } from '../lib/db.ts';
import type { EventRecordItem } from '../lib/entities.ts';
import { forbidden, notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { groupKeys, loadGroup, type GroupContext, type MembershipItem } from '../groups/store.ts';
import { pollFacts, pollKeys, type PollItem } from '../polls/store.ts';

export const AUDIT_PAGE = 50;
/** How many DynamoDB pages one filtered audit page may read before it answers with what it has. */
export const AUDIT_MAX_READS = 10;
/** The CSV is one response: at most this many events (a Lambda answer is at most 6 MB). */
export const AUDIT_CSV_MAX = 20_000;

type Filters = { kind?: string; actorId?: string };

async function authorize(request: ApiRequest<'GET /api/groups/{id}/audit' | 'GET /api/groups/{id}/audit.csv'>): Promise<GroupContext> {
  const context = await loadGroup(request.params.id!, request.actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  if (!canSeeAudit(context.facts, context.viewer)) throw forbidden('Only the group\u2019s admins see its audit trail.');
  return context;
}

/** One page of the group's events, newest first; the filters run inside DynamoDB. */
async function auditPage(groupId: string, filters: Filters, start: Record<string, unknown> | undefined, limit: number) {
  const conditions: string[] = [];
  const values: Record<string, unknown> = { ':pk': `group#${groupId}`, ':event': 'event#' };
  if (filters.kind) (conditions.push('#kind = :kind'), (values[':kind'] = filters.kind));
  if (filters.actorId) (conditions.push('actorId = :actor'), (values[':actor'] = filters.actorId));
  return queryPage<EventRecordItem>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
    ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
    ...(filters.kind ? { ExpressionAttributeNames: { '#kind': 'kind' } } : {}),
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
    ExclusiveStartKey: start,
    Limit: limit,
  });
}

const isVote = (e: EventRecordItem) => e.kind === 'VoteCast' || e.kind === 'VoteWithdrawn';

/**
 * Who voted when is part of a poll's results: while they are hidden from anyone who has not voted,
 * its vote events stay out of the trail (the export leaves them out too). One BatchGet per 100 polls.
 */
async function withoutHiddenVotes(events: EventRecordItem[]): Promise<EventRecordItem[]> {
  const pollIds = [...new Set(events.filter(isVote).map((e) => String(e.data.pollId)))];
  const hidden = new Set<string>();
  for (let i = 0; i < pollIds.length; i += 100) {
    const chunk = pollIds.slice(i, i + 100);
    const polls = await getMany<PollItem>(chunk.map((id) => pollKeys.poll(id)));
    polls.forEach((poll, j) => {
      if (!poll || !canSeeResults(pollFacts(poll), false)) hidden.add(chunk[j]!);
    });
  }
  return hidden.size ? events.filter((e) => !(isVote(e) && hidden.has(String(e.data.pollId)))) : events;
}

/** Names come from the actors' memberships (current names; a deleted account reads "Deleted account"). */
async function entries(groupId: string, all: EventRecordItem[]) {
  const events = await withoutHiddenVotes(all);
  const actorIds = [...new Set(events.map((e) => e.actorId).filter((id): id is string => Boolean(id)))];
  const names = new Map<string, string | null>();
  for (let i = 0; i < actorIds.length; i += 100) {
    const found = await getMany<MembershipItem>(actorIds.slice(i, i + 100).map((id) => groupKeys.membership(groupId, id)));
    found.forEach((m, j) => names.set(actorIds[i + j]!, m?.name ?? null));
  }
  // The masked IP stays out of the view: admins see who and what, not from where.
  return events.map((e) => ({ id: e.eventId, kind: e.kind, at: e.at, actorId: e.actorId ?? null, actorName: e.actorId ? names.get(e.actorId) ?? null : null, data: e.data }));
}

/** GET /api/groups/{id}/audit: a page of the group's event items with a signed cursor. */
export async function getAudit(request: ApiRequest<'GET /api/groups/{id}/audit'>): Promise<ApiReply> {
  const context = await authorize(request);
  const { cursor, ...filters } = request.query;
  const scope = `audit:${context.group.groupId}:${filters.kind ?? ''}:${filters.actorId ?? ''}`;
  // A filter runs after DynamoDB reads a page, so a filtered page can come back short or empty while
  // older matches remain: keep reading (a bounded number of times) until the page is full.
  const items: EventRecordItem[] = [];
  let start = await decodeCursor(scope, cursor);
  for (let reads = 0; reads < AUDIT_MAX_READS && items.length < AUDIT_PAGE; reads++) {
    const page = await auditPage(context.group.groupId, filters, start, AUDIT_PAGE - items.length);
    items.push(...page.items);
    start = page.lastKey;
    if (!start) break;
  }
  return { body: { items: await entries(context.group.groupId, items), cursor: await encodeCursor(scope, start) } };
}

/** GET /api/groups/{id}/audit.csv: the same trail, filtered the same way, as RFC 4180 CSV. */
export async function getAuditCsv(request: ApiRequest<'GET /api/groups/{id}/audit.csv'>): Promise<ApiReply> {
  const context = await authorize(request);
  const { cursor, ...filters } = request.query;
  void cursor;
  const lines = ['at,kind,actor_id,actor_name,details'];
  let start: Record<string, unknown> | undefined;
  let count = 0;
  do {
    const page = await auditPage(context.group.groupId, filters, start, 500);
    for (const e of await entries(context.group.groupId, page.items)) {
      lines.push([e.at, e.kind, e.actorId ?? '', e.actorName ?? '', JSON.stringify(e.data)].map(csvCell).join(','));
      count++;
    }
    start = page.lastKey;
  } while (start && count < AUDIT_CSV_MAX);
  return {
    raw: `${lines.join('\r\n')}\r\n`,
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="audit-${context.group.handle}.csv"` },
  };
}
