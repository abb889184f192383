import { error } from '@sveltejs/kit';
import { brand } from '#lib/brand.ts';
import { notificationsApi } from '#lib/notifications.ts';
import { requireUser } from '#lib/session.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch }) => {
  const user = await requireUser(parent);
  const prefs = await notificationsApi.preferences(fetch);
  if (!prefs.ok) error(prefs.error.status === 0 ? 503 : 500, prefs.error.status === 0 ? `We could not reach ${brand.name}.` : prefs.error.message);
  return { user, prefs: prefs.data };
};
