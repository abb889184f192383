import { error, redirect } from '@sveltejs/kit';
import { brand } from '#lib/brand.ts';
import { groupsApi } from '#lib/groups.ts';
import { requireUser } from '#lib/session.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch }) => {
  const user = await requireUser(parent);
  if (user.name === null) redirect(307, '/welcome');
  const mine = await groupsApi.mine(fetch);
  if (!mine.ok) error(mine.error.status === 0 ? 503 : 500, mine.error.status === 0 ? `We could not reach ${brand.name}.` : mine.error.message);
  return { user: { ...user, name: user.name }, groups: mine.data.groups };
};
