import { AccountAccepted, MyData, PasswordStatus, SetPassword } from '../../schemas/account.ts';
import type { RouteSpec } from '../route-spec.ts';

/** The person's rights over their own data: see it, take it, step away, be forgotten. */
export const accountDataRoutes = {
  'GET /api/me/data': {
    fn: 'account', auth: 'required', status: 200,
    summary: 'Everything Moot stores about you: profile, memberships, sessions, sign-in history, email preferences, counts of your content.',
    response: MyData,
  },
  'POST /api/me/exports': {
    fn: 'account', auth: 'required', status: 202,
    summary: 'Build an archive of your data; a download link valid for 7 days is emailed when it is ready.', response: AccountAccepted,
  },
  'POST /api/me/deactivate': {
    fn: 'account', auth: 'required', status: 202,
    summary: 'Deactivate your account: signed out everywhere, memberships suspended, no email. Sign in again to come back.', response: AccountAccepted,
  },
  'PUT /api/me/password': {
    fn: 'account', auth: 'required', status: 200,
    summary: 'Set or change your optional password (at least 8 characters, not one of the 10,000 most common). To reset a forgotten one, sign in with an email link: that session may set a new password without the current one.',
    body: SetPassword, response: PasswordStatus,
  },
  'DELETE /api/me/password': {
    fn: 'account', auth: 'required', status: 200,
    summary: 'Remove your password; you sign in with email links only.', response: PasswordStatus,
  },
  'DELETE /api/me': {
    fn: 'account', auth: 'required', status: 202,
    summary: 'Delete your account, irreversibly. Your content stays in its groups, attributed to "Deleted account".', response: AccountAccepted,
  },
} as const satisfies Record<string, RouteSpec>;
