import { error, redirect } from '@sveltejs/kit';
import { canEditGroup } from '../../../../../../shared/permissions/groups.ts';
import { factsOf, groupsApi, viewerOf } from '#lib/groups.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch }) => {
  const { user, group } = await parent();
  if (!user) redirect(307, '/sign-in');
  if (!canEditGroup(factsOf(group), viewerOf(group, user))) error(404, 'Not found');
  // A subgroup's privacy is bounded by its parent's, so the form needs the parent's too.
  const parentGroup = group.parent ? await groupsApi.get(group.parent.id, fetch) : null;
  return { parentPrivacy: parentGroup?.ok ? parentGroup.data.privacy : undefined };
};
