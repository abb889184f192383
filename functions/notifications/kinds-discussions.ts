import { canSeeDiscussion } from '../../shared/permissions/discussions.ts';
import { config } from '../lib/config.ts';
import { get, getMany } from '../lib/db.ts';
import { facts } from '../groups/store.ts';
import { threadFacts, threadKeys, type ThreadItem, type TimelineItem } from '../discussions/store.ts';
import { audienceOf, inAudience, theseMembers, whoOf } from './audience.ts';
import { itemEmail } from './templates.ts';
import type { VolumeSubject } from './item-volume.ts';
import { actorName, groupName, live, membersOf, viewerOf, volumeOf, type EventContext, type NotificationSpec, type Recipient } from './spec.ts';

export interface ThreadExtra {
  thread: ThreadItem | null;
  comment?: TimelineItem | null;
}

export const threadUrl = (thread: Pick<ThreadItem, 'groupId' | 'threadId'>, seq?: number) =>
  `${config.appUrl}/d/${thread.groupId}.${thread.threadId}${seq ? `#comment-${seq}` : ''}`;

/** Emails quote at most this much of a text; the rest is a click away. */
export const excerpt = (text: string, max = 2000) => (text.length > max ? `${text.slice(0, max).trimEnd()}…` : text);

/** A thread's own volumes apply to what happens in it (a thread just started has none yet). */
const inThread = (event: { discussionId: string }): VolumeSubject => ({ type: 'discussion', id: event.discussionId });

const loadThread = async (event: { discussionId: string }): Promise<ThreadExtra> => {
  return { thread: await get<ThreadItem>(threadKeys.thread(event.discussionId)) };
};

/**
 * Still readable by this person now: the group is live, the thread still in the event's group (a
 * moved thread is told about no more), and the shared rule lets them see it. Every recipient was
 * read as an active member of that group moments ago, so a private thread reaches members only,
 * and a public one emails members only.
 */
export function threadVisible(recipient: Recipient, event: { groupId: string }, context: EventContext<ThreadExtra>): boolean {
  const { thread } = context.extra;
  if (!live(context) || !thread || thread.groupId !== event.groupId) return false;
  return canSeeDiscussion(facts(context.group!), viewerOf(recipient), threadFacts(thread));
}

const announced = (context: EventContext<unknown>) => (r: Recipient): Recipient => ({
  ...r,
  reason: 'announced',
  emailAt: 'always',
  because: `a member of ${groupName(context)} and ${actorName(context)} asked that you be told`,
});

/**
 * New items reach every member in-app (per volume); those in the author's `announce` audience are
 * emailed too. One Query per page of members, plus at most one BatchGet to place them in the audience.
 */
export async function* membersAnnouncing(
  event: { groupId: string; announce?: import('../../shared/schemas/notifications.ts').Audience },
  context: EventContext<unknown>,
  poll: Parameters<typeof whoOf>[1] = null,
): AsyncIterable<Recipient[]> {
  const who = event.announce && context.group ? whoOf(event.announce, poll) : null;
  const tag = announced(context);
  for await (const page of membersOf(event.groupId, undefined, () => `a member of ${groupName(context)}`)) {
    if (!who) {
      yield page;
      continue;
    }
    const inIt = await inAudience(page, context.group!, who);
    yield page.map((r) => (inIt.has(r.userId) ? tag(r) : r));
  }
}

const threadEmail = (thread: ThreadItem, context: EventContext<unknown>, frame: Parameters<typeof itemEmail>[1], lead: string) =>
  itemEmail({ subject: `${thread.title} (${groupName(context)})`, heading: thread.title, lead, body: excerpt(thread.description), url: threadUrl(thread), action: 'Open the thread' }, frame);

export const discussionKinds = {
  DiscussionStarted: {
    category: 'discussions',
    load: loadThread,
    recipients: (event, context) => membersAnnouncing(event, context),
    inApp: (_event, context) => ({ title: `${actorName(context)} started a thread: ${context.extra.thread?.title ?? ''}`, url: context.extra.thread ? threadUrl(context.extra.thread) : '' }),
    // No emailAt: only the announced (emailAt 'always' on the recipient) are emailed.
    email: (_event, _r, context, frame) => threadEmail(context.extra.thread!, context, frame, `${actorName(context)} started a thread in ${groupName(context)}.`),
    visible: threadVisible,
  } satisfies NotificationSpec<'DiscussionStarted', ThreadExtra>,

  DiscussionEdited: {
    category: 'discussions',
    subject: inThread,
    load: loadThread,
    // An edit tells nobody unless the editor announced it.
    recipients: (event, context) => {
      const who = event.announce && context.group ? whoOf(event.announce, null) : null;
      return who ? audienceOf(context.group!, who, `a member of ${groupName(context)}`, announced(context)) : (async function* () {})();
    },
    inApp: (_event, context) => ({ title: `${actorName(context)} updated the thread: ${context.extra.thread?.title ?? ''}`, url: context.extra.thread ? threadUrl(context.extra.thread) : '' }),
    email: (_event, _r, context, frame) => threadEmail(context.extra.thread!, context, frame, `${actorName(context)} updated a thread in ${groupName(context)}.`),
    visible: threadVisible,
  } satisfies NotificationSpec<'DiscussionEdited', ThreadExtra>,

  CommentCreated: {
    category: 'discussions',
    subject: inThread,
    load: async (event) => {
      const [thread, comment] = await getMany<ThreadItem | TimelineItem>([threadKeys.thread(event.discussionId), threadKeys.item(event.discussionId, event.seq)]);
      return { thread: thread as ThreadItem | null, comment: comment as TimelineItem | null };
    },
    /**
     * First the mentioned and the author of the comment replied to (one BatchGet): in-app and
     * email at normal volume. Then every other member, heard only at loud volume.
     */
    async *recipients(event, context) {
      const mentioned = new Set(event.mentionedUserIds);
      const direct = [...new Set([...event.mentionedUserIds, ...(event.parentAuthorId ? [event.parentAuthorId] : [])])].filter((id) => id !== event.authorId);
      const title = context.extra.thread?.title ?? 'a thread';
      yield* theseMembers(event.groupId, direct, (r) => ({
        ...r,
        reason: mentioned.has(r.userId) ? 'mentioned' : 'replied',
        emailAt: 'participation',
        category: 'mentions',
        because: mentioned.has(r.userId) ? `mentioned in “${title}”` : `the author of the comment ${actorName(context)} replied to`,
      }));
      const skip = new Set([...direct, event.authorId]);
      for await (const page of membersOf(event.groupId, undefined, () => `a member of ${groupName(context)} with its volume set to loud`)) {
        // A thread or group volume other than loud rules them out before their preferences are read.
        const rest = page.filter((r) => !skip.has(r.userId) && [undefined, 'loud'].includes(volumeOf(r, context))).map((r) => ({ ...r, loudOnly: true }));
        if (rest.length) yield rest;
      }
    },
    inApp: (_event, context, recipient) => {
      const { thread, comment } = context.extra;
      const title = thread?.title ?? '';
      const what = recipient.reason === 'mentioned' ? 'mentioned you in' : recipient.reason === 'replied' ? 'replied to you in' : 'commented in';
      return { title: `${actorName(context)} ${what} ${title}`, url: thread ? threadUrl(thread, comment?.seq) : '' };
    },
    emailAt: 'activity',
    email: (_event, recipient, context, frame) => {
      const thread = context.extra.thread!;
      const what = recipient.reason === 'mentioned' ? 'mentioned you' : recipient.reason === 'replied' ? 'replied to you' : 'commented';
      return itemEmail(
        {
          subject: `${actorName(context)} ${what} in ${thread.title}`,
          heading: thread.title,
          lead: `${actorName(context)} ${what} in ${groupName(context)}:`,
          body: excerpt(context.extra.comment!.body),
          url: threadUrl(thread, context.extra.comment!.seq),
          action: 'Reply',
        },
        frame,
      );
    },
    visible: (recipient, event, context) => {
      const comment = context.extra.comment;
      return Boolean(comment && !comment.deletedAt) && threadVisible(recipient, event, context);
    },
  } satisfies NotificationSpec<'CommentCreated', ThreadExtra>,
};
