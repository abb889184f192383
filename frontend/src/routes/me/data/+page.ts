import { error } from '@sveltejs/kit';
import { accountApi } from '#lib/account/api.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, depends }) => {
  depends('app:my-data');
  const result = await accountApi.myData(fetch);
  if (!result.ok) error(result.error.status === 0 ? 503 : 500, result.error.message);
  return { myData: result.data };
};
