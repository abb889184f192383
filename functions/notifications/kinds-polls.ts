import { canSeePoll } from '../../shared/permissions/polls.ts';
import { meetingInvite } from '../../shared/polls/ics.ts';
import { config } from '../lib/config.ts';
import { forEachPage, get, getMany } from '../lib/db.ts';
import { facts, type GroupItem } from '../groups/store.ts';
import { pollKeys, status, type BallotItem, type OutcomeItem, type PollItem } from '../polls/store.ts';
import { audienceOf, theseMembers, type Who } from './audience.ts';
import { excerpt, membersAnnouncing } from './kinds-discussions.ts';
import { itemEmail, type Frame } from './templates.ts';
import type { VolumeSubject } from './item-volume.ts';
import { actorName, groupName, live, viewerOf, type EventContext, type NotificationSpec, type Recipient } from './spec.ts';

export interface PollExtra {
  poll: PollItem | null;
  outcome?: OutcomeItem | null;
  /** Meeting outcomes: who answered yes to the chosen time (never known for anonymous polls). */
  yesVoters?: Set<string>;
}

export const pollUrl = (poll: Pick<PollItem, 'groupId' | 'pollId'>) => `${config.appUrl}/polls/${poll.groupId}.${poll.pollId}`;

/** A poll's own volumes apply to everything about it after it starts (a new poll has none yet). */
const aboutPoll = (event: { pollId: string }): VolumeSubject => ({ type: 'poll', id: event.pollId });

const loadPoll = async (event: { pollId: string }): Promise<PollExtra> => {
  return { poll: await get<PollItem>(pollKeys.poll(event.pollId)) };
};

/**
 * Still readable by this person now: the group is live, the poll still there, and the shared rule
 * lets them see it (every recipient was read as an active member a moment ago).
 */
export function pollVisible(recipient: Recipient, event: { groupId: string }, context: EventContext<PollExtra>): boolean {
  const { poll } = context.extra;
  if (!live(context) || !poll || poll.groupId !== event.groupId) return false;
  return canSeePoll(facts(context.group!), viewerOf(recipient), null);
}

const stillOpen = (context: EventContext<PollExtra>) => context.extra.poll !== null && status(context.extra.poll) === 'open';

const authorOf = (groupId: string, authorId: string, because: string) => theseMembers(groupId, [authorId], (r) => ({ ...r, because }));

const when = (iso: string | null) => (iso ? `${new Date(iso).toUTCString().replace(':00 GMT', ' UTC')}` : 'soon');

/** A poll email: its title, one line of context, its details; it never names a voter. */
const pollEmail = (context: EventContext<PollExtra>, frame: Frame, subject: string, lead: string, action = 'Open the poll') => {
  const poll = context.extra.poll!;
  return itemEmail({ subject, heading: poll.poll.title, lead, body: excerpt(poll.poll.details), url: pollUrl(poll), action }, frame);
};

/** Whom each poll setting reaches: `voters` means everyone who may vote. */
const closingSoonWho = { undecided: 'undecided', voters: 'eligible' } as const;
const reminderWho = { undecided: 'undecided', voters: 'eligible', everyone: 'group' } as const;

function pollAudience(group: GroupItem | null, poll: PollItem | null, kind: 'undecided' | 'eligible' | 'group', because: string): AsyncIterable<Recipient[]> {
  if (!group || !poll) return (async function* () {})();
  const who: Who = kind === 'group' ? { kind } : { kind, poll };
  return audienceOf(group, who, because);
}

/** The meeting as an iCalendar invite for one recipient: they are its attendee if they said yes, and nobody else is. */
function inviteFor(recipient: Recipient, context: EventContext<PollExtra>) {
  const { poll, outcome, yesVoters } = context.extra;
  if (!poll || !outcome?.event) return undefined;
  const content = meetingInvite({
    uid: `${poll.pollId}@${new URL(config.appUrl).hostname}`,
    title: poll.poll.title,
    description: outcome.statement,
    start: outcome.event.start,
    durationMinutes: outcome.event.durationMinutes,
    allDay: /^\d{4}-\d{2}-\d{2}$/.test(outcome.event.start),
    organizer: { name: outcome.authorName ?? config.brandName, email: config.mailFrom.replace(/^.*<|>$/g, '') },
    attendees: yesVoters?.has(recipient.userId) ? [{ name: recipient.name ?? recipient.email, email: recipient.email }] : [],
    url: pollUrl(poll),
    now: context.at,
  });
  return [{ filename: 'meeting.ics', contentType: 'text/calendar; method=REQUEST', content }];
}

export const pollKinds = {
  PollCreated: {
    category: 'polls',
    load: loadPoll,
    recipients: (event, context) => membersAnnouncing(event, context, context.extra.poll),
    inApp: (_event, context) => ({ title: `${actorName(context)} started a poll: ${context.extra.poll?.poll.title ?? ''}`, url: context.extra.poll ? pollUrl(context.extra.poll) : '' }),
    // No emailAt: only the announced are emailed.
    email: (_event, _r, context, frame) =>
      pollEmail(context, frame, `New poll: ${context.extra.poll!.poll.title}`, `${actorName(context)} started a poll in ${groupName(context)}. It closes ${when(context.extra.poll!.poll.closingAt)}.`, 'Vote'),
    visible: pollVisible,
  } satisfies NotificationSpec<'PollCreated', PollExtra>,

  PollClosingSoon: {
    category: 'polls',
    subject: aboutPoll,
    load: loadPoll,
    recipients: (event, context) => {
      if (event.notify === 'nobody' || !context.extra.poll) return (async function* () {})();
      if (event.notify === 'author') return authorOf(event.groupId, context.extra.poll.authorId, 'the author of this poll');
      return pollAudience(context.group, context.extra.poll, closingSoonWho[event.notify], `${event.notify === 'undecided' ? 'one of the undecided voters' : 'a voter'} in ${groupName(context)}`);
    },
    inApp: (_event, context) => ({ title: `Closing soon: ${context.extra.poll?.poll.title ?? ''}`, url: context.extra.poll ? pollUrl(context.extra.poll) : '' }),
    emailAt: 'participation',
    email: (_event, _r, context, frame) =>
      pollEmail(context, frame, `Closing soon: ${context.extra.poll!.poll.title}`, `This poll in ${groupName(context)} closes ${when(context.extra.poll!.poll.closingAt)}.`, 'Vote'),
    visible: (recipient, event, context) => stillOpen(context) && pollVisible(recipient, event, context),
  } satisfies NotificationSpec<'PollClosingSoon', PollExtra>,

  PollReminderRequested: {
    category: 'polls',
    subject: aboutPoll,
    load: loadPoll,
    recipients: (event, context) =>
      pollAudience(context.group, context.extra.poll, reminderWho[event.audience], `${event.audience === 'everyone' ? 'a member' : 'a voter'} in ${groupName(context)} and ${actorName(context)} sent a reminder`),
    inApp: (_event, context) => ({ title: `${actorName(context)} reminds you to vote: ${context.extra.poll?.poll.title ?? ''}`, url: context.extra.poll ? pollUrl(context.extra.poll) : '' }),
    emailAt: 'participation',
    email: (_event, _r, context, frame) =>
      pollEmail(context, frame, `Reminder: ${context.extra.poll!.poll.title}`, `${actorName(context)} reminds you of this poll in ${groupName(context)}. It closes ${when(context.extra.poll!.poll.closingAt)}.`, 'Vote'),
    visible: (recipient, event, context) => stillOpen(context) && pollVisible(recipient, event, context),
  } satisfies NotificationSpec<'PollReminderRequested', PollExtra>,

  PollClosed: {
    category: 'polls',
    subject: aboutPoll,
    load: loadPoll,
    recipients: (event) => authorOf(event.groupId, event.authorId, 'the author of this poll'),
    inApp: (_event, context) => ({ title: `Your poll has closed: ${context.extra.poll?.poll.title ?? ''}`, url: context.extra.poll ? pollUrl(context.extra.poll) : '' }),
    emailAt: 'participation',
    email: (_event, _r, context, frame) =>
      pollEmail(context, frame, `Closed: ${context.extra.poll!.poll.title}`, `Your poll in ${groupName(context)} has closed. State the outcome, so everyone knows what was decided.`, 'State the outcome'),
    visible: pollVisible,
  } satisfies NotificationSpec<'PollClosed', PollExtra>,

  OutcomeCreated: {
    category: 'outcomes',
    subject: aboutPoll,
    load: async (event) => {
      const [poll, outcome] = await getMany<PollItem | OutcomeItem>([pollKeys.poll(event.pollId), pollKeys.outcome(event.pollId)]);
      const extra: PollExtra = { poll: poll as PollItem | null, outcome: outcome as OutcomeItem | null };
      const chosen = extra.outcome?.optionId;
      // Read once per event (never per recipient): who said yes to the chosen time, if ballots name voters.
      if (extra.outcome?.event && chosen && extra.poll && !extra.poll.poll.anonymous) {
        extra.yesVoters = new Set();
        await forEachPage<BallotItem>(
          { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :b)', ProjectionExpression: 'voterId, choices', ExpressionAttributeValues: { ':pk': `poll#${event.pollId}`, ':b': 'ballot#' } },
          async (ballots) => {
            for (const b of ballots) if (b.voterId && (b.choices as { answers?: Record<string, string> }).answers?.[chosen] === 'yes') extra.yesVoters!.add(b.voterId);
          },
        );
      }
      return extra;
    },
    recipients: (event, context) => membersAnnouncing(event, context, context.extra.poll),
    inApp: (_event, context) => ({ title: `Outcome: ${context.extra.poll?.poll.title ?? ''}`, url: context.extra.poll ? pollUrl(context.extra.poll) : '' }),
    emailAt: 'participation',
    email: (_event, recipient, context, frame) => {
      const poll = context.extra.poll!;
      const outcome = context.extra.outcome!;
      const email = itemEmail(
        { subject: `Outcome: ${poll.poll.title}`, heading: poll.poll.title, lead: `${actorName(context)} stated the outcome in ${groupName(context)}${outcome.event ? '; the meeting invite is attached' : ''}:`, body: excerpt(outcome.statement), url: pollUrl(poll), action: 'Open the poll' },
        frame,
      );
      const attachments = inviteFor(recipient, context);
      return attachments ? { ...email, attachments } : email;
    },
    visible: (recipient, event, context) => Boolean(context.extra.outcome) && pollVisible(recipient, event, context),
  } satisfies NotificationSpec<'OutcomeCreated', PollExtra>,

  OutcomeReviewDue: {
    category: 'outcomes',
    subject: aboutPoll,
    load: async (event) => {
      const [poll, outcome] = await getMany<PollItem | OutcomeItem>([pollKeys.poll(event.pollId), pollKeys.outcome(event.pollId)]);
      return { poll: poll as PollItem | null, outcome: outcome as OutcomeItem | null };
    },
    recipients: (event) => authorOf(event.groupId, event.authorId, 'the author of this outcome'),
    inApp: (_event, context) => ({ title: `Time to review the outcome: ${context.extra.poll?.poll.title ?? ''}`, url: context.extra.poll ? pollUrl(context.extra.poll) : '' }),
    emailAt: 'participation',
    email: (_event, _r, context, frame) =>
      itemEmail(
        { subject: `Review the outcome: ${context.extra.poll!.poll.title}`, heading: context.extra.poll!.poll.title, lead: `You asked to review this outcome in ${groupName(context)} today:`, body: excerpt(context.extra.outcome!.statement), url: pollUrl(context.extra.poll!), action: 'Review it' },
        frame,
      ),
    visible: (recipient, event, context) => Boolean(context.extra.outcome) && pollVisible(recipient, event, context),
  } satisfies NotificationSpec<'OutcomeReviewDue', PollExtra>,
};
