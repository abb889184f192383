import { canAnnounce } from '../../shared/permissions/announcements.ts';
import { spendAnnouncement } from '../notifications/announcement-allowance.ts';
import { canCreatePoll, canSeePoll } from '../../shared/permissions/polls.ts';
import { canSeeDiscussion } from '../../shared/permissions/discussions.ts';
import { buildPoll, emptyTally, toStoredTally } from '../../shared/polls/index.ts';
import type { CreatePoll } from '../../shared/polls/types.ts';
import { newId } from '../lib/crypto.ts';
import { batchPut, create, getMany, put, transact } from '../lib/db.ts';
import { AppError, forbidden, invalid, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { groupKeys, isActive, loadGroup, type MembershipItem } from '../groups/store.ts';
import { loadThread, parseThreadId, threadFacts } from '../discussions/store.ts';
import { appendToTimeline } from '../discussions/timeline.ts';
import { pollKeys, type PollItem } from './store.ts';
import { openBallotBox } from './ballot-box.ts';
import { pollView } from './views.ts';

export const CLOSING_SOON_HOURS = 24;

/** The scheduler's markers for a poll's closing and its closing-soon notice. */
export function dueOps(pollId: string, closingAt: string | null) {
  if (!closingAt) return [];
  const soon = new Date(new Date(closingAt).getTime() - CLOSING_SOON_HOURS * 3_600_000).toISOString();
  const marker = (what: 'close' | 'soon', at: string, dueKind: string) =>
    put({ ...pollKeys.due(pollId, what), type: 'due', gsi2pk: 'due', gsi2sk: `${at}#poll#${pollId}#${what}`, dueKind, pollId });
  return [marker('close', closingAt, 'closePoll'), ...(soon > new Date().toISOString() ? [marker('soon', soon, 'pollClosingSoon')] : [])];
}

/**
 * POST /api/polls. In a thread, the poll takes the thread's next sequence number in the same
 * transaction, so it appears in the timeline in order. A closing time must be in the future;
 * without one the poll is a draft.
 */
export async function createPoll(request: ApiRequest<'POST /api/polls'>): Promise<ApiReply> {
  const actor = request.actor;
  const { groupId, discussionId, voterIds, announce, ...input } = request.body;
  if (input.closingAt && input.closingAt <= new Date().toISOString()) throw invalid({ closingAt: 'The closing time is in the future.' });
  const thread = discussionId ? await loadThread(parseThreadId(discussionId).groupId, parseThreadId(discussionId).threadId, actor) : null;
  // A thread the actor may not see answers as if it did not exist, whichever group it is in.
  if (thread && !canSeeDiscussion(thread.facts, thread.viewer, threadFacts(thread.thread))) throw notFound('No such discussion.');
  if (thread && thread.thread.groupId !== groupId) throw invalid({ discussionId: 'That thread is in another group.' });
  const context = thread ?? (await loadGroup(groupId, actor));
  const threadFactsOrNull = thread ? threadFacts(thread.thread) : null;
  if (!canSeePoll(context.facts, context.viewer, threadFactsOrNull) || (thread && !canSeeDiscussion(context.facts, context.viewer, threadFactsOrNull!))) {
    throw notFound(thread ? 'No such discussion.' : 'No such group.');
  }
  if (!canCreatePoll(context.facts, context.viewer, threadFactsOrNull)) throw forbidden('You cannot start polls here.');
  if (announce && !canAnnounce(context.facts, context.viewer, { authorId: actor.id })) throw forbidden('Only admins can announce in this group.');

  const invitees = [...new Set(voterIds ?? [])];
  if (input.specifiedVotersOnly) {
    if (!invitees.length) throw invalid({ voterIds: 'Choose who may vote.' });
    const memberships = await getMany<MembershipItem>(invitees.map((id) => groupKeys.membership(groupId, id)));
    const stranger = memberships.findIndex((m) => !isActive(m));
    if (stranger >= 0) throw invalid({ [`voterIds.${stranger}`]: 'Only members of the group can be invited to vote.' });
  }

  const poll = buildPoll(input as CreatePoll);
  const pollId = newId();
  const now = new Date().toISOString();
  const item: PollItem = {
    ...pollKeys.poll(pollId),
    ...pollKeys.inGroup(groupId, poll.closingAt ? 'open' : 'draft', poll.closingAt ?? now, pollId),
    type: 'poll',
    pollId,
    groupId,
    threadId: thread?.thread.threadId ?? null,
    timelineSeq: null,
    authorId: actor.id,
    authorName: actor.name,
    createdAt: now,
    updatedAt: now,
    poll,
    tally: toStoredTally(emptyTally(poll)) as unknown as Record<string, unknown>,
    invitedCount: input.specifiedVotersOnly ? invitees.length : 0,
    version: 1,
    ...(poll.anonymous ? { ballotBox: true as const } : {}),
  };
  const ops = (seq: number | null) => [
    create({ ...item, timelineSeq: seq }),
    ...(poll.anonymous ? [openBallotBox(pollId, item.tally)] : []),
    ...dueOps(pollId, poll.closingAt),
    recordEvent({ kind: 'PollCreated', groupId, pollId, discussionId: item.threadId, authorId: actor.id, ...(announce ? { announce } : {}) }, { actorId: actor.id, ip: request.ip }),
  ];
  if (announce) await spendAnnouncement(actor.id);
  // Invitations go first: without the poll they are inert, and the poll never exists without them.
  if (invitees.length) await batchPut(invitees.map((userId) => ({ ...pollKeys.invitee(pollId, userId), type: 'pollInvitee', userId })));
  if (thread) {
    const { seq } = await appendToTimeline(thread.thread.threadId, (next, current) => {
      if (current.groupId !== groupId) throw new AppError(409, 'discussion_moved', 'This thread has just moved to another group. Reload and try again.');
      return {
        item: { kind: 'poll', authorId: actor.id, authorName: actor.name, body: poll.title, parentSeq: null, depth: 0, createdAt: now, version: 1, replyCount: 0, reactions: {}, mentions: {}, attachmentIds: [], refId: `${groupId}.${pollId}` },
        ops: ops(next),
      };
    });
    item.timelineSeq = seq;
  } else {
    const codes = await transact(ops(null));
    if (codes) throw new Error(`Poll was not created: ${codes.join(',')}`);
  }
  const view = await pollView({ ...context, item, ballot: null, hasVoted: false, invited: invitees.includes(actor.id), ballotId: null } as never);
  return { status: 201, body: view };
}
