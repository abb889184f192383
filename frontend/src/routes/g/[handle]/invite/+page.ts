import { error, redirect } from '@sveltejs/kit';
import { canInvite } from '../../../../../../shared/permissions/groups.ts';
import { factsOf, viewerOf } from '#lib/groups.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  const { user, group } = await parent();
  if (!user) redirect(307, '/sign-in');
  if (!canInvite(factsOf(group), viewerOf(group, user))) error(404, 'Not found');
};
