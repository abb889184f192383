import type { Audience, EmailCategory, Volume } from '../../shared/schemas/notifications.ts';

/** Changes people make to what they hear, in past tense; and announcements, which make others hear. */
export type NotificationEvent =
  | { kind: 'GroupVolumeChanged'; groupId: string; userId: string; volume: Volume }
  /** A member set their own volume for one thread or poll; null: back to the group's. */
  | { kind: 'ItemVolumeChanged'; groupId: string; subject: { type: 'discussion' | 'poll'; id: string }; userId: string; volume: Volume | null }
  | { kind: 'EmailPreferencesChanged'; userId: string }
  | { kind: 'EmailUnsubscribed'; userId: string; category: EmailCategory }
  /** Someone asked that an audience be told about a thread, poll or outcome (ids inside the group). */
  | { kind: 'Announced'; groupId: string; subject: { type: 'discussion' | 'poll' | 'outcome'; id: string }; audience: Audience };
