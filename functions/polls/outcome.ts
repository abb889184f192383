import { canAnnounce } from '../../shared/permissions/announcements.ts';
import { spendAnnouncement } from '../notifications/announcement-allowance.ts';
import { canWriteOutcome } from '../../shared/permissions/polls.ts';
import { isAdmin } from '../../shared/permissions/groups.ts';
import { meetingInvite } from '../../shared/polls/index.ts';
import { config } from '../lib/config.ts';
import { get, getMany, put, transact } from '../lib/db.ts';
import { AppError, forbidden, invalid, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { appendToTimeline } from '../discussions/timeline.ts';
import { groupKeys, type MembershipItem } from '../groups/store.ts';
import { visiblePoll } from './get-poll.ts';
import { pollFacts, pollKeys, type BallotItem, type OutcomeItem } from './store.ts';
import { outcomeView, readBallots } from './views.ts';
import { forEachPage } from '../lib/db.ts';

/** The scheduler's index attributes for an outcome's review date (09:00 UTC that day), if it has one. */
export const reviewDue = (pollId: string, reviewOn: string | null | undefined) =>
  reviewOn ? { gsi2pk: 'due', gsi2sk: `${reviewOn}T09:00:00.000Z#outcome#${pollId}`, dueKind: 'outcomeReview' } : {};

/**
 * POST /api/polls/{id}/outcome: after closing, the author or an admin states the outcome, with an
 * optional chosen option, review date (the scheduler records "review due" then) and, for a
 * meeting poll, the meeting itself (which yields an iCalendar invite).
 */
export async function createOutcome(request: ApiRequest<'POST /api/polls/{id}/outcome'>): Promise<ApiReply> {
  const actor = request.actor;
  const context = await visiblePoll(request.params.id!, actor);
  const { item } = context;
  if (pollFacts(item).status !== 'closed') throw new AppError(409, 'poll_open', 'State the outcome once the poll has closed.');
  if (!canWriteOutcome(context.facts, context.viewer, pollFacts(item))) throw forbidden('Only the author and admins can state the outcome.');
  const input = request.body;
  if (input.announce && !canAnnounce(context.facts, context.viewer, { authorId: actor.id })) throw forbidden('Only admins can announce in this group.');
  if (input.optionId && !item.poll.options.some((o) => o.id === input.optionId)) throw invalid({ optionId: 'Choose one of the poll\u2019s options.' });
  if (input.event && item.poll.type !== 'meeting') throw invalid({ event: 'Only a meeting poll\u2019s outcome carries a meeting.' });
  if (input.event && Number.isNaN(Date.parse(input.event.start))) throw invalid({ 'event.start': 'Give the meeting time as a date or date-time.' });
  if (input.reviewOn && input.reviewOn <= new Date().toISOString().slice(0, 10)) throw invalid({ reviewOn: 'The review date is in the future.' });
  const outcome: OutcomeItem = {
    ...pollKeys.outcome(item.pollId),
    type: 'outcome',
    pollId: item.pollId,
    groupId: item.groupId,
    statement: input.statement,
    optionId: input.optionId ?? null,
    reviewOn: input.reviewOn ?? null,
    event: input.event ?? null,
    authorId: actor.id,
    authorName: actor.name,
    createdAt: new Date().toISOString(),
  };
  if (input.announce) await spendAnnouncement(actor.id);
  const ops = [
    put({ ...outcome, ...reviewDue(item.pollId, outcome.reviewOn) }),
    recordEvent({ kind: 'OutcomeCreated', groupId: item.groupId, pollId: item.pollId, authorId: actor.id, hasEvent: Boolean(outcome.event), ...(input.announce ? { announce: input.announce } : {}) }, { actorId: actor.id, ip: request.ip }),
  ];
  if (item.threadId) {
    await appendToTimeline(item.threadId, (_seq, thread) => {
      if (thread.groupId !== item.groupId) throw new AppError(409, 'discussion_moved', 'This poll has just moved to another group. Reload and try again.');
      return {
        item: { kind: 'outcome', authorId: actor.id, authorName: actor.name, body: outcome.statement, parentSeq: null, depth: 0, createdAt: outcome.createdAt, version: 1, replyCount: 0, reactions: {}, mentions: {}, attachmentIds: [], refId: `${item.groupId}.${item.pollId}` },
        ops,
      };
    });
  } else {
    const codes = await transact(ops);
    if (codes) throw new Error('Outcome was not saved.');
  }
  return { status: 201, body: outcomeView(outcome) };
}

/**
 * GET /api/outcomes/{id}/invite.ics: the meeting, with those who said yes to the chosen time as
 * attendees. Addresses are shown as the app shows them: admins see everyone's, others only their own.
 */
export async function outcomeInvite(request: ApiRequest<'GET /api/outcomes/{id}/invite.ics'>): Promise<ApiReply> {
  const context = await visiblePoll(request.params.id!, request.actor);
  const { item } = context;
  const outcome = await get<OutcomeItem>(pollKeys.outcome(item.pollId));
  if (!outcome?.event) throw notFound('This outcome has no meeting.');
  const attendeeIds: string[] = [];
  if (!item.poll.anonymous && outcome.optionId) {
    await forEachPage<BallotItem>(
      { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)', ExpressionAttributeValues: { ':pk': `poll#${item.pollId}`, ':b': 'ballot#' } },
      async (ballots) => {
        for (const b of ballots) {
          const answer = (b.choices as { answers?: Record<string, string> }).answers?.[outcome.optionId!];
          if (answer === 'yes' && b.voterId) attendeeIds.push(b.voterId);
        }
      },
    );
  }
  const visibleIds = isAdmin(context.viewer) ? attendeeIds : attendeeIds.filter((id) => id === request.actor?.id);
  const members = (await getMany<MembershipItem>(visibleIds.map((id) => groupKeys.membership(item.groupId, id)))).filter((m): m is MembershipItem => m !== null);
  const allDay = /^\d{4}-\d{2}-\d{2}$/.test(outcome.event.start);
  const ics = meetingInvite({
    uid: `${item.pollId}@${new URL(config.appUrl).hostname}`,
    title: item.poll.title,
    description: outcome.statement,
    start: outcome.event.start,
    durationMinutes: outcome.event.durationMinutes,
    allDay,
    organizer: { name: outcome.authorName ?? config.brandName, email: config.mailFrom.replace(/^.*<|>$/g, '') },
    attendees: members.map((m) => ({ name: m.name ?? m.email, email: m.email })),
    url: `${config.appUrl}/polls/${item.groupId}.${item.pollId}`,
    now: new Date().toISOString(),
  });
  return { raw: ics, headers: { 'content-type': 'text/calendar; charset=utf-8; method=REQUEST', 'content-disposition': 'attachment; filename="meeting.ics"' } };
}

export { readBallots };
