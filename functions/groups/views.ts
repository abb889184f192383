import { canSeeEmailOf, type Viewer } from '../../shared/permissions/groups.ts';
import { renderMarkdown } from '../../shared/markdown.ts';
import type { GroupItem, MembershipItem, RequestItem } from './store.ts';

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

export function groupView(
  group: GroupItem,
  viewer: Viewer,
  extra: { membership: MembershipItem | null; parent?: GroupItem | null; request?: RequestItem | null },
) {
  // A subgroup is listed when the viewer could see it: not secret, or secret but shown to members of this group.
  const subgroups = group.subgroups
    .filter((s) => s.privacy !== 'secret' || (s.isVisibleToParentMembers && viewer.membership !== null))
    .map(({ id, handle, name, privacy }) => ({ id, handle, name, privacy }));
  return {
    id: group.groupId,
    handle: group.handle,
    name: group.name,
    description: group.description,
    descriptionHtml: renderMarkdown(group.description),
    parentId: group.parentId,
    parent: extra.parent ? { id: extra.parent.groupId, handle: extra.parent.handle, name: extra.parent.name } : null,
    privacy: group.privacy,
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
