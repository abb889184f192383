import { canSeeGroup, isMember } from '../../shared/permissions/groups.ts';
import { canSeeResults } from '../../shared/permissions/polls.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { getMany, queryPage } from '../lib/db.ts';
import { notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { loadGroup } from '../groups/store.ts';
import { pollApiId, pollFacts, pollKeys, status, type PollItem, type VoterItem } from './store.ts';
import { authorView } from '../lib/author.ts';

/** GET /api/groups/{id}/polls?status=open|closed: one gsi1 Query per page (open: soonest closing first). */
export async function listPolls(request: ApiRequest<'GET /api/groups/{id}/polls'>): Promise<ApiReply> {
  const context = await loadGroup(request.params.id!, request.actor);
  if (!canSeeGroup(context.facts, context.viewer) || !isMember(context.viewer)) throw notFound('No such group.');
  const wanted = request.query.status;
  const scope = `polls:${context.group.groupId}:${wanted}`;
  const page = await queryPage<PollItem>({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': `polls#${context.group.groupId}#${wanted}` },
    ScanIndexForward: wanted === 'open',
    Limit: 20,
    ExclusiveStartKey: await decodeCursor(scope, request.query.cursor),
  });
  // How many voted is part of the results: hidden from whoever may not see them (for "until voted",
  // one BatchGet of the reader's has-voted markers on this page).
  const untilVoted = page.items.filter((p) => !canSeeResults(pollFacts(p), false) && canSeeResults(pollFacts(p), true)).map((p) => p.pollId);
  const voted = new Set(
    (await getMany<VoterItem>(untilVoted.map((id) => pollKeys.voter(id, context.viewer.userId!)))).filter((v): v is VoterItem => v !== null).map((v) => v.pk.slice('poll#'.length)),
  );
  return {
    body: {
      items: page.items.map((p) => ({
        id: pollApiId(p),
        type: p.poll.type,
        title: p.poll.title,
        status: status(p),
        closingAt: p.poll.closingAt,
        closedAt: p.closedAt ?? null,
        anonymous: p.poll.anonymous,
        voters: canSeeResults(pollFacts(p), voted.has(p.pollId)) ? ((p.tally as { voters?: number }).voters ?? 0) : null,
        discussionId: p.threadId ? `${p.groupId}.${p.threadId}` : null,
        author: authorView(p),
      })),
      cursor: await encodeCursor(scope, page.lastKey),
    },
  };
}
