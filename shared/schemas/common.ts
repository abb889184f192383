import * as z from 'zod/mini';

/** The one error shape every endpoint answers with. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.optional(z.record(z.string(), z.string())),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Trimmed, lower-cased, and a plausible address: the only way an email enters Moot. */
export const Email = z.pipe(
  z.string({ error: 'Enter your email address.' }).check(z.trim(), z.toLowerCase()),
  z.email({ error: 'Enter a valid email address, like name@example.org.' }).check(
    z.maxLength(254, { error: 'An email address has at most 254 characters.' }),
  ),
);

/**
 * An id or handle named in a request body: made of what ids and handles are made of, and short
 * enough to be part of a key (DynamoDB refuses keys over 2 KB, which would be a 500, not a 422).
 */
export const RefId = (missing: string, unknown: string) =>
  z.string({ error: missing }).check(z.regex(/^[A-Za-z0-9_.-]{1,100}$/, { error: unknown }));

/** A person's display name: visible characters, at most 100 of them. */
export const PersonName = z.string({ error: 'Enter your name.' }).check(
  z.trim(),
  z.minLength(1, { error: 'Enter your name.' }),
  z.maxLength(100, { error: 'A name has at most 100 characters.' }),
);
