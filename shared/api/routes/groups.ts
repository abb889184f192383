import { CreateGroup, Invite, ListQuery, RequestMembership, UpdateGroup, UpdateMembership } from '../../schemas/groups.ts';
import type { RouteSpec } from '../route-spec.ts';

/** Groups, memberships, invitations, join links and membership requests. */
export const groupRoutes = {
  'POST /api/groups': {
    fn: 'groups', auth: 'required', status: 201,
    summary: 'Create a group (or, with parentId, a subgroup); the creator becomes its first admin.', body: CreateGroup,
  },
  'GET /api/groups': {
    fn: 'groups', auth: 'required', status: 200,
    summary: 'The groups the signed-in person belongs to.',
  },
  'GET /api/groups/{id}': {
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
  'GET /api/invitations/{id}': {
    fn: 'groups', auth: 'none', status: 200,
    summary: 'What an invitation link is for: the group and who invited you.',
  },
  'POST /api/invitations/{id}/accept': {
    fn: 'groups', auth: 'optional', status: 200,
    summary: 'Accept an invitation: become a member, signed in as the invited address (an imported placeholder\'s content joins that account unless another person is signed in).',
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
} as const satisfies Record<string, RouteSpec>;
