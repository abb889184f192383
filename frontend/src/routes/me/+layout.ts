import { requireUser } from '#lib/session.ts';
import type { LayoutLoad } from './$types';

// Every account page is the signed-in person's own: anyone else goes to sign in.
export const load: LayoutLoad = async ({ parent }) => ({ user: await requireUser(parent) });
