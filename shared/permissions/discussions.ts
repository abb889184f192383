import { canSeeGroup, isAdmin, isMember, type GroupFacts, type Viewer } from './groups.ts';

/** The facts about a thread that its rules need. */
export interface DiscussionFacts {
  authorId: string;
  private: boolean;
  closed: boolean;
}

export interface CommentFacts {
  authorId: string;
  deleted: boolean;
}

/**
 * Public threads are readable by anyone who can see the group (signed out too, for open groups);
 * private ones by members, and by parent-group members when the subgroup allows it.
 */
export function canSeeDiscussion(group: GroupFacts, viewer: Viewer, thread: DiscussionFacts): boolean {
  if (!canSeeGroup(group, viewer)) return false;
  if (!thread.private) return true;
  return isMember(viewer) || (group.parentMembersCanSeeDiscussions && viewer.parentMembership !== null);
}

export function canStartDiscussion(group: GroupFacts, viewer: Viewer): boolean {
  if (group.archived || !isMember(viewer)) return false;
  return isAdmin(viewer) || group.flags.membersCanStartDiscussions;
}

/** The privacy a new thread may have in this group; null means the author chooses. */
export function forcedPrivacy(group: GroupFacts): boolean | null {
  if (group.discussionPrivacy === 'public_only') return false;
  if (group.discussionPrivacy === 'private_only') return true;
  return null;
}

export const canComment = (group: GroupFacts, viewer: Viewer, thread: DiscussionFacts) =>
  !group.archived && isMember(viewer) && !thread.closed;

export const canReact = (group: GroupFacts, viewer: Viewer, thread: DiscussionFacts) =>
  !group.archived && isMember(viewer) && canSeeDiscussion(group, viewer, thread);

/** Authors edit their own thread; admins any; members any when members_can_edit_discussions is on. */
export function canEditDiscussion(group: GroupFacts, viewer: Viewer, thread: DiscussionFacts): boolean {
  if (group.archived || !isMember(viewer)) return false;
  return isAdmin(viewer) || viewer.userId === thread.authorId || group.flags.membersCanEditDiscussions;
}

/** Closing, reopening and pinning belong to the author and the admins. */
export const canManageDiscussion = (group: GroupFacts, viewer: Viewer, thread: DiscussionFacts) =>
  !group.archived && isMember(viewer) && (isAdmin(viewer) || viewer.userId === thread.authorId);

/** A thread moves only between groups where the actor is admin of the destination. */
export const canMoveDiscussionTo = (from: GroupFacts, fromViewer: Viewer, thread: DiscussionFacts, to: GroupFacts, toViewer: Viewer) =>
  canManageDiscussion(from, fromViewer, thread) && !to.archived && isAdmin(toViewer);

export function canEditComment(group: GroupFacts, viewer: Viewer, thread: DiscussionFacts, comment: CommentFacts): boolean {
  if (group.archived || comment.deleted || !isMember(viewer) || !canSeeDiscussion(group, viewer, thread)) return false;
  if (viewer.userId === comment.authorId && group.flags.membersCanEditComments) return true;
  return isAdmin(viewer) && group.flags.adminsCanEditUserContent;
}

export function canDeleteComment(group: GroupFacts, viewer: Viewer, thread: DiscussionFacts, comment: CommentFacts): boolean {
  if (group.archived || comment.deleted || !isMember(viewer) || !canSeeDiscussion(group, viewer, thread)) return false;
  if (viewer.userId === comment.authorId && group.flags.membersCanDeleteComments) return true;
  return isAdmin(viewer);
}
