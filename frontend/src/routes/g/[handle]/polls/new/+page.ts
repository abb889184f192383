import { error, redirect } from '@sveltejs/kit';
import { canCreatePoll } from '../../../../../../../shared/permissions/polls.ts';
import { discussionsApi, threadFacts } from '#lib/discussions.ts';
import { factsOf, viewerOf } from '#lib/groups.ts';
import type { PageLoad } from './$types';

// `?discussion=<id>` starts the poll inside a thread of this group.
export const load: PageLoad = async ({ parent, url, fetch }) => {
  const { user, group } = await parent();
  if (!user) redirect(307, '/sign-in');
  const discussionId = url.searchParams.get('discussion');
  let discussion: { id: string; title: string } | null = null;
  if (discussionId) {
    const found = await discussionsApi.get(discussionId, null, fetch);
    if (!found.ok || found.data.discussion.group.id !== group.id) error(404, 'Not found');
    discussion = { id: found.data.discussion.id, title: found.data.discussion.title };
    if (!canCreatePoll(factsOf(group), viewerOf(group, user), threadFacts(found.data.discussion))) error(404, 'Not found');
  } else if (!canCreatePoll(factsOf(group), viewerOf(group, user), null)) error(404, 'Not found');
  return { discussion };
};
