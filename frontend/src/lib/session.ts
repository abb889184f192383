import { error, redirect } from '@sveltejs/kit';
import type { Me } from '../../../shared/schemas/auth.ts';

interface Session {
  user: Me | null;
  /** Why the session could not be checked, when the API did not answer. */
  unavailable: string | null;
}

/** For pages only a signed-in person may see: anyone else goes to sign in. */
export async function requireUser(parent: () => Promise<Session>): Promise<Me> {
  const { user, unavailable } = await parent();
  if (user) return user;
  if (unavailable) error(503, unavailable);
  redirect(307, '/sign-in');
}
