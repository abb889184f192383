import type { EmailCategory, Volume } from '../../shared/schemas/notifications.ts';

/** Changes people make to what they hear, in past tense. */
export type NotificationEvent =
  | { kind: 'GroupVolumeChanged'; groupId: string; userId: string; volume: Volume }
  | { kind: 'EmailPreferencesChanged'; userId: string }
  | { kind: 'EmailUnsubscribed'; userId: string; category: EmailCategory };
