import { error } from '@sveltejs/kit';
import { canCreateSubgroup } from '../../../../../shared/permissions/groups.ts';
import { factsOf, groupsApi, viewerOf } from '#lib/groups.ts';
import { requireUser } from '#lib/session.ts';
import type { PageLoad } from './$types';

// `?parent=<id>` makes a subgroup; the parent decides the handle's prefix and who may do it.
export const load: PageLoad = async ({ parent, fetch, url }) => {
  const user = await requireUser(parent);
  const parentId = url.searchParams.get('parent');
  if (!parentId) return { user, parentGroup: null };
  const result = await groupsApi.get(parentId, fetch);
  if (!result.ok) {
    if (result.error.status === 404) error(404, 'Not found');
    error(result.error.status === 0 ? 503 : 500, result.error.message);
  }
  if (!canCreateSubgroup(factsOf(result.data), viewerOf(result.data, user))) error(404, 'Not found');
  return { user, parentGroup: result.data };
};
