import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { forEachPage, get, patch, queryAll, remove, transact } from '../lib/db.ts';
import { keys, type SessionItem, type UserItem } from '../lib/entities.ts';
import { conflict } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { clearedSessionCookie } from '../lib/session.ts';
import type { RecordedEvent } from '../workers/stream-handler.ts';
import type { MembershipItem } from '../groups/store.ts';
import { notificationKeys, type PreferencesItem } from '../notifications/store.ts';

/**
 * POST /api/me/deactivate: the person steps away without losing anything. Their sessions end now
 * and the account is marked; the worker then suspends their memberships (muted: no notification and
 * no email reaches them) and pauses their digest. Signing in again
 * reactivates the account and lifts exactly those suspensions.
 */
export async function deactivateAccount(request: ApiRequest<'POST /api/me/deactivate'>): Promise<ApiReply> {
  const actor = request.actor;
  const { pk, prefix } = keys.sessionsOf(actor.id);
  const sessions = await queryAll<SessionItem>(pk, prefix, ['pk', 'sk']);
  const now = new Date().toISOString();
  const codes = await transact([
    patch(keys.user(actor.id), { set: { deactivatedAt: now } }, { if: 'attribute_not_exists(#deactivatedAt) AND attribute_not_exists(#deletedAt)' }),
    recordEvent({ kind: 'AccountDeactivated', userId: actor.id }, { actorId: actor.id, ip: request.ip }),
    ...sessions.slice(0, 98).map((s) => remove({ pk: s.pk, sk: s.sk })),
  ]);
  if (codes?.[0] === 'ConditionalCheckFailed') throw conflict('This account is already deactivated.', 'already_deactivated');
  if (codes) throw conflict('Your sessions changed while deactivating. Please try again.');
  for (let i = 98; i < sessions.length; i += 99) await transact(sessions.slice(i, i + 99).map((s) => remove({ pk: s.pk, sk: s.sk })));
  return { status: 202, cookies: [clearedSessionCookie()], body: { message: 'Your account is deactivated. Sign in again to come back.' } };
}

/** Sets or removes attributes of an item that must still exist; a vanished item is left alone. */
async function change(key: { pk: string; sk: string }, expression: string, values: Record<string, unknown> | undefined, condition: string): Promise<void> {
  await db.send(new UpdateCommand({
    TableName: config.tableName,
    Key: key,
    UpdateExpression: expression,
    ConditionExpression: `attribute_exists(pk) AND ${condition}`,
    ExpressionAttributeValues: values,
  })).catch((error: Error) => { if (error.name !== 'ConditionalCheckFailedException') throw error; });
}

async function eachMembership(userId: string, each: (m: MembershipItem) => Promise<void>): Promise<void> {
  await forEachPage<MembershipItem & { suspendedAt?: string }>(
    { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `memberof#${userId}` } },
    async (items) => { for (const m of items) await each(m); },
  );
}

/** AccountDeactivated: suspend every active membership and pause the digest. Safe to repeat. */
export async function suspendAccount(event: RecordedEvent): Promise<void> {
  const userId = (event.data as { userId: string }).userId;
  const user = await get<UserItem>(keys.user(userId));
  // Reactivated (or deleted) before this ran: nothing to suspend.
  if (!user?.deactivatedAt) return;
  // Muted through the membership's own volume, which every notification path already honours;
  // the volume they had is kept beside it and given back on reactivation.
  await eachMembership(userId, (m) =>
    change(
      { pk: m.pk, sk: m.sk },
      'SET suspendedAt = :at, volume = :mute, volumeBeforeSuspension = :before',
      { ':at': user.deactivatedAt, ':mute': 'mute', ':before': (m as { volume?: string }).volume ?? 'default' },
      'attribute_not_exists(revokedAt) AND attribute_not_exists(suspendedAt)',
    ),
  );
  const prefs = await get<PreferencesItem>(notificationKeys.preferences(userId));
  if (prefs?.gsi2sk) {
    await change(notificationKeys.preferences(userId), 'SET pausedDigestDue = :due REMOVE gsi2pk, gsi2sk', { ':due': prefs.gsi2sk }, 'gsi2sk = :due');
  }
}

/** AccountReactivated: lift the suspensions (memberships revoked meanwhile stay revoked) and resume the digest. */
export async function reactivateAccount(event: RecordedEvent): Promise<void> {
  const userId = (event.data as { userId: string }).userId;
  const user = await get<UserItem>(keys.user(userId));
  if (!user || user.deactivatedAt || user.deletedAt) return;
  await eachMembership(userId, (m) => {
    const before = (m as { volumeBeforeSuspension?: string }).volumeBeforeSuspension;
    return before && before !== 'default'
      ? change({ pk: m.pk, sk: m.sk }, 'SET volume = :before REMOVE suspendedAt, volumeBeforeSuspension', { ':before': before }, 'attribute_exists(suspendedAt)')
      : change({ pk: m.pk, sk: m.sk }, 'REMOVE suspendedAt, volumeBeforeSuspension, volume', undefined, 'attribute_exists(suspendedAt)');
  });
  const prefs = await get<PreferencesItem & { pausedDigestDue?: string }>(notificationKeys.preferences(userId));
  if (prefs?.pausedDigestDue) {
    await change(notificationKeys.preferences(userId), 'SET gsi2pk = :due, gsi2sk = :sk REMOVE pausedDigestDue', { ':due': 'due', ':sk': prefs.pausedDigestDue }, 'pausedDigestDue = :sk');
  }
}
