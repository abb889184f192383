import { sha256 } from '../lib/crypto.ts';
import { Session } from '../lib/entities.ts';
import { eventRecord } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { clearedSessionCookie } from '../lib/session.ts';
import { transactWrite } from '../lib/transact.ts';
import { authService } from './store.ts';

/** DELETE /api/auth/session: ends this device's session. Signed out already is fine too. */
export async function signOut(request: ApiRequest<'DELETE /api/auth/session'>): Promise<ApiReply> {
  const actor = request.actor;
  if (actor && request.sessionId) {
    await transactWrite(authService, ({ Session, EventItem }) => [
      Session.delete({ userId: actor.id, sessionHash: sha256(request.sessionId!) }).commit(),
      eventRecord(EventItem, { kind: 'UserSignedOut', userId: actor.id, everywhere: false }, { actorId: actor.id, ip: request.ip }),
    ]);
  }
  return { cookies: [clearedSessionCookie()] };
}

/** DELETE /api/auth/sessions: revokes every session of this user, this one included. */
export async function signOutEverywhere(request: ApiRequest<'DELETE /api/auth/sessions'>): Promise<ApiReply> {
  const actor = request.actor;
  const { data: sessions } = await Session.query.byUser({ userId: actor.id }).go({ pages: 'all', attributes: ['userId', 'sessionHash'] });
  // Deletes go in transactions of up to 99 so the event is written with the first batch.
  for (let i = 0; i < Math.max(sessions.length, 1); i += 99) {
    const batch = sessions.slice(i, i + 99);
    await transactWrite(authService, ({ Session, EventItem }) => [
      ...batch.map((s) => Session.delete({ userId: s.userId, sessionHash: s.sessionHash }).commit()),
      ...(i === 0
        ? [eventRecord(EventItem, { kind: 'UserSignedOut', userId: actor.id, everywhere: true }, { actorId: actor.id, ip: request.ip })]
        : []),
    ]);
  }
  return { cookies: [clearedSessionCookie()] };
}
