import type { Audience } from '../../shared/schemas/notifications.ts';

/**
 * What happens in threads, in past tense. Mentions and replies carry who should hear of them;
 * `announce`, whom the author chose to email about it.
 */
export type DiscussionEvent =
  | { kind: 'DiscussionStarted'; groupId: string; discussionId: string; authorId: string; private: boolean; announce?: Audience }
  | { kind: 'DiscussionEdited'; groupId: string; discussionId: string; changed: string[]; announce?: Audience }
  | { kind: 'DiscussionClosed'; groupId: string; discussionId: string }
  | { kind: 'DiscussionReopened'; groupId: string; discussionId: string }
  | { kind: 'DiscussionPinned'; groupId: string; discussionId: string; pinned: boolean }
  | { kind: 'DiscussionMoved'; groupId: string; discussionId: string; fromGroupId: string }
  | {
      kind: 'CommentCreated';
      groupId: string;
      discussionId: string;
      seq: number;
      authorId: string;
      parentAuthorId: string | null;
      mentionedUserIds: string[];
    }
  | { kind: 'CommentEdited'; groupId: string; discussionId: string; seq: number; mentionedUserIds: string[] }
  | { kind: 'CommentDeleted'; groupId: string; discussionId: string; seq: number };
