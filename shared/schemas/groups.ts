import * as z from 'zod/mini';
import { Email, RefId } from './common.ts';

export const Privacy = z.enum(['open', 'closed', 'secret'], { error: 'Choose open, closed or secret.' });
export type Privacy = z.infer<typeof Privacy>;

export const DiscussionPrivacy = z.enum(['public_only', 'private_only', 'public_or_private'], {
  error: 'Choose public only, private only, or public or private.',
});
export type DiscussionPrivacy = z.infer<typeof DiscussionPrivacy>;

export const MembershipGranting = z.enum(['request', 'approval', 'invitation'], {
  error: 'Choose request, approval or invitation.',
});
export type MembershipGranting = z.infer<typeof MembershipGranting>;

/** The permission flags and their defaults; later capabilities enforce them. */
export const flagDefaults = {
  membersCanStartDiscussions: true,
  membersCanEditDiscussions: true,
  membersCanEditComments: true,
  membersCanDeleteComments: true,
  membersCanRaiseMotions: true,
  membersCanAnnounce: true,
  membersCanAddGuests: true,
  adminsCanEditUserContent: true,
  membersCanAddMembers: false,
  membersCanCreateSubgroups: false,
} as const;
export type FlagName = keyof typeof flagDefaults;
export type Flags = Record<FlagName, boolean>;

export const Flags = z.object(
  Object.fromEntries(Object.keys(flagDefaults).map((name) => [name, z.optional(z.boolean({ error: 'Use true or false.' }))])) as Record<
    FlagName,
    z.ZodMiniOptional<z.ZodMiniBoolean>
  >,
);

export const Handle = z.string({ error: 'Enter a handle.' }).check(
  z.trim(),
  z.toLowerCase(),
  z.minLength(2, { error: 'A handle has at least 2 characters.' }),
  z.maxLength(100, { error: 'A handle has at most 100 characters.' }),
  z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'Use lower-case letters, digits and single dashes, like river-co-op.' }),
);

export const GroupName = z.string({ error: 'Enter a name.' }).check(
  z.trim(),
  z.minLength(1, { error: 'Enter a name.' }),
  z.maxLength(250, { error: 'A name has at most 250 characters.' }),
);

export const Markdown = z.string().check(z.maxLength(20_000, { error: 'Keep this under 20,000 characters.' }));

const settingsShape = {
  privacy: z.optional(Privacy),
  discussionPrivacy: z.optional(DiscussionPrivacy),
  membershipGranting: z.optional(MembershipGranting),
  flags: z.optional(Flags),
  parentMembersCanSeeDiscussions: z.optional(z.boolean()),
  isVisibleToParentMembers: z.optional(z.boolean()),
};

export const CreateGroup = z.object({
  name: GroupName,
  handle: z.optional(Handle),
  description: z.optional(Markdown),
  parentId: z.optional(RefId('Say which group this is a subgroup of.', 'No such group.')),
  ...settingsShape,
});
export type CreateGroup = z.infer<typeof CreateGroup>;

export const UpdateGroup = z.object({
  name: z.optional(GroupName),
  handle: z.optional(Handle),
  description: z.optional(Markdown),
  ...settingsShape,
});
export type UpdateGroup = z.infer<typeof UpdateGroup>;

export const GroupSettings = z.object({
  privacy: Privacy,
  discussionPrivacy: DiscussionPrivacy,
  membershipGranting: MembershipGranting,
});
export type GroupSettings = z.infer<typeof GroupSettings>;

export const Role = z.enum(['admin', 'member'], { error: 'Choose admin or member.' });
export type Role = z.infer<typeof Role>;

export const UpdateMembership = z.object({
  role: z.optional(Role),
  title: z.optional(z.nullable(z.string().check(z.trim(), z.maxLength(100, { error: 'A title has at most 100 characters.' })))),
});

export const Invite = z.object({
  emails: z.array(Email).check(
    z.minLength(1, { error: 'Add at least one email address.' }),
    z.maxLength(200, { error: 'Invite at most 200 addresses at a time.' }),
  ),
  message: z.optional(z.string().check(z.trim(), z.maxLength(2000, { error: 'Keep the message under 2,000 characters.' }))),
});

export const RequestMembership = z.object({
  introduction: z.optional(z.string().check(z.trim(), z.maxLength(1000, { error: 'Keep the introduction under 1,000 characters.' }))),
});

export const ListQuery = z.object({
  cursor: z.optional(z.string()),
  limit: z.optional(z.pipe(z.string(), z.transform(Number)).check(z.int({ error: 'limit is a whole number.' }), z.minimum(1, { error: 'limit is at least 1.' }), z.maximum(100, { error: 'limit is at most 100.' }))),
});

/** What a member looks like to others: a name; the email only for admins and the person themself. */
export const MembershipView = z.object({
  id: z.string(),
  groupId: z.string(),
  userId: z.string(),
  name: z.nullable(z.string()),
  email: z.optional(z.string()),
  role: Role,
  title: z.nullable(z.string()),
  joinedAt: z.string(),
});
export type MembershipView = z.infer<typeof MembershipView>;
