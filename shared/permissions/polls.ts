import type { DiscussionFacts } from './discussions.ts';
import { canSeeDiscussion } from './discussions.ts';
import { canSeeGroup, isAdmin, isMember, type GroupFacts, type Viewer } from './groups.ts';

/** The facts about a poll that its rules need. */
export interface PollFacts {
  authorId: string;
  anonymous: boolean;
  hideResults: 'off' | 'until_voted' | 'until_closed';
  specifiedVotersOnly: boolean;
  status: 'draft' | 'open' | 'closed';
}

/** A poll in a thread is seen by whoever sees the thread; one standing alone, by the group's members. */
export function canSeePoll(group: GroupFacts, viewer: Viewer, thread: DiscussionFacts | null): boolean {
  if (!canSeeGroup(group, viewer)) return false;
  return thread ? canSeeDiscussion(group, viewer, thread) : isMember(viewer);
}

/** Starting polls follows members_can_raise_motions; a closed thread takes no new polls. */
export function canCreatePoll(group: GroupFacts, viewer: Viewer, thread: DiscussionFacts | null): boolean {
  if (group.archived || !isMember(viewer)) return false;
  if (thread?.closed) return false;
  return isAdmin(viewer) || group.flags.membersCanRaiseMotions;
}

/** Every member may vote, members who join later too; with specified voters only, just those invited. */
export function canVote(group: GroupFacts, viewer: Viewer, poll: PollFacts, invited: boolean): boolean {
  if (group.archived || !isMember(viewer) || poll.status !== 'open') return false;
  return !poll.specifiedVotersOnly || invited;
}

/** Hidden results are hidden from the API too: until the viewer voted, or until the poll closed. */
export function canSeeResults(poll: PollFacts, hasVoted: boolean): boolean {
  if (poll.status === 'closed' || poll.hideResults === 'off') return true;
  return poll.hideResults === 'until_voted' && hasVoted;
}

/** Who voted how is never shown for an anonymous poll; otherwise it follows the results. */
export const canSeeVotes = (poll: PollFacts, hasVoted: boolean) => !poll.anonymous && canSeeResults(poll, hasVoted);

/** Closing, reopening, editing, reminding and writing the outcome: the author and the admins. */
export const canManagePoll = (group: GroupFacts, viewer: Viewer, poll: PollFacts) =>
  !group.archived && isMember(viewer) && (isAdmin(viewer) || viewer.userId === poll.authorId);

/** Anonymous polls cannot be reopened: new ballots after the close could be told apart. */
export const canReopenPoll = (group: GroupFacts, viewer: Viewer, poll: PollFacts) =>
  canManagePoll(group, viewer, poll) && poll.status === 'closed' && !poll.anonymous;

export const canWriteOutcome = (group: GroupFacts, viewer: Viewer, poll: PollFacts) =>
  canManagePoll(group, viewer, poll) && poll.status === 'closed';

/** Results settings only ever tighten: anonymity cannot be taken back, "until closed" cannot be loosened. */
export function settingsChangeProblems(before: Pick<PollFacts, 'anonymous' | 'hideResults'>, after: Pick<PollFacts, 'anonymous' | 'hideResults'>): Record<string, string> {
  const problems: Record<string, string> = {};
  if (before.anonymous && !after.anonymous) problems.anonymous = 'An anonymous poll stays anonymous.';
  if (before.hideResults === 'until_closed' && after.hideResults !== 'until_closed') problems.hideResults = 'Results hidden until closing stay hidden until closing.';
  return problems;
}
