import { canAnnounce } from '../../shared/permissions/announcements.ts';
import { canEditDiscussion, canManageDiscussion, canMoveDiscussionTo, forcedPrivacy } from '../../shared/permissions/discussions.ts';
import { canSeeGroup } from '../../shared/permissions/groups.ts';
import { create, get, patch, transact } from '../lib/db.ts';
import { AppError, forbidden, invalid, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { loadGroup } from '../groups/store.ts';
import { movePollOps, pollsInThread } from '../polls/store.ts';
import { resolveMentions } from './content.ts';
import { visibleThread } from './get-discussion.ts';
import { threadFacts, threadKeys, type ThreadContext, type ThreadItem, type VersionItem } from './store.ts';
import { threadView } from './views.ts';

const changedMeanwhile = () => new AppError(409, 'conflict', 'Someone changed this thread at the same moment. Reload and try again.');

/** PATCH /api/discussions/{id}: the earlier title and description are kept as a version. */
export async function editDiscussion(request: ApiRequest<'PATCH /api/discussions/{id}'>): Promise<ApiReply> {
  const actor = request.actor;
  const context = await visibleThread(request.params.id!, actor);
  const { thread, group } = context;
  if (!canEditDiscussion(context.facts, context.viewer, threadFacts(thread))) throw forbidden('You cannot edit this thread.');
  const input = request.body;
  if (input.announce && !canAnnounce(context.facts, context.viewer, thread)) throw forbidden('Only admins can announce in this group.');
  const forced = forcedPrivacy(context.facts);
  if (input.private !== undefined && forced !== null && input.private !== forced) {
    throw invalid({ private: forced ? 'This group has private threads only.' : 'This group has public threads only.' });
  }
  const next = {
    title: input.title ?? thread.title,
    description: input.description ?? thread.description,
    private: input.private ?? thread.private,
  };
  const changed = (['title', 'description', 'private'] as const).filter((k) => next[k] !== thread[k]);
  if (!changed.length) return { body: threadView(thread, group, context.viewer, context.read, context.volume) };
  const now = new Date().toISOString();
  const textChanged = changed.includes('title') || changed.includes('description');
  const mentions = textChanged ? await resolveMentions(group.groupId, `${next.title}\n${next.description}`) : thread.mentions;
  const version: VersionItem = {
    ...threadKeys.version(thread.threadId, 0, thread.version),
    type: 'version',
    threadId: thread.threadId,
    seq: 0,
    version: thread.version,
    title: thread.title,
    body: thread.description,
    editedAt: thread.updatedAt,
    editorId: actor.id,
    editorName: actor.name,
  };
  const codes = await transact([
    patch(threadKeys.thread(thread.threadId), { set: { ...next, mentions, updatedAt: now, version: thread.version + (textChanged ? 1 : 0) } }, {
      if: '#version = :seen',
      values: { ':seen': thread.version },
    }),
    ...(textChanged ? [create({ ...version })] : []),
    recordEvent({ kind: 'DiscussionEdited', groupId: group.groupId, discussionId: thread.threadId, changed: [...changed], ...(input.announce ? { announce: input.announce } : {}) }, { actorId: actor.id, ip: request.ip }),
  ]);
  if (codes) throw changedMeanwhile();
  const updated = { ...thread, ...next, mentions, updatedAt: now, version: thread.version + (textChanged ? 1 : 0) };
  return { body: threadView(updated, group, context.viewer, context.read, context.volume) };
}

type Control = 'close' | 'reopen' | 'pin' | 'unpin';
type ControlRoute = `POST /api/discussions/{id}/${Control}`;

/** Close, reopen, pin and unpin: the author and admins. Pinning moves the thread in the group's list. */
export function threadControl(control: Control) {
  return async (request: ApiRequest<ControlRoute>): Promise<ApiReply> => {
    const actor = request.actor;
    const context = await visibleThread(request.params.id!, actor);
    const { thread, group } = context;
    if (!canManageDiscussion(context.facts, context.viewer, threadFacts(thread))) throw forbidden('Only the author and admins can do that.');
    const now = new Date().toISOString();
    const pinned = control === 'pin' ? true : control === 'unpin' ? false : Boolean(thread.pinnedAt);
    const changes: Partial<ThreadItem> & Record<string, unknown> = {};
    const removals: string[] = [];
    if (control === 'close') changes.closedAt = now;
    if (control === 'reopen') removals.push('closedAt');
    if (control === 'pin') changes.pinnedAt = now;
    if (control === 'unpin') removals.push('pinnedAt');
    changes.gsi1sk = threadKeys.inGroup(group.groupId, pinned, thread.lastActivityAt, thread.threadId).gsi1sk;
    const meta = { actorId: actor.id, ip: request.ip };
    const event =
      control === 'close'
        ? recordEvent({ kind: 'DiscussionClosed', groupId: group.groupId, discussionId: thread.threadId }, meta)
        : control === 'reopen'
          ? recordEvent({ kind: 'DiscussionReopened', groupId: group.groupId, discussionId: thread.threadId }, meta)
          : recordEvent({ kind: 'DiscussionPinned', groupId: group.groupId, discussionId: thread.threadId, pinned }, meta);
    const codes = await transact([patch(threadKeys.thread(thread.threadId), { set: changes, remove: removals }), event]);
    if (codes) throw changedMeanwhile();
    const updated = { ...thread, ...changes } as ThreadItem;
    for (const name of removals) delete (updated as unknown as Record<string, unknown>)[name];
    return { body: threadView(updated, group, context.viewer, context.read, context.volume) };
  };
}

/** A transaction holds at most 100 writes: the thread, its event, and each poll with its outcome. */
const MOVE_WRITES = 100;

/**
 * POST /api/discussions/{id}/move: to a group where the actor is admin. Privacy follows the new
 * group's rules. The thread keeps its items; its group changes (its id's group part with it), and
 * its polls and their outcomes move with it in the same transaction, so they are read, voted in,
 * listed, exported and announced in the new group only. The thread's sequence number must not
 * change meanwhile: a poll started during the move would otherwise stay behind.
 */
export async function moveDiscussion(request: ApiRequest<'POST /api/discussions/{id}/move'>): Promise<ApiReply> {
  const actor = request.actor;
  const context: ThreadContext = await visibleThread(request.params.id!, actor);
  const target = await loadGroup(request.body.groupId, actor);
  if (!canSeeGroup(target.facts, target.viewer)) throw invalid({ groupId: 'No such group.' });
  if (!canMoveDiscussionTo(context.facts, context.viewer, threadFacts(context.thread), target.facts, target.viewer)) {
    throw forbidden('You can move a thread only into a group where you are an admin.');
  }
  if (target.group.groupId === context.thread.groupId) return { body: threadView(context.thread, target.group, target.viewer, context.read, context.volume) };
  for (let attempt = 0; attempt < 10; attempt++) {
    const thread = attempt === 0 ? context.thread : await get<ThreadItem>(threadKeys.thread(context.thread.threadId));
    if (!thread || thread.groupId !== context.thread.groupId) throw notFound('No such discussion.');
    const polls = await pollsInThread(thread.threadId);
    const pollOps = polls.flatMap((found) => movePollOps(found, target.group.groupId));
    if (pollOps.length + 2 > MOVE_WRITES) throw new AppError(409, 'too_many_polls', 'This thread has too many polls to move at once.');
    const isPrivate = forcedPrivacy(target.facts) ?? thread.private;
    const moved = { groupId: target.group.groupId, private: isPrivate, ...threadKeys.inGroup(target.group.groupId, Boolean(thread.pinnedAt), thread.lastActivityAt, thread.threadId) };
    const codes = await transact([
      patch(threadKeys.thread(thread.threadId), { set: moved }, { if: '#groupId = :from AND #seq = :seq', values: { ':from': thread.groupId, ':seq': thread.seq } }),
      ...pollOps,
      recordEvent({ kind: 'DiscussionMoved', groupId: target.group.groupId, discussionId: thread.threadId, fromGroupId: thread.groupId }, { actorId: actor.id, ip: request.ip }),
    ]);
    if (!codes) return { body: threadView({ ...thread, ...moved }, target.group, target.viewer, context.read, context.volume) };
  }
  throw changedMeanwhile();
}
