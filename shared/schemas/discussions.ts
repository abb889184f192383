import * as z from 'zod/mini';
import { RefId } from './common.ts';
import { Markdown } from './groups.ts';
import { ThreadAudience } from './notifications.ts';

export const Title = z.string({ error: 'Enter a title.' }).check(
  z.trim(),
  z.minLength(1, { error: 'Enter a title.' }),
  z.maxLength(150, { error: 'A title has at most 150 characters.' }),
);

const AttachmentIds = z.array(z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/, { error: 'Unknown attachment.' }))).check(
  z.maxLength(20, { error: 'Attach at most 20 files.' }),
);

export const StartDiscussion = z.object({
  title: Title,
  description: z.optional(Markdown),
  private: z.optional(z.boolean({ error: 'Use true or false.' })),
  attachmentIds: z.optional(AttachmentIds),
  /** Also email these people about the new thread (members_can_announce applies). */
  announce: z.optional(ThreadAudience),
});

export const EditDiscussion = z.object({
  title: z.optional(Title),
  description: z.optional(Markdown),
  private: z.optional(z.boolean({ error: 'Use true or false.' })),
  /** Tell these people about the change; without it an edit notifies nobody. */
  announce: z.optional(ThreadAudience),
});

export const MoveDiscussion = z.object({ groupId: RefId('Choose a group.', 'No such group.') });

export const CommentBody = z.string({ error: 'Write a comment.' }).check(
  z.trim(),
  z.minLength(1, { error: 'Write a comment.' }),
  z.maxLength(20_000, { error: 'Keep a comment under 20,000 characters.' }),
);

export const PostComment = z.object({
  body: CommentBody,
  parentId: z.optional(RefId('Say which comment you reply to.', 'The comment you reply to no longer exists.')),
  attachmentIds: z.optional(AttachmentIds),
});

export const EditComment = z.object({ body: CommentBody });

/** The fixed set of reactions: one per person per item. */
export const reactionEmoji = {
  thumbs_up: '👍',
  heart: '❤️',
  tada: '🎉',
  smile: '😄',
  thinking: '🤔',
  eyes: '👀',
  pray: '🙏',
  sad: '😢',
} as const;
export type ReactionName = keyof typeof reactionEmoji;

export const Subject = z.object({
  type: z.enum(['discussion', 'comment'], { error: 'React to a discussion or a comment.' }),
  id: RefId('Say what you react to.', 'Nothing like that to react to.'),
});

export const PutReaction = z.object({
  subject: Subject,
  emoji: z.enum(Object.keys(reactionEmoji) as [ReactionName, ...ReactionName[]], { error: 'Choose one of the offered reactions.' }),
});

export const DeleteReaction = z.object({ subject: Subject });

/** Read positions as inclusive [first, last] sequence ranges. */
export const ReadRanges = z.object({
  ranges: z.array(
    z.tuple([z.number().check(z.int(), z.minimum(1)), z.number().check(z.int(), z.minimum(1))], { error: 'Each range is [first, last].' }),
  ).check(z.minLength(1, { error: 'Send at least one range.' }), z.maxLength(500, { error: 'Send at most 500 ranges.' })),
});

export const TimelineQuery = z.object({
  cursor: z.optional(z.string()),
  from: z.optional(z.pipe(z.string(), z.transform(Number)).check(z.int({ error: 'from is a sequence number.' }), z.minimum(1, { error: 'from is at least 1.' }))),
});

export const ThreadListQuery = z.object({ cursor: z.optional(z.string()) });

export const RequestUpload = z.object({
  filename: z.string({ error: 'Name the file.' }).check(z.trim(), z.minLength(1, { error: 'Name the file.' }), z.maxLength(200, { error: 'A file name has at most 200 characters.' })),
  contentType: z.string({ error: 'Give the file type.' }),
  size: z.number({ error: 'Give the file size.' }).check(z.int(), z.minimum(1, { error: 'The file is empty.' })),
});
