import type { DiscussionPrivacy, Flags, MembershipGranting, Privacy, Role } from '../schemas/groups.ts';

/**
 * The group rules, as pure functions: the API enforces them and the web app uses the same
 * functions to decide what to show. This is the only copy.
 */
export interface GroupFacts {
  id: string;
  parentId: string | null;
  privacy: Privacy;
  discussionPrivacy: DiscussionPrivacy;
  membershipGranting: MembershipGranting;
  flags: Flags;
  isVisibleToParentMembers: boolean;
  parentMembersCanSeeDiscussions: boolean;
  adminCount: number;
  archived: boolean;
  /**
   * The parent's privacy, for subgroups. A subgroup of a secret group is secret whatever its own
   * setting says (subgroups made before this rule may say closed). Always filled by the API.
   */
  parentPrivacy?: Privacy | null;
}

/** An active membership (revoked ones are not memberships any more). */
export interface MemberFacts {
  role: Role;
}

/** Who is asking: signed in or not, and their memberships in the group and in its parent. */
export interface Viewer {
  userId: string | null;
  membership: MemberFacts | null;
  parentMembership: MemberFacts | null;
}

export const isMember = (viewer: Viewer) => viewer.membership !== null;
export const isAdmin = (viewer: Viewer) => viewer.membership?.role === 'admin';

/** The privacy the rules apply: a subgroup of a secret group is secret. */
export const effectivePrivacy = (group: Pick<GroupFacts, 'privacy' | 'parentPrivacy'>): Privacy =>
  group.parentPrivacy === 'secret' ? 'secret' : group.privacy;
export const isSecret = (group: Pick<GroupFacts, 'privacy' | 'parentPrivacy'>) => effectivePrivacy(group) === 'secret';

/** Secret groups (and subgroups of secret groups) do not exist for outsiders: everything about them answers 404. */
export function canSeeGroup(group: GroupFacts, viewer: Viewer): boolean {
  if (group.archived) return false;
  if (!isSecret(group)) return true;
  if (isMember(viewer)) return true;
  return group.parentId !== null && group.isVisibleToParentMembers && viewer.parentMembership !== null;
}

/** Open groups show their members to anyone who can see the group; others only to members. */
export function canSeeMembers(group: GroupFacts, viewer: Viewer): boolean {
  if (!canSeeGroup(group, viewer)) return false;
  return isMember(viewer) || effectivePrivacy(group) === 'open';
}

/**
 * Whether a subgroup appears in its parent's list of subgroups for someone who sees the parent
 * (`viewer` is their standing in the parent). Secret subgroups, and every subgroup of a secret
 * parent, are listed only to the parent's members, and only when the subgroup is visible to them.
 */
export function listsSubgroup(parent: GroupFacts, viewer: Viewer, subgroup: { privacy: Privacy; isVisibleToParentMembers: boolean }): boolean {
  if (!canSeeGroup(parent, viewer)) return false;
  if (subgroup.privacy !== 'secret' && parent.privacy !== 'secret') return true;
  return subgroup.isVisibleToParentMembers && isMember(viewer);
}

/**
 * A subgroup's handle starts with its parent's, except under a secret parent: there the handle
 * would name the secret group to anyone who sees the subgroup's address, so it carries no prefix.
 */
export const subgroupHandlePrefix = (parent: { handle: string; privacy: Privacy }): string | null =>
  parent.privacy === 'secret' ? null : `${parent.handle}-`;

export const canEditGroup = (group: GroupFacts, viewer: Viewer) => !group.archived && isAdmin(viewer);
export const canArchiveGroup = canEditGroup;
export const canResetJoinLink = canEditGroup;
export const canChangeRoles = canEditGroup;

export function canInvite(group: GroupFacts, viewer: Viewer): boolean {
  if (group.archived || !isMember(viewer)) return false;
  return isAdmin(viewer) || group.flags.membersCanAddMembers;
}

/** Approving or ignoring requests is adding members, so it follows the same rule. */
export const canReviewRequests = canInvite;

/** Subgroups are one level deep. */
export function canCreateSubgroup(parent: GroupFacts, viewer: Viewer): boolean {
  if (parent.archived || parent.parentId !== null || !isMember(viewer)) return false;
  return isAdmin(viewer) || parent.flags.membersCanCreateSubgroups;
}

/** Emails are seen by group admins and by the person themself; everyone else gets names. */
export const canSeeEmailOf = (viewer: Viewer, subjectUserId: string) => isAdmin(viewer) || viewer.userId === subjectUserId;

/** A group with no admin lets any member step up. */
export const canBecomeAdmin = (group: GroupFacts, viewer: Viewer) => !group.archived && isMember(viewer) && group.adminCount === 0;

/** Admins remove anyone; anyone may leave (the last-admin rule is a separate check). */
export function canRemoveMembership(group: GroupFacts, viewer: Viewer, subjectUserId: string): boolean {
  if (!isMember(viewer)) return false;
  return viewer.userId === subjectUserId || isAdmin(viewer);
}

/** Secret and invitation-only groups take no requests. */
export function canRequestMembership(group: GroupFacts, viewer: Viewer): boolean {
  return (
    viewer.userId !== null &&
    !isMember(viewer) &&
    canSeeGroup(group, viewer) &&
    !isSecret(group) &&
    group.membershipGranting !== 'invitation'
  );
}

/** On `request` a request is granted at once; on `approval` an admin decides. */
export const joinsInstantly = (group: GroupFacts) => group.membershipGranting === 'request';

export interface SettingsInput {
  privacy: Privacy;
  discussionPrivacy: DiscussionPrivacy;
  membershipGranting: MembershipGranting;
}

/** A new subgroup's privacy when none is asked for: an open parent's are open, a secret parent's secret, others closed. */
export const defaultSubgroupPrivacy = (parentPrivacy: Privacy): Privacy => (parentPrivacy === 'closed' ? 'closed' : parentPrivacy);

/** The settings that fit a privacy level, used when a change leaves the others unsaid. */
export function defaultsFor(privacy: Privacy): SettingsInput {
  if (privacy === 'open') return { privacy, discussionPrivacy: 'public_only', membershipGranting: 'approval' };
  if (privacy === 'secret') return { privacy, discussionPrivacy: 'private_only', membershipGranting: 'invitation' };
  return { privacy, discussionPrivacy: 'private_only', membershipGranting: 'approval' };
}

/**
 * How the three privacy settings constrain each other (and a subgroup's its parent's).
 * Returns a message per offending field; an empty object means the settings hold together.
 */
export function settingsProblems(settings: SettingsInput, parentPrivacy?: Privacy): Record<string, string> {
  const problems: Record<string, string> = {};
  if (settings.privacy === 'open' && settings.discussionPrivacy !== 'public_only') {
    problems.discussionPrivacy = 'An open group has public discussions only.';
  }
  if (settings.privacy === 'closed' && settings.discussionPrivacy === 'public_only') {
    problems.discussionPrivacy = 'A closed group has private discussions, or public and private.';
  }
  if (settings.privacy === 'secret') {
    if (settings.discussionPrivacy !== 'private_only') problems.discussionPrivacy = 'A secret group has private discussions only.';
    if (settings.membershipGranting !== 'invitation') problems.membershipGranting = 'People join a secret group by invitation only.';
  }
  if (parentPrivacy === 'secret' && settings.privacy !== 'secret') {
    problems.privacy = 'A subgroup of a secret group is secret.';
  } else if (parentPrivacy === 'closed' && settings.privacy === 'open') {
    problems.privacy = 'A subgroup of a closed group cannot be open.';
  }
  return problems;
}
