import type { DigestFrequency, EmailCategory, EmailPreferences, Volume } from '../../shared/schemas/notifications.ts';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import type { Key } from '../lib/db.ts';

/** The scheduler's due partition (`DUE_PARTITION` in scheduler-handler.ts, not imported: it imports our jobs). */
export const DUE_PARTITION = 'due';

export const NOTIFICATION_TTL_SECONDS = 90 * 24 * 60 * 60;
export const SENT_MARKER_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Notification items live in the recipient's partition, so a person's list is one Query. */
export const notificationKeys = {
  notification: (userId: string, eventId: string): Key => ({ pk: `user#${userId}`, sk: `notification#${eventId}` }),
  notificationsOf: (userId: string) => ({ pk: `user#${userId}`, prefix: 'notification#' }),
  preferences: (userId: string): Key => ({ pk: `user#${userId}`, sk: 'emailprefs' }),
  /** One marker per (event, recipient, channel): whoever writes it first is the one who sends. */
  sent: (eventId: string, userId: string, channel: 'email' | 'digest'): Key => ({ pk: `sent#${eventId}`, sk: `${channel}#${userId}` }),
};

/** One in-app notification. Its id is the event id, so one event makes at most one per person. */
export interface NotificationItem extends Key {
  type: 'notification';
  id: string;
  /**
   * The event's kind. Stored as `eventKind`, not `kind`: in the table only event records carry
   * `kind`, so anything that looks for events by kind never mistakes a notification for one.
   */
  eventKind: string;
  category: EmailCategory;
  title: string;
  url: string;
  actorName: string | null;
  groupId: string | null;
  groupName: string | null;
  createdAt: string;
  readAt?: string;
  expiresAt: number;
}

/**
 * A person's email preferences. While a digest is scheduled the item sits in the sparse `gsi2`
 * index (`due`, `<time>#digest#<userId>`), which the scheduler sweeps.
 */
export interface PreferencesItem extends Key {
  type: 'emailPreferences';
  userId: string;
  defaultVolume: Volume;
  digest: DigestFrequency;
  digestWeekday?: number;
  timeZone: string;
  /** Categories switched off; absent when none (a set, so unsubscribe is one `ADD`, and never an empty map). */
  mutedCategories?: Set<EmailCategory>;
  lastDigestAt?: string;
  updatedAt: string;
  gsi2pk?: string;
  gsi2sk?: string;
  dueKind?: 'digest';
}

export interface SentMarkerItem extends Key {
  type: 'sentMarker';
  at: string;
  expiresAt: number;
}

export const defaultPreferences = (): EmailPreferences => ({
  defaultVolume: 'normal',
  digest: 'never',
  timeZone: 'UTC',
  categories: {},
});

export function preferencesView(item: PreferencesItem | null): EmailPreferences {
  if (!item) return defaultPreferences();
  return {
    defaultVolume: item.defaultVolume,
    digest: item.digest,
    ...(item.digestWeekday !== undefined ? { digestWeekday: item.digestWeekday } : {}),
    timeZone: item.timeZone,
    categories: Object.fromEntries([...(item.mutedCategories ?? [])].sort().map((c) => [c, false])),
  };
}

/** A category is on unless the person switched it off. */
export const categoryOn = (prefs: PreferencesItem | null, category: EmailCategory): boolean => !prefs?.mutedCategories?.has(category);

/**
 * Many people's preferences in one round trip per 100 (eventually consistent: half the read
 * cost, and a preference changed a second ago may miss one email at most).
 */
export async function preferencesOf(userIds: string[]): Promise<Map<string, PreferencesItem>> {
  const found = new Map<string, PreferencesItem>();
  for (let i = 0; i < userIds.length; i += 100) {
    let keys: Array<Record<string, unknown>> | undefined = userIds.slice(i, i + 100).map((id) => notificationKeys.preferences(id) as unknown as Record<string, unknown>);
    for (let attempt = 0; keys?.length; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const page = await db.send(new BatchGetCommand({ RequestItems: { [config.tableName]: { Keys: keys } } }));
      for (const item of (page.Responses?.[config.tableName] ?? []) as PreferencesItem[]) found.set(item.userId, item);
      keys = page.UnprocessedKeys?.[config.tableName]?.Keys as typeof keys;
    }
  }
  return found;
}
