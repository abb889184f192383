import { error } from '@sveltejs/kit';
import { groupsApi } from '#lib/groups.ts';
import type { LayoutLoad } from './$types';

// Every group screen starts from the group as the API shows it to this viewer. A group the
// viewer may not see is a 404, the same as one that does not exist.
export const load: LayoutLoad = async ({ params, fetch, depends, parent }) => {
  depends('app:group');
  const { user } = await parent();
  const result = await groupsApi.get(params.handle, fetch);
  if (result.ok) return { user, group: result.data };
  if (result.error.status === 404) error(404, 'Not found');
  error(result.error.status === 0 ? 503 : 500, result.error.message);
};
