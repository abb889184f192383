import { canSeeEmailOf, effectivePrivacy, listsSubgroup, type GroupFacts, type Viewer } from '../../shared/permissions/groups.ts';
import { renderMarkdown } from '../../shared/markdown.ts';
import { facts, type GroupItem, type MembershipItem, type RequestItem } from './store.ts';

export const membershipId = (m: { groupId: string; userId: string }) => `${m.groupId}.${m.userId}`;

/** A member as the viewer may see them: the email only for admins and the person themself. */
export function membershipView(m: MembershipItem, viewer: Viewer) {
  return {
    id: membershipId(m),
    groupId: m.groupId,
    userId: m.userId,
    name: m.name,
    ...(canSeeEmailOf(viewer, m.userId) ? { email: m.email } : {}),
    role: m.role,
    title: m.title,
    joinedAt: m.joinedAt,
  };
}

/**
 * A group as the viewer may see it. `parent` is the parent only when the viewer may see it: a
 * subgroup's answer names no parent (not even its id) to someone the parent is secret from.
 */
export function groupView(
  group: GroupItem,
  viewer: Viewer,
  extra: { membership: MembershipItem | null; parent?: GroupItem | null; request?: RequestItem | null; facts?: GroupFacts },
) {
  const rules = extra.facts ?? facts(group, extra.parent);
  const subgroups = group.subgroups
    .filter((s) => listsSubgroup(rules, viewer, s))
    .map(({ id, handle, name, privacy }) => ({ id, handle, name, privacy: group.privacy === 'secret' ? ('secret' as const) : privacy }));
  return {
    id: group.groupId,
    handle: group.handle,
    name: group.name,
    description: group.description,
    descriptionHtml: renderMarkdown(group.description),
    parentId: extra.parent ? group.parentId : null,
    isSubgroup: group.parentId !== null,
    parent: extra.parent ? { id: extra.parent.groupId, handle: extra.parent.handle, name: extra.parent.name } : null,
    privacy: effectivePrivacy(rules),
    discussionPrivacy: group.discussionPrivacy,
    membershipGranting: group.membershipGranting,
    flags: group.flags,
    isVisibleToParentMembers: group.isVisibleToParentMembers,
    parentMembersCanSeeDiscussions: group.parentMembersCanSeeDiscussions,
    memberCount: group.memberCount,
    adminCount: group.adminCount,
    createdAt: group.createdAt,
    subgroups,
    myMembership: extra.membership
      ? { id: membershipId(extra.membership), role: extra.membership.role, title: extra.membership.title, volume: (extra.membership as { volume?: string }).volume ?? null }
      : null,
    myParentMembership: viewer.parentMembership,
    myRequest: extra.request?.status === 'pending' ? { status: 'pending' as const } : null,
  };
}
