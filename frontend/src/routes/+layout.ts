import { error } from '@sveltejs/kit';
import { api } from '#lib/api.ts';
import type { LayoutLoad } from './$types';

// A static single-page app: the server only ever sends the same index.html.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';

// The session is resolved once here; every page reads `data.user` (or `page.data.user`).
// Signing in or out calls `invalidateAll()` to run this again.
export const load: LayoutLoad = async ({ fetch }) => {
  const me = await api.me(fetch);
  if (me.ok) return { user: me.data };
  if (me.error.status === 401) return { user: null };
  error(503, me.error.status === 0 ? 'We could not reach Moot.' : 'Moot is having trouble right now.');
};
