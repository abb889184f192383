import { capability } from '../lib/http.ts';
import { announce } from './announce.ts';
import { getEmailPreferences, putEmailPreferences } from './email-preferences.ts';
import { listNotifications } from './list-notifications.ts';
import { markRead } from './mark-read.ts';
import { setGroupVolume } from './set-volume.ts';
import { describeUnsubscribe, unsubscribe } from './unsubscribe.ts';

export const handler = capability({
  'GET /api/notifications': listNotifications,
  'POST /api/notifications/read': markRead,
  'PUT /api/groups/{id}/volume': setGroupVolume,
  'GET /api/me/email-preferences': getEmailPreferences,
  'PUT /api/me/email-preferences': putEmailPreferences,
  'GET /api/unsubscribe': describeUnsubscribe,
  'POST /api/unsubscribe': unsubscribe,
  'POST /api/announcements': announce,
});
