import { Accepted, Me, PasswordSignIn, RedeemSignIn, RequestSignIn, SignedIn, UpdateMe } from '../../schemas/auth.ts';
import type { RouteSpec } from '../route-spec.ts';

/** Sign-in, sessions, the signed-in person, and the API's own description. */
export const accountRoutes = {
  'POST /api/auth/email': {
    fn: 'auth', auth: 'none', status: 202,
    summary: 'Email a sign-in link and code. Answers the same whether or not the address has an account.',
    body: RequestSignIn, response: Accepted,
  },
  'POST /api/auth/token': {
    fn: 'auth', auth: 'none', status: 200,
    summary: 'Redeem an emailed link token, or an email address and code, for a session cookie.',
    body: RedeemSignIn, response: SignedIn,
  },
  'POST /api/auth/password': {
    fn: 'auth', auth: 'none', status: 200,
    summary: 'Sign in with an email address and password, for a session cookie. Rate limited; 20 failures lock the address for 6 hours. Every refusal is the same 401.',
    body: PasswordSignIn, response: SignedIn,
  },
  'DELETE /api/auth/session': {
    fn: 'auth', auth: 'optional', status: 204,
    summary: 'Sign out on this device.',
  },
  'DELETE /api/auth/sessions': {
    fn: 'auth', auth: 'required', status: 204,
    summary: 'Sign out everywhere: every session of this user is revoked.',
  },
  'GET /api/me': {
    fn: 'users', auth: 'required', status: 200,
    summary: 'The signed-in user.', response: Me,
  },
  'PATCH /api/me': {
    fn: 'users', auth: 'required', status: 200,
    summary: 'Update the signed-in user.', body: UpdateMe, response: Me,
  },
  'GET /api/openapi.json': {
    fn: 'meta', auth: 'none', status: 200,
    summary: 'This API as an OpenAPI 3.1 document.',
  },
  // Outside /api because other deployments look for it at a well-known address (RFC 8615); CloudFront sends /.well-known/* to the API.
  'GET /.well-known/moot-archive-keys.json': {
    fn: 'meta', auth: 'none', status: 200,
    summary: 'The Ed25519 public keys this deployment signs group archives with, so another deployment can verify them.',
  },
} as const satisfies Record<string, RouteSpec>;
