import type * as z from 'zod/mini';
import { Accepted, Me, RedeemSignIn, RequestSignIn, SignedIn, UpdateMe } from '../schemas/auth.ts';
import { CreateGroup, Invite, ListQuery, RequestMembership, UpdateGroup, UpdateMembership } from '../schemas/groups.ts';

/** One Lambda per capability; the route table says which one answers each route. */
export type FunctionName = 'auth' | 'users' | 'groups' | 'meta';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  fn: FunctionName;
  /** `required`: 401 without a session. `optional`: the actor may be signed out. */
  auth: 'required' | 'optional' | 'none';
  summary: string;
  /** Status of a successful answer. */
  status: number;
  body?: z.ZodMiniType;
  query?: z.ZodMiniType;
  response?: z.ZodMiniType;
}

/**
 * Every API route, keyed by API Gateway route key (`METHOD /path/{param}`).
 * CDK builds the HTTP API from this table and the local server dispatches from it.
 */
export const routes = {
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
  'POST /api/groups': {
    fn: 'groups', auth: 'required', status: 201,
    summary: 'Create a group (or, with parentId, a subgroup); the creator becomes its first admin.', body: CreateGroup,
  },
  'GET /api/groups': {
    fn: 'groups', auth: 'required', status: 200,
    summary: 'The groups the signed-in person belongs to.',
  },
  'GET /api/groups/{idOrHandle}': {
    fn: 'groups', auth: 'optional', status: 200,
    summary: 'A group by id or handle, with its visible subgroups and the actor\'s membership.',
  },
  'PATCH /api/groups/{id}': {
    fn: 'groups', auth: 'required', status: 200,
    summary: 'Change a group\'s name, handle, description, privacy or permission flags (admins).', body: UpdateGroup,
  },
  'DELETE /api/groups/{id}': {
    fn: 'groups', auth: 'required', status: 204,
    summary: 'Archive a group: hidden at once, purged after 30 days (admins).',
  },
  'GET /api/groups/{id}/memberships': {
    fn: 'groups', auth: 'optional', status: 200,
    summary: 'A page of members; emails only for admins and the person themself.', query: ListQuery,
  },
  'PATCH /api/memberships/{id}': {
    fn: 'groups', auth: 'required', status: 200,
    summary: 'Promote, demote or retitle a member; a member of a group without admins may make themself admin.', body: UpdateMembership,
  },
  'DELETE /api/memberships/{id}': {
    fn: 'groups', auth: 'required', status: 204,
    summary: 'Remove a member (admins) or leave. The last admin cannot leave.',
  },
  'POST /api/groups/{id}/invitations': {
    fn: 'groups', auth: 'required', status: 201,
    summary: 'Invite people by email; each gets a single-use invitation link.', body: Invite,
  },
  'GET /api/groups/{id}/invitations': {
    fn: 'groups', auth: 'required', status: 200,
    summary: 'Pending invitations (those who may invite).', query: ListQuery,
  },
  'DELETE /api/invitations/{id}': {
    fn: 'groups', auth: 'required', status: 204,
    summary: 'Revoke a pending invitation.',
  },
  'POST /api/invitations/{id}/resend': {
    fn: 'groups', auth: 'required', status: 202,
    summary: 'Send a pending invitation again, with a new link (the old one stops working).',
  },
  'GET /api/invitations/{token}': {
    fn: 'groups', auth: 'none', status: 200,
    summary: 'What an invitation link is for: the group and who invited you.',
  },
  'POST /api/invitations/{token}/accept': {
    fn: 'groups', auth: 'none', status: 200,
    summary: 'Accept an invitation: become a member, signed in as the invited address.',
  },
  'POST /api/groups/{id}/join-link': {
    fn: 'groups', auth: 'required', status: 201,
    summary: 'Make a new shareable join link; the old one stops working (admins).',
  },
  'GET /api/join/{token}': {
    fn: 'groups', auth: 'optional', status: 200,
    summary: 'The group a join link is for.',
  },
  'POST /api/join/{token}': {
    fn: 'groups', auth: 'required', status: 200,
    summary: 'Join a group with its shareable link.',
  },
  'POST /api/groups/{id}/membership-requests': {
    fn: 'groups', auth: 'required', status: 201,
    summary: 'Ask to join. On `request` groups this joins at once; on `approval` an admin decides.', body: RequestMembership,
  },
  'GET /api/groups/{id}/membership-requests': {
    fn: 'groups', auth: 'required', status: 200,
    summary: 'Pending requests to join (those who may add members).', query: ListQuery,
  },
  'POST /api/membership-requests/{id}/approve': {
    fn: 'groups', auth: 'required', status: 200,
    summary: 'Approve a request: the person becomes a member and is emailed.',
  },
  'POST /api/membership-requests/{id}/ignore': {
    fn: 'groups', auth: 'required', status: 200,
    summary: 'Ignore a request.',
  },
  'GET /api/openapi.json': {
    fn: 'meta', auth: 'none', status: 200,
    summary: 'This API as an OpenAPI 3.1 document.',
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteKey = keyof typeof routes;

export const functionNames: FunctionName[] = [...new Set(Object.values(routes).map((r) => r.fn))];

export function splitRouteKey(key: string): { method: Method; path: string } {
  const [method, path] = key.split(' ') as [Method, string];
  return { method, path };
}
