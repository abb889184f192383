import { capability } from '../lib/http.ts';
import { acceptInvitation, showInvitation } from './accept-invitation.ts';
import { archiveGroup } from './archive-group.ts';
import { createGroup } from './create-group.ts';
import { getGroup } from './get-group.ts';
import { invite } from './invite.ts';
import { listInvitations, resendInvitation, revokeInvitation } from './invitations.ts';
import { joinByLink, resetJoinLink, showJoinLink } from './join-link.ts';
import { listMemberships } from './list-memberships.ts';
import { listMyGroups } from './list-my-groups.ts';
import { approveRequest, ignoreRequest, listMembershipRequests, requestMembership } from './membership-requests.ts';
import { removeMembership } from './remove-membership.ts';
import { updateGroup } from './update-group.ts';
import { updateMembership } from './update-membership.ts';

export const handler = capability({
  'POST /api/groups': createGroup,
  'GET /api/groups': listMyGroups,
  'GET /api/groups/{id}': getGroup,
  'PATCH /api/groups/{id}': updateGroup,
  'DELETE /api/groups/{id}': archiveGroup,
  'GET /api/groups/{id}/memberships': listMemberships,
  'PATCH /api/memberships/{id}': updateMembership,
  'DELETE /api/memberships/{id}': removeMembership,
  'POST /api/groups/{id}/invitations': invite,
  'GET /api/groups/{id}/invitations': listInvitations,
  'DELETE /api/invitations/{id}': revokeInvitation,
  'POST /api/invitations/{id}/resend': resendInvitation,
  'GET /api/invitations/{id}': showInvitation,
  'POST /api/invitations/{id}/accept': acceptInvitation,
  'POST /api/groups/{id}/join-link': resetJoinLink,
  'GET /api/join/{token}': showJoinLink,
  'POST /api/join/{token}': joinByLink,
  'POST /api/groups/{id}/membership-requests': requestMembership,
  'GET /api/groups/{id}/membership-requests': listMembershipRequests,
  'POST /api/membership-requests/{id}/approve': approveRequest,
  'POST /api/membership-requests/{id}/ignore': ignoreRequest,
});
