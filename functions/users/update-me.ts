import { Session } from '../lib/entities.ts';
import { eventRecord } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { transactWrite } from '../lib/transact.ts';
import { conflict } from '../lib/errors.ts';
import { usersService } from './store.ts';

/**
 * PATCH /api/me. Sessions carry a copy of the name (so a request's actor is one read), so the
 * profile and every session change together.
 */
export async function updateMe(request: ApiRequest<'PATCH /api/me'>): Promise<ApiReply> {
  const actor = request.actor;
  const { name } = request.body;
  const now = new Date().toISOString();
  for (let attempt = 0; attempt < 3; attempt++) {
    const { data: sessions } = await Session.query.byUser({ userId: actor.id }).go({ pages: 'all', attributes: ['userId', 'sessionHash'] });
    let saved = true;
    for (let i = 0; i < Math.max(sessions.length, 1) && saved; i += 98) {
      const batch = sessions.slice(i, i + 98);
      const codes = await transactWrite(usersService, ({ User, Session, EventItem }) => [
        ...(i === 0
          ? [
              User.patch({ userId: actor.id }).set({ name, updatedAt: now }).commit(),
              eventRecord(EventItem, { kind: 'UserRenamed', userId: actor.id }, { actorId: actor.id, ip: request.ip }),
            ]
          : []),
        // Patch, never upsert: a session signed out meanwhile must not come back. If one did
        // vanish, the transaction is cancelled and the sessions are read again.
        ...batch.map((s) => Session.patch({ userId: s.userId, sessionHash: s.sessionHash }).set({ name }).commit()),
      ]);
      saved = codes === null;
    }
    if (saved) return { body: { id: actor.id, email: actor.email, name } };
  }
  throw conflict('Your sessions changed while saving your name. Please try again.');
}
