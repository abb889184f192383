import { emailHash } from '../lib/crypto.ts';
import { create, patch, queryAll, remove, transact } from '../lib/db.ts';
import { get } from '../lib/db.ts';
import { keys, type SessionItem, type UserItem } from '../lib/entities.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { clearedSessionCookie } from '../lib/session.ts';
import { accountKeys, type ErasureItem } from './store.ts';

/** How long the stream gets to erase before the scheduler's sweep runs the erase itself. */
export const ERASE_SWEEP_AFTER_MS = 5 * 60 * 1000;

/**
 * DELETE /api/me: irreversible. At once, in one transaction: the account stops existing for
 * sign-in (its address pointer goes, so the address may start a fresh account), every session
 * ends, and a durable erasure record is written with its event. The erase worker (stream, with the
 * scheduler as backstop) then removes and re-attributes everything else.
 */
export async function deleteAccount(request: ApiRequest<'DELETE /api/me'>): Promise<ApiReply> {
  const actor = request.actor;
  const user = await get<UserItem>(keys.user(actor.id));
  if (user && !user.deletedAt) {
    const hash = emailHash(user.email);
    const now = new Date();
    const job: ErasureItem = {
      ...accountKeys.erasure(actor.id),
      type: 'erasure',
      userId: actor.id,
      emailHash: hash,
      requestedAt: now.toISOString(),
      gsi2pk: 'due',
      gsi2sk: `${new Date(now.getTime() + ERASE_SWEEP_AFTER_MS).toISOString()}#erase#${actor.id}`,
      dueKind: 'eraseAccount',
    };
    const { pk, prefix } = keys.sessionsOf(actor.id);
    const sessions = await queryAll<SessionItem>(pk, prefix, ['pk', 'sk']);
    const first = [
      patch(keys.user(actor.id), { set: { deletedAt: job.requestedAt } }, { if: 'attribute_not_exists(#deletedAt)' }),
      remove(keys.userEmail(hash), { if: 'attribute_not_exists(pk) OR #userId = :me', values: { ':me': actor.id } }),
      create({ ...job }),
      recordEvent({ kind: 'AccountDeletionRequested', userId: actor.id }, { actorId: actor.id }),
    ];
    const codes = await transact([...first, ...sessions.slice(0, 96).map((s) => remove({ pk: s.pk, sk: s.sk }))]);
    // A parallel request won the race: the deletion is under way either way.
    if (!codes) {
      for (let i = 96; i < sessions.length; i += 99) await transact(sessions.slice(i, i + 99).map((s) => remove({ pk: s.pk, sk: s.sk })));
    }
  }
  return { status: 202, cookies: [clearedSessionCookie()], body: { message: 'Your account is being deleted. This cannot be undone.' } };
}
