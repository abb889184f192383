import { error } from '@sveltejs/kit';
import { brand } from '#lib/brand.ts';
import { groupsApi } from '#lib/groups.ts';
import { groupIdOfPoll, pollsApi } from '#lib/polls/api.ts';
import type { PageLoad } from './$types';

// The poll and its group, together: the group part of the id is known before either answers.
export const load: PageLoad = async ({ params, fetch, parent, depends }) => {
  depends('app:poll');
  const [{ user }, poll, group] = await Promise.all([parent(), pollsApi.get(params.id, fetch), groupsApi.get(groupIdOfPoll(params.id), fetch)]);
  if (!poll.ok) {
    if (poll.error.status === 404 || poll.error.status === 422) error(404, 'Not found');
    error(poll.error.status === 0 ? 503 : 500, poll.error.status === 0 ? `We could not reach ${brand.name}.` : poll.error.message);
  }
  if (!group.ok) error(group.error.status === 404 ? 404 : group.error.status === 0 ? 503 : 500, group.error.message);
  return { user, poll: poll.data, group: group.data };
};
