import { error, redirect } from '@sveltejs/kit';
import { canEditDiscussion, canManageDiscussion } from '../../../../../../shared/permissions/discussions.ts';
import { threadFacts } from '#lib/discussions.ts';
import { factsOf, groupsApi, viewerOf } from '#lib/groups.ts';
import { loadThread } from '../load-thread.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, fetch, parent }) => {
  const [{ user }, thread, mine] = await Promise.all([parent(), loadThread(params.id, null, fetch), groupsApi.mine(fetch)]);
  if (!user) redirect(307, '/sign-in');
  const facts = factsOf(thread.group);
  const viewer = viewerOf(thread.group, user);
  const canEdit = canEditDiscussion(facts, viewer, threadFacts(thread.discussion));
  const canManage = canManageDiscussion(facts, viewer, threadFacts(thread.discussion));
  if (!canEdit && !canManage) error(404, 'Not found');
  // Where it could move: groups where the viewer is an admin (the API checks the rest).
  const destinations = mine.ok ? mine.data.groups.filter((g) => g.role === 'admin' && g.id !== thread.group.id) : [];
  return { user, group: thread.group, discussion: thread.discussion, canEdit, canManage, destinations };
};
