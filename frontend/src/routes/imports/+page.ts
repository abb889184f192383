import { requireUser } from '#lib/session.ts';
import type { PageLoad } from './$types';

// The lists load on the page itself, so it can show its own loading and error states.
export const load: PageLoad = async ({ parent }) => ({ user: await requireUser(parent) });
