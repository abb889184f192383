import type { Flags, MembershipGranting, Privacy, DiscussionPrivacy, Role } from '../../shared/schemas/groups.ts';
import { canSeeGroup, type GroupFacts, type Viewer } from '../../shared/permissions/groups.ts';
import { get, getMany, type Key } from '../lib/db.ts';
import { notFound } from '../lib/errors.ts';
import type { Actor } from '../lib/session.ts';

/** Group items and their keys. A group's partition holds the group, its memberships, invitations, requests and events. */
export const groupKeys = {
  group: (groupId: string): Key => ({ pk: `group#${groupId}`, sk: 'group' }),
  handle: (handle: string): Key => ({ pk: `handle#${handle}`, sk: 'handle' }),
  membership: (groupId: string, userId: string): Key => ({ pk: `group#${groupId}`, sk: `member#${userId}` }),
  invitation: (groupId: string, invitationId: string): Key => ({ pk: `group#${groupId}`, sk: `invite#${invitationId}` }),
  inviteToken: (tokenHash: string): Key => ({ pk: `invitetoken#${tokenHash}`, sk: 'invitetoken' }),
  joinToken: (tokenHash: string): Key => ({ pk: `jointoken#${tokenHash}`, sk: 'jointoken' }),
  request: (groupId: string, userId: string): Key => ({ pk: `group#${groupId}`, sk: `request#${userId}` }),
  /** The gsi1 keys that list a person's active memberships ("my groups") in one Query. */
  memberOf: (userId: string, groupId: string) => ({ gsi1pk: `memberof#${userId}`, gsi1sk: `group#${groupId}` }),
};

export interface SubgroupSummary {
  id: string;
  handle: string;
  name: string;
  privacy: Privacy;
  isVisibleToParentMembers: boolean;
}

export interface GroupItem extends Key {
  type: 'group';
  groupId: string;
  handle: string;
  name: string;
  description: string;
  parentId: string | null;
  privacy: Privacy;
  discussionPrivacy: DiscussionPrivacy;
  membershipGranting: MembershipGranting;
  flags: Flags;
  parentMembersCanSeeDiscussions: boolean;
  isVisibleToParentMembers: boolean;
  memberCount: number;
  adminCount: number;
  /** Kept on the parent, so a group page is one read whatever its subgroups. */
  subgroups: SubgroupSummary[];
  joinTokenHash?: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  archivedAt?: string;
}

export interface HandleItem extends Key {
  type: 'handle';
  groupId: string;
}

/**
 * A membership. Removing someone revokes it (kept with `revokedAt`/`revokedBy` for the record)
 * and drops its gsi1 keys, so "my groups" lists active memberships only.
 */
export interface MembershipItem extends Key {
  type: 'membership';
  groupId: string;
  userId: string;
  role: Role;
  title: string | null;
  name: string | null;
  email: string;
  joinedAt: string;
  via: 'creator' | 'invitation' | 'link' | 'request' | 'approval';
  revokedAt?: string;
  revokedBy?: string;
  gsi1pk?: string;
  gsi1sk?: string;
  /** Copies of the group's summary for "my groups"; the stream worker keeps them current. */
  groupName: string;
  groupHandle: string;
  groupPrivacy: Privacy;
  parentId: string | null;
}

export interface InvitationItem extends Key {
  type: 'invitation';
  groupId: string;
  invitationId: string;
  email: string;
  tokenHash: string;
  invitedBy: string;
  inviterName: string | null;
  createdAt: string;
  sentAt: string;
  expiresOn: number;
  acceptedAt?: string;
  acceptedBy?: string;
  revokedAt?: string;
}

export interface InviteTokenItem extends Key {
  type: 'inviteToken';
  groupId: string;
  invitationId: string;
  expiresAt: number;
}

export interface JoinTokenItem extends Key {
  type: 'joinToken';
  groupId: string;
}

export interface RequestItem extends Key {
  type: 'membershipRequest';
  groupId: string;
  userId: string;
  name: string | null;
  email: string;
  introduction: string | null;
  createdAt: string;
  status: 'pending' | 'approved' | 'ignored';
  decidedBy?: string;
  decidedAt?: string;
}

export const isActive = (m: MembershipItem | null): m is MembershipItem => m !== null && !m.revokedAt;

/**
 * A group's facts for the rules. A subgroup's include its parent's privacy when the parent was read
 * (a subgroup of a secret group is secret); without it the rules rely on the stored privacy, which
 * creating and updating keep secret under a secret parent.
 */
export function facts(group: GroupItem, parent?: GroupItem | null): GroupFacts {
  return {
    parentPrivacy: parent?.privacy ?? null,
    id: group.groupId,
    parentId: group.parentId,
    privacy: group.privacy,
    discussionPrivacy: group.discussionPrivacy,
    membershipGranting: group.membershipGranting,
    flags: group.flags,
    isVisibleToParentMembers: group.isVisibleToParentMembers,
    parentMembersCanSeeDiscussions: group.parentMembersCanSeeDiscussions,
    adminCount: group.adminCount,
    archived: Boolean(group.archivedAt),
  };
}

export interface GroupContext {
  group: GroupItem;
  facts: GroupFacts;
  viewer: Viewer;
  membership: MembershipItem | null;
  /** The parent of a subgroup, only when the actor may see it: null both for top-level groups and for a parent they may not see. */
  parent?: GroupItem | null;
}

const ID = /^[A-Za-z0-9_-]{22}$/;

/**
 * Loads a group with the actor's memberships in it and in its parent: one BatchGet when the id is
 * known, and for a subgroup a second one for the parent and the actor's membership there (the
 * rules need the parent's privacy). Anything the actor may not see is a 404.
 */
export async function loadGroup(idOrHandle: string, actor: Actor | null): Promise<GroupContext> {
  let groupId = idOrHandle;
  if (!ID.test(idOrHandle)) {
    const handle = await get<HandleItem>(groupKeys.handle(idOrHandle.toLowerCase()));
    if (!handle) throw notFound('No such group.');
    groupId = handle.groupId;
  }
  const [group, membership] = await getMany<GroupItem | MembershipItem>([
    groupKeys.group(groupId),
    ...(actor ? [groupKeys.membership(groupId, actor.id)] : []),
  ]) as [GroupItem | null, MembershipItem | null | undefined];
  if (!group) throw notFound('No such group.');
  const active = isActive(membership ?? null) ? (membership as MembershipItem) : null;
  let parent: GroupItem | null = null;
  let parentMembership: MembershipItem | null = null;
  if (group.parentId) {
    [parent, parentMembership] = await getMany<GroupItem | MembershipItem>([
      groupKeys.group(group.parentId),
      ...(actor ? [groupKeys.membership(group.parentId, actor.id)] : []),
    ]) as [GroupItem | null, MembershipItem | null];
  }
  const inParent = isActive(parentMembership ?? null) ? { role: (parentMembership as MembershipItem).role } : null;
  const viewer: Viewer = { userId: actor?.id ?? null, membership: active ? { role: active.role } : null, parentMembership: inParent };
  const parentVisible = parent !== null && canSeeGroup(facts(parent, null), { userId: viewer.userId, membership: inParent, parentMembership: null });
  return { group, facts: facts(group, parent), viewer, membership: active, parent: parentVisible ? parent : null };
}

/** Membership and invitation ids are `<groupId>.<id>`: the group partition and the item in one. */
export function splitId(id: string): { groupId: string; itemId: string } {
  const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{22})$/.exec(id);
  if (!match) throw notFound();
  return { groupId: match[1]!, itemId: match[2]! };
}
