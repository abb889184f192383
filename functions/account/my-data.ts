import { forEachPage, get, queryAll } from '../lib/db.ts';
import { keys, type EventRecordItem, type SessionItem, type UserItem } from '../lib/entities.ts';
import { notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import type { MembershipItem } from '../groups/store.ts';
import { notificationKeys, preferencesView, type PreferencesItem } from '../notifications/store.ts';
import { passwordKeys, type PasswordItem } from '../auth/passwords.ts';
import { contentCounts } from './footprint.ts';
import type { PersonalExportItem } from './store.ts';

/** A readable device from a user agent, without keeping more of it than the page shows. */
export function deviceOf(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const browser = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : ua ? 'Other browser' : 'Unknown';
  const system = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return system ? `${browser} on ${system}` : browser;
}

/** Every membership the person has or had, active, suspended or ended (ended ones keep no index entry). */
export async function membershipsOf(userId: string): Promise<MembershipItem[]> {
  const found: MembershipItem[] = [];
  await forEachPage<MembershipItem>(
    { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `memberof#${userId}` } },
    async (items) => void found.push(...items),
  );
  return found;
}

/**
 * GET /api/me/data: everything stored about the person, from their own partition (profile,
 * sessions, sign-in history, preferences, exports) plus their memberships and content counts.
 * IPs were masked before they were stored; session and password hashes are never shown.
 */
export async function getMyData(request: ApiRequest<'GET /api/me/data'>): Promise<ApiReply> {
  const actor = request.actor;
  const user = await get<UserItem>(keys.user(actor.id));
  if (!user) throw notFound();
  const [sessions, events, prefs, exports, memberships, counts, password] = await Promise.all([
    queryAll<SessionItem>(`user#${actor.id}`, 'session#'),
    queryAll<EventRecordItem>(`user#${actor.id}`, 'event#'),
    get<PreferencesItem>(notificationKeys.preferences(actor.id)),
    queryAll<PersonalExportItem>(`user#${actor.id}`, 'export#'),
    membershipsOf(actor.id),
    contentCounts(actor.id),
    get<PasswordItem>(passwordKeys.password(actor.id)),
  ]);
  return {
    body: {
      profile: { id: user.userId, email: user.email, name: user.name ?? null, createdAt: user.createdAt, hasPassword: password !== null, passwordSetAt: password?.setAt ?? null },
      memberships: memberships.map((m) => ({
        groupId: m.groupId, groupName: m.groupName, role: m.role, title: m.title, joinedAt: m.joinedAt, via: m.via,
        status: m.revokedAt ? 'ended' : (m as { suspendedAt?: string }).suspendedAt ? 'suspended' : 'active',
      })),
      sessions: sessions.map((s) => ({ ip: s.ip, device: deviceOf(s.userAgent), createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, method: s.method ?? null, current: s.sessionHash === actor.sessionHash })),
      signInHistory: events.reverse().map((e) => ({ kind: e.kind, at: e.at, ip: e.ip ?? null, method: (e.data.method as string | undefined) ?? null })),
      emailPreferences: preferencesView(prefs),
      contentCounts: counts,
      exports: exports.map((x) => ({ id: x.exportId, status: x.status, requestedAt: x.requestedAt, finishedAt: x.finishedAt ?? null })),
    },
  };
}
