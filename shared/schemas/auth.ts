import * as z from 'zod/mini';
import { Email, PersonName } from './common.ts';

export const RequestSignIn = z.object({ email: Email });
export type RequestSignIn = z.infer<typeof RequestSignIn>;

export const SignInCode = z.string({ error: 'Enter the 6-digit code from the email.' }).check(
  z.trim(),
  z.regex(/^\d{6}$/, { error: 'The code is 6 digits.' }),
);

export const SignInToken = z.string({ error: 'The sign-in link is incomplete.' }).check(
  z.trim(),
  z.regex(/^[A-Za-z0-9_-]{43}$/, { error: 'The sign-in link is incomplete or mistyped.' }),
);

/** Either the token from the emailed link, or the email address with the emailed code. */
export const RedeemSignIn = z.union([
  z.object({ token: SignInToken }),
  z.object({ email: Email, code: SignInCode }),
]);
export type RedeemSignIn = z.infer<typeof RedeemSignIn>;

/** `POST /api/auth/password`: the address and its password (the rules for new passwords do not apply here). */
export const PasswordSignIn = z.object({
  email: Email,
  password: z.string({ error: 'Enter your password.' }).check(
    z.minLength(1, { error: 'Enter your password.' }),
    z.maxLength(256, { error: 'A password has at most 256 characters.' }),
  ),
});
export type PasswordSignIn = z.infer<typeof PasswordSignIn>;

export const Me = z.object({
  id: z.string(),
  email: z.string(),
  name: z.nullable(z.string()),
});
export type Me = z.infer<typeof Me>;

export const SignedIn = z.object({ user: Me, isNewUser: z.boolean() });
export type SignedIn = z.infer<typeof SignedIn>;

export const UpdateMe = z.object({ name: PersonName });
export type UpdateMe = z.infer<typeof UpdateMe>;

export const Accepted = z.object({ message: z.string() });
