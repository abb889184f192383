import type { EmailCategory, EmailPreferences } from '../../shared/schemas/notifications.ts';
import { get, put, transact } from '../lib/db.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { nextDigestAt } from './schedule.ts';
import { DUE_PARTITION, notificationKeys, preferencesView, type PreferencesItem } from './store.ts';

/** The preferences item for a person, scheduled in the due index when a digest is wanted. */
export function preferencesItem(userId: string, prefs: EmailPreferences, previous: PreferencesItem | null, now = Date.now()): PreferencesItem {
  const lastDigestAt = previous?.lastDigestAt;
  const muted = (Object.entries(prefs.categories) as Array<[EmailCategory, boolean]>).filter(([, on]) => !on).map(([c]) => c);
  const due = nextDigestAt(prefs.digest, prefs.timeZone, now, prefs.digestWeekday ?? 1, lastDigestAt ? Date.parse(lastDigestAt) : undefined);
  return {
    ...notificationKeys.preferences(userId),
    type: 'emailPreferences',
    userId,
    defaultVolume: prefs.defaultVolume,
    digest: prefs.digest,
    ...(prefs.digestWeekday !== undefined ? { digestWeekday: prefs.digestWeekday } : {}),
    timeZone: prefs.timeZone,
    ...(muted.length ? { mutedCategories: new Set(muted) } : {}),
    ...(lastDigestAt ? { lastDigestAt } : {}),
    updatedAt: new Date(now).toISOString(),
    ...(due !== null ? { gsi2pk: DUE_PARTITION, gsi2sk: `${new Date(due).toISOString()}#digest#${userId}`, dueKind: 'digest' as const } : {}),
  };
}

/** GET /api/me/email-preferences: the saved preferences, or the defaults. */
export async function getEmailPreferences(request: ApiRequest<'GET /api/me/email-preferences'>): Promise<ApiReply> {
  return { body: preferencesView(await get<PreferencesItem>(notificationKeys.preferences(request.actor.id))) };
}

/** PUT /api/me/email-preferences: replaces them and reschedules the digest. */
export async function putEmailPreferences(request: ApiRequest<'PUT /api/me/email-preferences'>): Promise<ApiReply> {
  const actor = request.actor;
  const previous = await get<PreferencesItem>(notificationKeys.preferences(actor.id));
  const item = preferencesItem(actor.id, request.body, previous);
  await transact([put({ ...item }), recordEvent({ kind: 'EmailPreferencesChanged', userId: actor.id }, { actorId: actor.id, ip: request.ip })]);
  return { body: preferencesView(item) };
}
