import type { DigestFrequency, EmailCategory, EmailPreferences, Volume } from '../../../shared/schemas/notifications.ts';
import { call } from './api.ts';

// Notifications, email preferences and announcements as the browser sees them. Imported by the
// notifications, settings, unsubscribe, group, thread and poll routes; never by the header bell,
// which only counts (`unread.svelte.ts`), so none of this is in the entry page's JavaScript.

export interface Notification {
  id: string;
  kind: string;
  title: string;
  url: string;
  actorName: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  items: Notification[];
  cursor: string | null;
  unreadCount: number;
  unreadCountCapped: boolean;
}

export type AudienceKind = 'group' | 'subgroup' | 'members' | 'voters' | 'undecided' | 'non_voters';
export type AnnounceSubject = { type: 'discussion' | 'poll' | 'outcome'; id: string };

const path = encodeURIComponent;

export const notificationsApi = {
  list: (cursor?: string | null) => call<NotificationPage>('GET', `/notifications${cursor ? `?cursor=${path(cursor)}` : ''}`),
  markRead: (ids: string[]) => call<{ marked: number }>('POST', '/notifications/read', { ids }),
  markAllRead: () => call<{ marked: number }>('POST', '/notifications/read', { all: true }),
  preferences: (fetcher?: typeof fetch) => call<EmailPreferences>('GET', '/me/email-preferences', undefined, fetcher),
  savePreferences: (prefs: EmailPreferences) => call<EmailPreferences>('PUT', '/me/email-preferences', prefs),
  setGroupVolume: (groupId: string, volume: Volume) => call<{ groupId: string; volume: Volume }>('PUT', `/groups/${path(groupId)}/volume`, { volume }),
  /** A thread's or poll's own volume; null goes back to the group's. */
  setItemVolume: (type: 'discussions' | 'polls', id: string, volume: Volume | null) =>
    call<{ id: string; volume: Volume | null }>('PUT', `/${type}/${path(id)}/volume`, { volume: volume ?? 'group' }),
  describeUnsubscribe: (token: string) =>
    call<{ action: 'unsubscribe'; category: EmailCategory; description: string }>('GET', `/unsubscribe?token=${path(token)}`),
  unsubscribe: (token: string) => call<{ unsubscribed: true; category: EmailCategory; description: string }>('POST', `/unsubscribe?token=${path(token)}`),
  announce: (subject: AnnounceSubject, audience: { kind: AudienceKind; subgroupId?: string; userIds?: string[] }) =>
    call<{ message: string }>('POST', '/announcements', { subject, audience }),
};

/**
 * A notification's link as an in-app path: the API gives absolute addresses (the same ones
 * its emails use), and a same-site path keeps the click inside the app.
 */
export function appPath(url: string): string {
  try {
    const parsed = new URL(url, location.origin);
    return parsed.origin === location.origin ? `${parsed.pathname}${parsed.search}${parsed.hash}` : url;
  } catch {
    return '/';
  }
}

/** "5 minutes ago", "yesterday", or a date, in the reader's own language. */
export function ago(iso: string, now = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.round((then - now) / 1000);
  const words = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const steps: Array<[Intl.RelativeTimeFormatUnit, number]> = [['second', 60], ['minute', 60], ['hour', 24], ['day', 7]];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return unit === 'second' ? words.format(0, 'second') : words.format(value, unit);
    value = Math.round(value / size);
  }
  return new Date(then).toLocaleDateString(undefined, { day: 'numeric', month: 'long', year: 'numeric' });
}

export const volumeChoices: Array<{ value: Volume; label: string; explanation: string }> = [
  { value: 'loud', label: 'Loud', explanation: 'Everything Normal sends, plus an email for every new comment.' },
  {
    value: 'normal',
    label: 'Normal',
    explanation: 'An email when something concerns you: a mention or a reply, a poll about to close, a result or an outcome, an announcement.',
  },
  { value: 'quiet', label: 'Quiet', explanation: 'Only announcements by email. Everything else waits in your notifications.' },
  { value: 'mute', label: 'Mute', explanation: 'Nothing at all: no emails and no notifications, not even announcements.' },
];

export const volumeLabel: Record<Volume, string> = { loud: 'Loud', normal: 'Normal', quiet: 'Quiet', mute: 'Mute' };

export const digestChoices: Array<{ value: DigestFrequency; label: string; explanation: string }> = [
  { value: 'never', label: 'Never', explanation: 'No summary emails.' },
  { value: 'daily', label: 'Daily', explanation: 'One email each morning with what you have not read yet.' },
  { value: 'every_other_day', label: 'Every other day', explanation: 'The same summary, every second morning.' },
  { value: 'weekly', label: 'Weekly', explanation: 'One summary a week, on the day you choose.' },
];

/** The email categories a person can switch off, in the words the emails' unsubscribe links use. */
export const categoryChoices: Array<{ value: Exclude<EmailCategory, 'digest'>; label: string; explanation: string }> = [
  { value: 'mentions', label: 'Mentions and replies', explanation: 'When someone mentions you or replies to you.' },
  { value: 'discussions', label: 'Discussions', explanation: 'New threads and comments in your groups.' },
  { value: 'polls', label: 'Polls', explanation: 'New polls, reminders before they close, and results.' },
  { value: 'outcomes', label: 'Outcomes', explanation: 'What a group decided, and reminders to review it.' },
  { value: 'membership', label: 'Membership', explanation: 'Requests to join groups you look after, and answers to your own.' },
];

export const weekdays = [0, 1, 2, 3, 4, 5, 6].map((day) => ({
  value: day,
  // 2023-01-01 was a Sunday.
  label: new Date(Date.UTC(2023, 0, 1 + day)).toLocaleDateString(undefined, { weekday: 'long', timeZone: 'UTC' }),
}));
