import { error } from '@sveltejs/kit';
import { accountApi } from '#lib/account/api.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends('app:my-data');
  const result = await accountApi.myData(fetch);
  if (!result.ok) error(result.error.status === 0 ? 503 : 500, result.error.message);
  const current = result.data.sessions.find((s) => s.current);
  return {
    hasPassword: result.data.profile.hasPassword,
    passwordSetAt: result.data.profile.passwordSetAt,
    // A session opened with the password must give the current one to change it.
    needsCurrent: result.data.profile.hasPassword && current?.method === 'password',
  };
};
