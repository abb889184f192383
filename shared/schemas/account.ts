import * as z from 'zod/mini';

/** The answer to the account actions that finish in a worker (deactivate, delete, export). */
export const AccountAccepted = z.object({ message: z.string(), exportId: z.optional(z.string()) });
export type AccountAccepted = z.infer<typeof AccountAccepted>;

/** Everything Moot stores about the signed-in person, as `GET /api/me/data` shows it. */
export const MyData = z.object({
  profile: z.object({ id: z.string(), email: z.string(), name: z.nullable(z.string()), createdAt: z.string(), hasPassword: z.boolean(), passwordSetAt: z.nullable(z.string()) }),
  memberships: z.array(z.object({
    groupId: z.string(), groupName: z.string(), role: z.string(), title: z.nullable(z.string()), joinedAt: z.string(), via: z.string(), status: z.enum(['active', 'suspended', 'ended']),
  })),
  sessions: z.array(z.object({ ip: z.string(), device: z.string(), createdAt: z.string(), lastSeenAt: z.string(), method: z.nullable(z.string()), current: z.boolean() })),
  signInHistory: z.array(z.object({ kind: z.string(), at: z.string(), ip: z.nullable(z.string()), method: z.nullable(z.string()) })),
  emailPreferences: z.record(z.string(), z.unknown()),
  contentCounts: z.object({ threads: z.number(), comments: z.number(), polls: z.number(), votes: z.number(), outcomes: z.number(), uploads: z.number() }),
  exports: z.array(z.object({ id: z.string(), status: z.string(), requestedAt: z.string(), finishedAt: z.nullable(z.string()) })),
});
export type MyData = z.infer<typeof MyData>;

export const MIN_PASSWORD_LENGTH = 8;
/** Long enough for any passphrase or manager-made password; bounds the work of hashing one. */
export const MAX_PASSWORD_LENGTH = 256;

const PasswordText = (missing: string) =>
  z.string({ error: missing }).check(
    z.minLength(1, { error: missing }),
    z.maxLength(MAX_PASSWORD_LENGTH, { error: `A password has at most ${MAX_PASSWORD_LENGTH} characters.` }),
  );

/**
 * `PUT /api/me/password`. The rules for a new password (length, not a common one) are checked by
 * the use case, which has the list. `currentPassword` is needed to change a password from a session
 * that was opened with it; a session opened by an emailed link or code does not need it (that is
 * how a forgotten password is reset).
 */
export const SetPassword = z.object({
  password: PasswordText('Enter a new password.'),
  currentPassword: z.optional(PasswordText('Enter your current password.')),
});
export type SetPassword = z.infer<typeof SetPassword>;

export const PasswordStatus = z.object({ hasPassword: z.boolean(), message: z.string() });
export type PasswordStatus = z.infer<typeof PasswordStatus>;
