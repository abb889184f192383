import { redirect } from '@sveltejs/kit';
import { requireUser } from '#lib/session.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  const user = await requireUser(parent);
  if (user.name === null) redirect(307, '/welcome');
  return { user: { ...user, name: user.name } };
};
