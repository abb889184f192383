import { spendAnnouncement } from '../notifications/announcement-allowance.ts';
import { canManagePoll, canReopenPoll, settingsChangeProblems } from '../../shared/permissions/polls.ts';
import { get, patch, remove, transact } from '../lib/db.ts';
import { AppError, forbidden, invalid } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { emptyTally, toStoredTally } from '../../shared/polls/index.ts';
import { openBallotBox } from './ballot-box.ts';
import { dueOps } from './create-poll.ts';
import { visiblePoll } from './get-poll.ts';
import { pollFacts, pollKeys, status, type OutcomeItem, type PollItem } from './store.ts';
import { pollView } from './views.ts';

/**
 * Closes a poll (now, by a person; or at its closing time, by the scheduler). Idempotent: a poll
 * already closed stays as it was. The closing markers leave the scheduler's index.
 */
export async function closePollItem(item: PollItem, by: { actorId?: string; ip?: string; schedule: boolean }): Promise<boolean> {
  const now = new Date().toISOString();
  const codes = await transact([
    patch(pollKeys.poll(item.pollId), { set: { closedAt: now, updatedAt: now, ...pollKeys.inGroup(item.groupId, 'closed', now, item.pollId) } }, { if: 'attribute_not_exists(#closedAt) AND #groupId = :group', values: { ':group': item.groupId } }),
    remove(pollKeys.due(item.pollId, 'close')),
    remove(pollKeys.due(item.pollId, 'soon')),
    recordEvent({ kind: 'PollClosed', groupId: item.groupId, pollId: item.pollId, authorId: item.authorId, by: by.schedule ? 'schedule' : 'person' }, by),
  ]);
  return codes === null;
}

/** POST /api/polls/{id}/close. */
export async function closePoll(request: ApiRequest<'POST /api/polls/{id}/close'>): Promise<ApiReply> {
  const context = await visiblePoll(request.params.id!, request.actor);
  if (!canManagePoll(context.facts, context.viewer, pollFacts(context.item))) throw forbidden('Only the author and admins can close this poll.');
  if (context.item.closedAt) throw new AppError(409, 'poll_closed', 'This poll is already closed.');
  if (!(await closePollItem(context.item, { actorId: request.actor.id, ip: request.ip, schedule: false }))) {
    throw new AppError(409, 'conflict', 'This poll changed at the same moment. Reload and try again.');
  }
  const now = new Date().toISOString();
  return { body: await pollView({ ...context, item: { ...context.item, closedAt: now } }) };
}

/** POST /api/polls/{id}/reopen: not for anonymous polls; a new closing time in the future. */
export async function reopenPoll(request: ApiRequest<'POST /api/polls/{id}/reopen'>): Promise<ApiReply> {
  const context = await visiblePoll(request.params.id!, request.actor);
  const { item } = context;
  if (!canReopenPoll(context.facts, context.viewer, pollFacts(item))) {
    throw item.poll.anonymous ? new AppError(409, 'anonymous_poll', 'An anonymous poll cannot be reopened.') : forbidden('Only the author and admins can reopen a closed poll.');
  }
  const closingAt = request.body.closingAt;
  if (closingAt <= new Date().toISOString()) throw invalid({ closingAt: 'The new closing time is in the future.' });
  const poll = { ...item.poll, closingAt };
  const reopenedAt = new Date().toISOString();
  const codes = await transact([
    // The outcome stays; `reopenedAt` marks it as stated before the reopening.
    patch(pollKeys.poll(item.pollId), { set: { poll, reopenedAt, updatedAt: reopenedAt, ...pollKeys.inGroup(item.groupId, 'open', closingAt, item.pollId) }, remove: ['closedAt'] }, {
      if: '#version = :v AND #groupId = :group',
      values: { ':v': item.version, ':group': item.groupId },
    }),
    ...dueOps(item.pollId, closingAt),
    recordEvent({ kind: 'PollReopened', groupId: item.groupId, pollId: item.pollId, closingAt }, { actorId: request.actor.id, ip: request.ip }),
  ]);
  if (codes) throw new AppError(409, 'conflict', 'This poll changed at the same moment. Reload and try again.');
  const reopened = { ...item, poll, reopenedAt } as PollItem;
  delete reopened.closedAt;
  return { body: await pollView({ ...context, item: reopened }, await get<OutcomeItem>(pollKeys.outcome(item.pollId))) };
}

/** POST /api/polls/{id}/remind: recorded as an event; the notifications worker emails the audience. */
export async function remindVoters(request: ApiRequest<'POST /api/polls/{id}/remind'>): Promise<ApiReply> {
  const context = await visiblePoll(request.params.id!, request.actor);
  if (!canManagePoll(context.facts, context.viewer, pollFacts(context.item))) throw forbidden('Only the author and admins can send reminders.');
  if (status(context.item) !== 'open') throw new AppError(409, 'poll_closed', 'Only an open poll takes reminders.');
  await spendAnnouncement(request.actor.id);
  const codes = await transact([
    recordEvent({ kind: 'PollReminderRequested', groupId: context.item.groupId, pollId: context.item.pollId, audience: request.body.audience }, { actorId: request.actor.id, ip: request.ip }),
  ]);
  if (codes) throw new Error('Reminder was not recorded.');
  return { status: 202, body: { message: 'Reminder on its way.' } };
}

/** PATCH /api/polls/{id}: title, details and closing time; results settings only ever tighten. */
export async function updatePoll(request: ApiRequest<'PATCH /api/polls/{id}'>): Promise<ApiReply> {
  const context = await visiblePoll(request.params.id!, request.actor);
  const { item } = context;
  if (!canManagePoll(context.facts, context.viewer, pollFacts(item))) throw forbidden('Only the author and admins can edit this poll.');
  if (status(item) === 'closed') throw new AppError(409, 'poll_closed', 'A closed poll cannot be edited; reopen it first.');
  const input = request.body;
  const poll = {
    ...item.poll,
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.details !== undefined ? { details: input.details } : {}),
    ...(input.closingAt !== undefined ? { closingAt: input.closingAt } : {}),
    ...(input.anonymous !== undefined ? { anonymous: input.anonymous } : {}),
    ...(input.hideResults !== undefined ? { hideResults: input.hideResults } : {}),
  };
  const problems = settingsChangeProblems(item.poll, poll);
  if (input.closingAt !== undefined && input.closingAt <= new Date().toISOString()) problems.closingAt = 'The closing time is in the future.';
  if (item.poll.anonymous !== poll.anonymous && (item.tally as { voters?: number }).voters) problems.anonymous = 'A poll with votes cannot become anonymous: earlier ballots name their voters.';
  if (Object.keys(problems).length) throw invalid(problems);
  const changed = Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined);
  // A poll that becomes anonymous (only ever before its first vote) takes its ballots in the ballot box.
  const becomesAnonymous = poll.anonymous && !item.poll.anonymous;
  const codes = await transact([
    patch(pollKeys.poll(item.pollId), {
      set: {
        poll, updatedAt: new Date().toISOString(), version: item.version + 1,
        ...(poll.closingAt ? pollKeys.inGroup(item.groupId, 'open', poll.closingAt, item.pollId) : {}),
        ...(becomesAnonymous ? { ballotBox: true } : {}),
      },
    }, {
      if: `#version = :v AND #groupId = :group AND attribute_not_exists(#closedAt)${becomesAnonymous ? ' AND #tally.#voters = :none' : ''}`,
      values: { ':v': item.version, ':group': item.groupId, ...(becomesAnonymous ? { ':none': 0 } : {}) },
    }),
    ...(becomesAnonymous ? [openBallotBox(item.pollId, toStoredTally(emptyTally(poll)) as unknown as Record<string, unknown>)] : []),
    ...(input.closingAt ? dueOps(item.pollId, poll.closingAt) : []),
    recordEvent({ kind: 'PollEdited', groupId: item.groupId, pollId: item.pollId, changed }, { actorId: request.actor.id, ip: request.ip }),
  ]);
  if (codes) throw new AppError(409, 'conflict', 'This poll changed at the same moment. Reload and try again.');
  return { body: await pollView({ ...context, item: { ...item, poll, version: item.version + 1, ...(becomesAnonymous ? { ballotBox: true as const } : {}) } }) };
}
