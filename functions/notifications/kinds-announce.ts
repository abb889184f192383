import { get, getMany } from '../lib/db.ts';
import { threadKeys, type ThreadItem } from '../discussions/store.ts';
import { pollKeys, type OutcomeItem, type PollItem } from '../polls/store.ts';
import { audienceOf, whoOf } from './audience.ts';
import { excerpt, threadUrl, threadVisible } from './kinds-discussions.ts';
import { pollUrl, pollVisible } from './kinds-polls.ts';
import { itemEmail } from './templates.ts';
import { actorName, groupName, type NotificationSpec } from './spec.ts';

interface AnnouncedExtra {
  thread: ThreadItem | null;
  poll: PollItem | null;
  outcome?: OutcomeItem | null;
}

const titleOf = (extra: AnnouncedExtra) => extra.thread?.title ?? extra.poll?.poll.title ?? '';
const urlOf = (extra: AnnouncedExtra) => (extra.thread ? threadUrl(extra.thread) : extra.poll ? pollUrl(extra.poll) : '');

/** An announcement: the audience the author chose hears of the item, in-app and by email, once each. */
export const announceKinds = {
  Announced: {
    // Muting a category silences its announcements too; the in-app notification still arrives.
    category: 'discussions',
    // An outcome is the poll's: the poll's own volume applies.
    subject: (event) => ({ type: event.subject.type === 'discussion' ? 'discussion' : 'poll', id: event.subject.id }),
    load: async (event) => {
      if (event.subject.type === 'discussion') {
        return { thread: await get<ThreadItem>(threadKeys.thread(event.subject.id)), poll: null };
      }
      const [poll, outcome] = await getMany<PollItem | OutcomeItem>([pollKeys.poll(event.subject.id), pollKeys.outcome(event.subject.id)]);
      return { thread: null, poll: poll as PollItem | null, outcome: outcome as OutcomeItem | null };
    },
    recipients: (event, context) => {
      const who = context.group ? whoOf(event.audience, context.extra.poll) : null;
      if (!who) return (async function* () {})();
      return audienceOf(context.group!, who, `a member of ${groupName(context)} and ${actorName(context)} asked that you be told`, (r) => ({
        ...r,
        reason: 'announced',
        emailAt: 'always',
        category: event.subject.type === 'discussion' ? 'discussions' : event.subject.type === 'poll' ? 'polls' : 'outcomes',
      }));
    },
    inApp: (event, context) => ({
      title: `${actorName(context)} wants you to see ${event.subject.type === 'outcome' ? 'the outcome of ' : ''}${titleOf(context.extra)}`,
      url: urlOf(context.extra),
    }),
    emailAt: 'always',
    email: (event, _r, context, frame) => {
      const { extra } = context;
      const body = event.subject.type === 'outcome' ? extra.outcome!.statement : extra.thread ? extra.thread.description : extra.poll!.poll.details;
      const what = event.subject.type === 'outcome' ? 'the outcome of a poll' : event.subject.type === 'poll' ? 'a poll' : 'a thread';
      return itemEmail(
        { subject: `${actorName(context)} wants you to see: ${titleOf(extra)}`, heading: titleOf(extra), lead: `${actorName(context)} wants you to see ${what} in ${groupName(context)}.`, body: excerpt(body), url: urlOf(extra), action: 'Open it' },
        frame,
      );
    },
    visible: (recipient, event, context) => {
      if (event.subject.type === 'discussion') return threadVisible(recipient, event, context);
      if (event.subject.type === 'outcome' && !context.extra.outcome) return false;
      return pollVisible(recipient, event, context);
    },
  } satisfies NotificationSpec<'Announced', AnnouncedExtra>,
};
