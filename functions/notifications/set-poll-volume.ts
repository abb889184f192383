import { notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { visiblePoll } from '../polls/get-poll.ts';
import { pollApiId, pollKeys } from '../polls/store.ts';
import { writeItemVolume } from './item-volume.ts';

/** PUT /api/polls/{id}/volume: a member chooses how much they hear from one poll (`group`: as the group). */
export async function setPollVolume(request: ApiRequest<'PUT /api/polls/{id}/volume'>): Promise<ApiReply> {
  const actor = request.actor;
  const context = await visiblePoll(request.params.id!, actor);
  if (!context.membership) throw notFound('No such poll.');
  const { item } = context;
  const { volume } = request.body;
  const keys = { item: pollKeys.poll(item.pollId), volume: pollKeys.volume(item.pollId, actor.id) };
  if (!(await writeItemVolume({ type: 'poll', id: item.pollId }, keys, item.groupId, volume, actor, request.ip))) throw notFound('No such poll.');
  return { body: { id: pollApiId(item), volume: volume === 'group' ? null : volume } };
}
