import { Announce, EmailPreferences, MarkRead, NotificationPage, NotificationsQuery, SetVolume, UnsubscribeQuery } from '../../schemas/notifications.ts';
import type { RouteSpec } from '../route-spec.ts';

/** In-app notifications, announcements, volumes, email preferences and one-click unsubscribe. */
export const notificationRoutes = {
  'GET /api/notifications': {
    fn: 'notifications', auth: 'required', status: 200,
    summary: 'The signed-in person\'s notifications, newest first, 30 a page, with the unread count.',
    query: NotificationsQuery, response: NotificationPage,
  },
  'POST /api/notifications/read': {
    fn: 'notifications', auth: 'required', status: 200,
    summary: 'Mark some notifications (`ids`) or all of them (`all: true`) as read.', body: MarkRead,
  },
  'PUT /api/groups/{id}/volume': {
    fn: 'notifications', auth: 'required', status: 200,
    summary: 'How much a member hears from this group: mute, quiet (in-app only), normal or loud (members only).', body: SetVolume,
  },
  'GET /api/me/email-preferences': {
    fn: 'notifications', auth: 'required', status: 200,
    summary: 'Default volume, digest frequency and time zone, and the email categories switched on.', response: EmailPreferences,
  },
  'PUT /api/me/email-preferences': {
    fn: 'notifications', auth: 'required', status: 200,
    summary: 'Replace the email preferences; the next digest is rescheduled.', body: EmailPreferences, response: EmailPreferences,
  },
  'GET /api/unsubscribe': {
    fn: 'notifications', auth: 'none', status: 200,
    summary: 'What the unsubscribe link in an email will switch off (works signed out).', query: UnsubscribeQuery,
  },
  'POST /api/unsubscribe': {
    fn: 'notifications', auth: 'none', status: 200,
    summary: 'One-click unsubscribe (RFC 8058): switch off that email category for that person. Does nothing else.', query: UnsubscribeQuery,
    oneClick: true,
  },
  'POST /api/announcements': {
    fn: 'notifications', auth: 'required', status: 202,
    summary: 'Tell an audience about a thread, poll or outcome by email and in-app: the group, a subgroup, chosen members, or a poll\'s voters, undecided or non-voters. The author (while members_can_announce is on) and admins.',
    body: Announce,
  },
} as const satisfies Record<string, RouteSpec>;
