import { isAdmin, isMember, type GroupFacts, type Viewer } from './groups.ts';

/**
 * Announcing (telling a group, a subgroup or chosen people about a thread, poll or outcome by
 * email): admins always; the item's author while members_can_announce is on.
 */
export function canAnnounce(group: GroupFacts, viewer: Viewer, item: { authorId: string }): boolean {
  if (group.archived || !isMember(viewer)) return false;
  return isAdmin(viewer) || (group.flags.membersCanAnnounce && viewer.userId === item.authorId);
}
