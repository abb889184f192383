import { error, redirect } from '@sveltejs/kit';
import { canSeeAudit } from '../../../../../../shared/permissions/exports.ts';
import { factsOf, viewerOf } from '#lib/groups.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  const { user, group } = await parent();
  if (!user) redirect(307, '/sign-in');
  // The same rule the API applies; anyone else sees the page as if it did not exist.
  if (!canSeeAudit(factsOf(group), viewerOf(group, user))) error(404, 'Not found');
};
