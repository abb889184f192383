import { canAnnounce } from '../../shared/permissions/announcements.ts';
import { spendAnnouncement } from '../notifications/announcement-allowance.ts';
import { canStartDiscussion, forcedPrivacy } from '../../shared/permissions/discussions.ts';
import { canSeeGroup } from '../../shared/permissions/groups.ts';
import { newId } from '../lib/crypto.ts';
import { create, transact } from '../lib/db.ts';
import { forbidden, invalid, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { loadGroup } from '../groups/store.ts';
import { claimUploads, resolveMentions } from './content.ts';
import { threadKeys, type ThreadItem } from './store.ts';
import { threadView } from './views.ts';

export const DEFAULT_MAX_DEPTH = 3;

/** POST /api/groups/{id}/discussions. Privacy follows the group's discussion privacy. */
export async function startDiscussion(request: ApiRequest<'POST /api/groups/{id}/discussions'>): Promise<ApiReply> {
  const actor = request.actor;
  const context = await loadGroup(request.params.id!, actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  if (!canStartDiscussion(context.facts, context.viewer)) throw forbidden('You cannot start threads in this group.');
  const { group } = context;
  const input = request.body;
  if (input.announce && !canAnnounce(context.facts, context.viewer, { authorId: actor.id })) throw forbidden('Only admins can announce in this group.');
  const forced = forcedPrivacy(context.facts);
  if (forced !== null && input.private !== undefined && input.private !== forced) {
    throw invalid({ private: forced ? 'This group has private threads only.' : 'This group has public threads only.' });
  }
  const threadId = newId();
  const now = new Date().toISOString();
  const description = input.description ?? '';
  const [mentions, uploads] = await Promise.all([
    resolveMentions(group.groupId, `${input.title}\n${description}`),
    claimUploads(actor.id, input.attachmentIds, { threadId, groupId: group.groupId }),
  ]);
  const thread: ThreadItem = {
    ...threadKeys.thread(threadId),
    ...threadKeys.inGroup(group.groupId, false, now, threadId),
    type: 'discussion',
    threadId,
    groupId: group.groupId,
    title: input.title,
    description,
    private: forced ?? input.private ?? true,
    authorId: actor.id,
    authorName: actor.name,
    createdAt: now,
    updatedAt: now,
    lastActivityAt: now,
    seq: 0,
    maxDepth: DEFAULT_MAX_DEPTH,
    commentCount: 0,
    version: 1,
    reactions: {},
    attachmentIds: uploads.attachments.map((a) => a.id),
    mentions,
  };
  if (input.announce) await spendAnnouncement(actor.id);
  const codes = await transact([
    create({ ...thread, attachments: uploads.attachments }),
    ...uploads.ops,
    recordEvent({ kind: 'DiscussionStarted', groupId: group.groupId, discussionId: threadId, authorId: actor.id, private: thread.private, ...(input.announce ? { announce: input.announce } : {}) }, { actorId: actor.id, ip: request.ip }),
  ]);
  if (codes) throw invalid({ attachmentIds: 'An attachment was used elsewhere a moment ago. Upload it again.' });
  return { status: 201, body: threadView({ ...thread, attachments: uploads.attachments } as ThreadItem, group, context.viewer, null) };
}
