import { error, redirect } from '@sveltejs/kit';
import type { GroupFacts, Viewer } from '../../../shared/permissions/groups.ts';
import type {
  CreateGroup,
  DiscussionPrivacy,
  Flags,
  MembershipGranting,
  MembershipView,
  Privacy,
  Role,
  UpdateGroup,
} from '../../../shared/schemas/groups.ts';
import type { Me } from '../../../shared/schemas/auth.ts';
import type { Volume } from '../../../shared/schemas/notifications.ts';
import { call } from './api.ts';

// The groups capability as the browser sees it. Imported only by group routes, so the
// signed-out entry page never loads it.

export interface GroupSummary {
  id: string;
  handle: string;
  name: string;
  privacy: Privacy;
  parentId: string | null;
  role: Role;
  title: string | null;
}

export interface GroupRef {
  id: string;
  handle: string;
  name: string;
}

export interface GroupView extends GroupRef {
  description: string;
  descriptionHtml: string;
  /** The parent's id and summary, only when the viewer may see the parent (a secret parent is never named). */
  parentId: string | null;
  isSubgroup: boolean;
  parent: GroupRef | null;
  privacy: Privacy;
  discussionPrivacy: DiscussionPrivacy;
  membershipGranting: MembershipGranting;
  flags: Flags;
  isVisibleToParentMembers: boolean;
  parentMembersCanSeeDiscussions: boolean;
  memberCount: number;
  adminCount: number;
  createdAt: string;
  subgroups: Array<GroupRef & { privacy: Privacy }>;
  /** `volume`: how much this member hears from the group, when the API says (unset: their default). */
  myMembership: { id: string; role: Role; title: string | null; volume?: Volume } | null;
  myParentMembership: { role: Role } | null;
  myRequest: { status: 'pending' } | null;
}

export interface Page<T> {
  items: T[];
  cursor: string | null;
}

export interface Invitation {
  id: string;
  email: string;
  inviterName: string | null;
  createdAt: string;
  sentAt: string;
}

export interface MembershipRequest {
  id: string;
  userId: string;
  name: string | null;
  email: string;
  introduction: string | null;
  createdAt: string;
}

const path = encodeURIComponent;
const page = (cursor?: string | null) => (cursor ? `?cursor=${path(cursor)}` : '');

export const groupsApi = {
  mine: (fetcher?: typeof fetch) => call<{ groups: GroupSummary[] }>('GET', '/groups', undefined, fetcher),
  get: (idOrHandle: string, fetcher?: typeof fetch) => call<GroupView>('GET', `/groups/${path(idOrHandle)}`, undefined, fetcher),
  create: (input: CreateGroup) => call<GroupView>('POST', '/groups', input),
  update: (id: string, input: UpdateGroup) => call<GroupView>('PATCH', `/groups/${path(id)}`, input),
  archive: (id: string) => call<void>('DELETE', `/groups/${path(id)}`),
  members: (id: string, cursor?: string | null) =>
    call<Page<MembershipView>>('GET', `/groups/${path(id)}/memberships${page(cursor)}`),
  updateMembership: (id: string, input: { role?: Role; title?: string | null }) =>
    call<MembershipView>('PATCH', `/memberships/${path(id)}`, input),
  removeMembership: (id: string) => call<void>('DELETE', `/memberships/${path(id)}`),
  invite: (id: string, emails: string[], message?: string) =>
    call<{ invitations: Array<{ id: string; email: string; createdAt: string }>; notSent: Array<{ email: string; retryAfter: number }> }>('POST', `/groups/${path(id)}/invitations`, {
      emails,
      ...(message ? { message } : {}),
    }),
  invitations: (id: string, cursor?: string | null) => call<Page<Invitation>>('GET', `/groups/${path(id)}/invitations${page(cursor)}`),
  revokeInvitation: (id: string) => call<void>('DELETE', `/invitations/${path(id)}`),
  resendInvitation: (id: string) => call<void>('POST', `/invitations/${path(id)}/resend`),
  invitation: (token: string) => call<{ group: GroupRef; inviterName: string | null; email: string }>('GET', `/invitations/${path(token)}`),
  acceptInvitation: (token: string) =>
    call<{ group: GroupRef; user: Me; isNewUser: boolean }>('POST', `/invitations/${path(token)}/accept`),
  resetJoinLink: (id: string) => call<{ url: string }>('POST', `/groups/${path(id)}/join-link`),
  joinLink: (token: string) => call<{ group: GroupRef & { privacy: Privacy }; isMember: boolean }>('GET', `/join/${path(token)}`),
  join: (token: string) => call<{ group: GroupRef; membership: MembershipView }>('POST', `/join/${path(token)}`),
  requestMembership: (id: string, introduction?: string) =>
    call<{ status: 'joined'; membership: MembershipView } | { status: 'pending' }>(
      'POST',
      `/groups/${path(id)}/membership-requests`,
      introduction ? { introduction } : {},
    ),
  requests: (id: string, cursor?: string | null) =>
    call<Page<MembershipRequest>>('GET', `/groups/${path(id)}/membership-requests${page(cursor)}`),
  approveRequest: (id: string) => call<{ membership: MembershipView }>('POST', `/membership-requests/${path(id)}/approve`),
  ignoreRequest: (id: string) => call<{ status: 'ignored' }>('POST', `/membership-requests/${path(id)}/ignore`),
};

/** The facts the shared permission rules need, from what the API says about a group. */
export function factsOf(group: GroupView): GroupFacts {
  return {
    id: group.id,
    // A subgroup whose parent the viewer may not see still counts as a subgroup (none of its own).
    parentId: group.parentId ?? (group.isSubgroup ? 'hidden' : null),
    privacy: group.privacy,
    discussionPrivacy: group.discussionPrivacy,
    membershipGranting: group.membershipGranting,
    flags: group.flags,
    isVisibleToParentMembers: group.isVisibleToParentMembers,
    parentMembersCanSeeDiscussions: group.parentMembersCanSeeDiscussions,
    adminCount: group.adminCount,
    archived: false,
  };
}

/** Who is looking at a group, for the shared permission rules. */
export function viewerOf(group: GroupView, me: Me | null): Viewer {
  return { userId: me?.id ?? null, membership: group.myMembership, parentMembership: group.myParentMembership };
}

/**
 * For a group page only some people may open: signed out goes to sign in; anyone the shared rule
 * refuses sees the page as if it did not exist, which is what the API answers them too.
 */
export async function requireGroupRule(
  parent: () => Promise<{ user: Me | null; group: GroupView }>,
  rule: (group: GroupFacts, viewer: Viewer) => boolean,
): Promise<{ user: Me; group: GroupView }> {
  const { user, group } = await parent();
  if (!user) redirect(307, '/sign-in');
  if (!rule(factsOf(group), viewerOf(group, user))) error(404, 'Not found');
  return { user, group };
}

/** Plain-language words for each setting, shared by the create and settings screens. */
export const privacyChoices: Array<{ value: Privacy; label: string; explanation: string }> = [
  {
    value: 'open',
    label: 'Open',
    explanation: 'Anyone can find the group and read its discussions. People ask to join.',
  },
  {
    value: 'closed',
    label: 'Closed',
    explanation: 'Anyone can find the group and see its name and description; only members see who is in it and what they discuss.',
  },
  {
    value: 'secret',
    label: 'Secret',
    explanation: 'Only members know the group exists. People join by invitation only.',
  },
];

export const privacyLabel: Record<Privacy, string> = { open: 'Open', closed: 'Closed', secret: 'Secret' };

export const discussionPrivacyChoices: Array<{ value: DiscussionPrivacy; label: string; explanation: string }> = [
  { value: 'public_only', label: 'Public only', explanation: 'Every discussion can be read by anyone who can see the group.' },
  { value: 'private_only', label: 'Private only', explanation: 'Only members can read discussions.' },
  { value: 'public_or_private', label: 'Public or private', explanation: 'Whoever starts a discussion chooses.' },
];

export const membershipGrantingChoices: Array<{ value: MembershipGranting; label: string; explanation: string }> = [
  { value: 'request', label: 'Anyone can join', explanation: 'Asking to join makes you a member at once.' },
  { value: 'approval', label: 'Admins approve requests', explanation: 'People ask to join and an admin decides.' },
  { value: 'invitation', label: 'Invitation only', explanation: 'People join only when a member invites them.' },
];

export const flagLabels: Record<keyof Flags, string> = {
  membersCanStartDiscussions: 'Members can start discussions',
  membersCanEditDiscussions: 'Members can edit discussion context',
  membersCanEditComments: 'Members can edit their comments',
  membersCanDeleteComments: 'Members can delete their comments',
  membersCanRaiseMotions: 'Members can raise proposals and polls',
  membersCanAnnounce: 'Members can notify the whole group',
  membersCanAddGuests: 'Members can add guests to discussions',
  adminsCanEditUserContent: "Admins can edit other people's content",
  membersCanAddMembers: 'Members can invite and approve new members',
  membersCanCreateSubgroups: 'Members can create subgroups',
};

/** A handle suggested from a name: lower-case words joined by dashes, after `prefix` (a subgroup's, from `subgroupHandlePrefix`). */
export function suggestHandle(name: string, prefix?: string | null): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!words) return '';
  return (prefix ? `${prefix}${words}` : words).slice(0, 100).replace(/-+$/, '');
}

/** "12 March 2026" in the reader's own locale. */
export function dateOf(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleDateString(undefined, { day: 'numeric', month: 'long', year: 'numeric' });
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}
