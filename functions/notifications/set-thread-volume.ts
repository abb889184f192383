import { canSeeDiscussion } from '../../shared/permissions/discussions.ts';
import { notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { loadThread, parseThreadId, threadApiId, threadFacts, threadKeys } from '../discussions/store.ts';
import { writeItemVolume } from './item-volume.ts';

/** PUT /api/discussions/{id}/volume: a member chooses how much they hear from one thread (`group`: as the group). */
export async function setThreadVolume(request: ApiRequest<'PUT /api/discussions/{id}/volume'>): Promise<ApiReply> {
  const actor = request.actor;
  const { groupId, threadId } = parseThreadId(request.params.id!);
  const context = await loadThread(groupId, threadId, actor);
  if (!context.membership || !canSeeDiscussion(context.facts, context.viewer, threadFacts(context.thread))) throw notFound('No such discussion.');
  const { volume } = request.body;
  const keys = { item: threadKeys.thread(threadId), volume: threadKeys.volume(threadId, actor.id) };
  if (!(await writeItemVolume({ type: 'discussion', id: threadId }, keys, context.group.groupId, volume, actor, request.ip))) throw notFound('No such discussion.');
  return { body: { id: threadApiId(context.thread), volume: volume === 'group' ? null : volume } };
}
