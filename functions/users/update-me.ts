import { patch, queryAll, transact } from '../lib/db.ts';
import { keys, type SessionItem } from '../lib/entities.ts';
import { conflict } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';

/**
 * PATCH /api/me. Sessions carry a copy of the name (so a request's actor is one read), so the
 * profile and every session change together.
 */
export async function updateMe(request: ApiRequest<'PATCH /api/me'>): Promise<ApiReply> {
  const actor = request.actor;
  const { name } = request.body;
  const now = new Date().toISOString();
  const { pk, prefix } = keys.sessionsOf(actor.id);
  for (let attempt = 0; attempt < 3; attempt++) {
    const sessions = await queryAll<SessionItem>(pk, prefix, ['pk', 'sk']);
    let saved = true;
    for (let i = 0; i < Math.max(sessions.length, 1) && saved; i += 98) {
      const codes = await transact([
        ...(i === 0
          ? [
              patch(keys.user(actor.id), { set: { name, updatedAt: now } }),
              recordEvent({ kind: 'UserRenamed', userId: actor.id }, { actorId: actor.id, ip: request.ip }),
            ]
          : []),
        // Patch, never upsert: a session signed out meanwhile must not come back. If one did
        // vanish, the transaction is cancelled and the sessions are read again.
        ...sessions.slice(i, i + 98).map((s) => patch({ pk: s.pk, sk: s.sk }, { set: { name } })),
      ]);
      saved = codes === null;
    }
    if (saved) return { body: { id: actor.id, email: actor.email, name } };
  }
  throw conflict('Your sessions changed while saving your name. Please try again.');
}
