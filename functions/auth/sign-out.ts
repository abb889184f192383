import { sha256 } from '../lib/crypto.ts';
import { queryAll, remove, transact } from '../lib/db.ts';
import { keys, type SessionItem } from '../lib/entities.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { clearedSessionCookie } from '../lib/session.ts';

/** DELETE /api/auth/session: ends this device's session. Signed out already is fine too. */
export async function signOut(request: ApiRequest<'DELETE /api/auth/session'>): Promise<ApiReply> {
  const actor = request.actor;
  if (actor && request.sessionId) {
    await transact([
      remove(keys.session(actor.id, sha256(request.sessionId))),
      recordEvent({ kind: 'UserSignedOut', userId: actor.id, everywhere: false }, { actorId: actor.id, ip: request.ip }),
    ]);
  }
  return { cookies: [clearedSessionCookie()] };
}

/** DELETE /api/auth/sessions: revokes every session of this user, this one included. */
export async function signOutEverywhere(request: ApiRequest<'DELETE /api/auth/sessions'>): Promise<ApiReply> {
  const actor = request.actor;
  const { pk, prefix } = keys.sessionsOf(actor.id);
  const sessions = await queryAll<SessionItem>(pk, prefix, ['pk', 'sk']);
  // Deletes go in transactions of up to 99 so the event is written with the first batch.
  for (let i = 0; i < Math.max(sessions.length, 1); i += 99) {
    await transact([
      ...sessions.slice(i, i + 99).map((s) => remove({ pk: s.pk, sk: s.sk })),
      ...(i === 0 ? [recordEvent({ kind: 'UserSignedOut', userId: actor.id, everywhere: true }, { actorId: actor.id, ip: request.ip })] : []),
    ]);
  }
  return { cookies: [clearedSessionCookie()] };
}
