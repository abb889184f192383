import type { Audience } from '../../shared/schemas/notifications.ts';

/**
 * What happens to polls, in past tense. Votes on anonymous polls name no voter. `announce` is whom
 * the author chose to email about it.
 */
export type PollEvent =
  | { kind: 'PollCreated'; groupId: string; pollId: string; discussionId: string | null; authorId: string; announce?: Audience }
  | { kind: 'PollEdited'; groupId: string; pollId: string; changed: string[] }
  | { kind: 'VoteCast'; groupId: string; pollId: string; anonymous: boolean }
  | { kind: 'VoteWithdrawn'; groupId: string; pollId: string }
  | { kind: 'PollClosingSoon'; groupId: string; pollId: string; notify: 'nobody' | 'author' | 'undecided' | 'voters' }
  | { kind: 'PollReminderRequested'; groupId: string; pollId: string; audience: 'undecided' | 'voters' | 'everyone' }
  | { kind: 'PollClosed'; groupId: string; pollId: string; authorId: string; by: 'schedule' | 'person' }
  | { kind: 'PollReopened'; groupId: string; pollId: string; closingAt: string }
  | { kind: 'OutcomeCreated'; groupId: string; pollId: string; authorId: string; hasEvent: boolean; announce?: Audience }
  | { kind: 'OutcomeReviewDue'; groupId: string; pollId: string; authorId: string };
