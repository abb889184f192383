import { loadThread } from './load-thread.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, url, fetch, parent, depends }) => {
  depends('app:thread');
  const from = Number(url.searchParams.get('from')) || null;
  const [{ user }, thread] = await Promise.all([parent(), loadThread(params.id, from, fetch)]);
  return { user, ...thread, from };
};
