import * as z from 'zod/mini';

/** How much a person hears from a group, thread or poll. */
export const Volume = z.enum(['mute', 'quiet', 'normal', 'loud'], { error: 'Choose mute, quiet, normal or loud.' });
export type Volume = z.infer<typeof Volume>;

export const DigestFrequency = z.enum(['never', 'daily', 'every_other_day', 'weekly'], {
  error: 'Choose never, daily, every other day or weekly.',
});
export type DigestFrequency = z.infer<typeof DigestFrequency>;

/** What an unsubscribe link switches off; each notification kind belongs to one. */
export const EmailCategory = z.enum(['membership', 'discussions', 'mentions', 'polls', 'outcomes', 'digest'], {
  error: 'Not a known email category.',
});
export type EmailCategory = z.infer<typeof EmailCategory>;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const TimeZone = z.string({ error: 'Enter a time zone, like Europe/Berlin.' }).check(
  z.maxLength(64, { error: 'Enter a time zone, like Europe/Berlin.' }),
  z.refine(isTimeZone, { error: 'Not a known time zone; use an IANA name like Europe/Berlin.' }),
);

export const Weekday = z.int({ error: 'Choose a weekday from 0 (Sunday) to 6 (Saturday).' }).check(
  z.minimum(0, { error: 'Choose a weekday from 0 (Sunday) to 6 (Saturday).' }),
  z.maximum(6, { error: 'Choose a weekday from 0 (Sunday) to 6 (Saturday).' }),
);

export const EmailPreferences = z.object({
  defaultVolume: Volume,
  digest: DigestFrequency,
  digestWeekday: z.optional(Weekday),
  timeZone: TimeZone,
  categories: z.partialRecord(EmailCategory, z.boolean({ error: 'Use true or false.' })),
});
export type EmailPreferences = z.infer<typeof EmailPreferences>;

export const SetVolume = z.object({ volume: Volume });

/** A thread's or poll's own volume; `group` removes it, so the group's volume applies again. */
export const ItemVolume = z.enum(['mute', 'quiet', 'normal', 'loud', 'group'], { error: 'Choose mute, quiet, normal, loud or group.' });
export type ItemVolume = z.infer<typeof ItemVolume>;
export const SetItemVolume = z.object({ volume: ItemVolume });

export const MarkRead = z.union([
  z.object({ ids: z.array(z.string().check(z.minLength(1), z.maxLength(100))).check(z.minLength(1, { error: 'Name at least one notification.' }), z.maxLength(100, { error: 'At most 100 at a time.' })) }),
  z.object({ all: z.literal(true, { error: 'Use true.' }) }),
]);

export const NotificationsQuery = z.object({ cursor: z.optional(z.string().check(z.maxLength(2000))) });

export const UnsubscribeQuery = z.object({ token: z.string({ error: 'The link has no token.' }).check(z.minLength(10), z.maxLength(500)) });

export const Notification = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  url: z.string(),
  actorName: z.nullable(z.string()),
  createdAt: z.string(),
  readAt: z.nullable(z.string()),
});

export const NotificationPage = z.object({
  items: z.array(Notification),
  cursor: z.nullable(z.string()),
  /** Unread among the newest 100; `unreadCountCapped` says there may be more. */
  unreadCount: z.number(),
  unreadCountCapped: z.boolean(),
});

const AnnounceId = z.string({ error: 'Name what you announce.' }).check(z.regex(/^[A-Za-z0-9_.-]{1,100}$/, { error: 'Unknown id.' }));
const MemberIds = z.array(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'Unknown member.' })), { error: 'Choose members.' }).check(
  z.minLength(1, { error: 'Choose at least one member.' }),
  z.maxLength(200, { error: 'Choose at most 200 members; announce to the group or a subgroup instead.' }),
);

/** Who hears of a thread or an outcome: the group, one of its subgroups, or chosen members. */
export const ThreadAudience = z.object({
  kind: z.enum(['group', 'subgroup', 'members'], { error: 'Choose group, subgroup or members.' }),
  subgroupId: z.optional(z.string().check(z.maxLength(100))),
  userIds: z.optional(MemberIds),
});

/** A poll's audience may also be its voters, the undecided (may vote, have not) or everyone who has not voted. */
export const PollAudience = z.object({
  kind: z.enum(['group', 'subgroup', 'members', 'voters', 'undecided', 'non_voters'], { error: 'Choose group, subgroup, members, voters, undecided or non_voters.' }),
  subgroupId: z.optional(z.string().check(z.maxLength(100))),
  userIds: z.optional(MemberIds),
});
export type Audience = z.infer<typeof PollAudience>;

export const Announce = z.object({
  subject: z.object({
    type: z.enum(['discussion', 'poll', 'outcome'], { error: 'Choose discussion, poll or outcome.' }),
    id: AnnounceId,
  }),
  audience: PollAudience,
});
export type Announce = z.infer<typeof Announce>;
