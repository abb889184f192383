import { api } from '#lib/api.ts';
import { brand, loadBrand } from '#lib/brand.ts';
import type { LayoutLoad } from './$types';

// A static single-page app: the server only ever sends the same index.html.
export const ssr = false;
export const prerender = false;
export const trailingSlash = 'never';

// The session is resolved once here; every page reads `data.user` (or `page.data.user`).
// Signing in or out calls `invalidateAll()` to run this again. This load never throws: an error
// here would replace the whole app with Kit's bare fallback page, so a page that needs the user
// shows the designed error page instead (see `#lib/session.ts`).
export const load: LayoutLoad = async ({ fetch }) => {
  // The brand is read beside the session, so it costs no extra round trip before the first page.
  const [me] = await Promise.all([api.me(fetch), loadBrand(fetch)]);
  if (me.ok) return { user: me.data, unavailable: null };
  if (me.error.status === 401) return { user: null, unavailable: null };
  return {
    user: null,
    unavailable: me.error.status === 0 ? `We could not reach ${brand.name}.` : `${brand.name} is having trouble right now.`,
  };
};
