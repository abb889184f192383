import { error, redirect } from '@sveltejs/kit';
import { canStartDiscussion } from '../../../../../../../shared/permissions/discussions.ts';
import { factsOf, viewerOf } from '#lib/groups.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  const { user, group } = await parent();
  if (!user) redirect(307, '/sign-in');
  if (!canStartDiscussion(factsOf(group), viewerOf(group, user))) error(404, 'Not found');
};
