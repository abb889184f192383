import { error } from '@sveltejs/kit';
import { brand } from '#lib/brand.ts';
import { discussionsApi, groupIdOf } from '#lib/discussions.ts';
import { groupsApi } from '#lib/groups.ts';

/**
 * The thread and its group, loaded together: the group part of the id is known before either
 * answers. A thread that moved answers with its new id and group, and the group is read again.
 */
export async function loadThread(id: string, from: number | null, fetcher: typeof fetch) {
  const [thread, guessed] = await Promise.all([discussionsApi.get(id, from, fetcher), groupsApi.get(groupIdOf(id), fetcher)]);
  if (!thread.ok) {
    if (thread.error.status === 404 || thread.error.status === 422) error(404, 'Not found');
    error(thread.error.status === 0 ? 503 : 500, thread.error.status === 0 ? `We could not reach ${brand.name}.` : thread.error.message);
  }
  const groupId = thread.data.discussion.group.id;
  const group = guessed.ok && guessed.data.id === groupId ? guessed : await groupsApi.get(groupId, fetcher);
  if (!group.ok) error(group.error.status === 404 ? 404 : group.error.status === 0 ? 503 : 500, group.error.message);
  return { group: group.data, discussion: thread.data.discussion, timeline: thread.data.timeline };
}
