import type { EventKind } from '../lib/events.ts';
import { get, getMany } from '../lib/db.ts';
import { keys, type UserItem } from '../lib/entities.ts';
import { groupKeys, isActive, type MembershipItem, type RequestItem } from '../groups/store.ts';
import type { Volume } from '../../shared/schemas/notifications.ts';
import { announceKinds } from './kinds-announce.ts';
import { discussionKinds } from './kinds-discussions.ts';
import { pollKinds } from './kinds-polls.ts';
import { membershipApprovedEmail, membershipRequestedEmail } from './templates.ts';
import { groupName, groupUrl, live, membersOf, type EventContext, type NotificationSpec } from './spec.ts';

export { membersOf, type EventContext, type EventOf, type NotificationSpec, type Recipient } from './spec.ts';

/*
 * How one event kind reaches people. To add a kind:
 *
 * 1. declare the event in your capability's `events.ts` and record it in the use case's transaction;
 * 2. add an entry to the registry below (or to the capability's file beside it: `kinds-discussions.ts`,
 *    `kinds-polls.ts`, `kinds-announce.ts`), keyed by the event kind (the compiler checks the key
 *    and the event's fields):
 *    - `recipients` yields PAGES of people, each from one Query (e.g. `membersOf(groupId)`, or
 *      `audienceOf` in `audience.ts`), plus at most one BatchGet a page; never one read per person.
 *      Leave out anyone who may not see the item. A recipient may carry its own `emailAt`,
 *      `category` and `reason` (a mention inside a comment kind), or `loudOnly`;
 *    - `load` (optional) reads what the templates need once per event (the thread, the poll);
 *    - `inApp` gives the notification's title and link; `email` (optional) a template from
 *      `templates.ts` (escape everything; user content through `renderMarkdown`);
 *    - `emailAt`: `participation` emails at normal volume (it concerns you: a mention, a reply, a
 *      request you must decide); `activity` only at loud (every new comment); `always` at any
 *      volume but mute (an announcement);
 *    - `visible` is asked again for each recipient just before sending: return false when the
 *      person can no longer see the item (left the group, thread made private, comment deleted);
 * 3. add a template snapshot test in `templates.test.ts`, and an integration test that the right
 *    people get one notification and one email.
 * The fan-out (`fan-out.ts`) does the rest: volumes, categories, suppression, exactly-once, rate.
 */

const adminsOf = (event: { groupId: string }, context: EventContext<unknown>) =>
  membersOf(event.groupId, 'admin', () => `an admin of ${groupName(context)}`);

/** The typed registry: which event kinds notify whom, and how. */
export const notificationKinds: { [K in EventKind]?: NotificationSpec<K, any> } = {
  ...discussionKinds,
  ...pollKinds,
  ...announceKinds,

  MembershipRequested: {
    category: 'membership',
    load: async (event) => get<RequestItem>(groupKeys.request(event.groupId, event.userId)),
    recipients: adminsOf,
    inApp: (_event, context) => ({ title: `${context.actorName ?? 'Someone'} asked to join ${groupName(context)}`, url: groupUrl(context.group, '/requests') }),
    emailAt: 'participation',
    email: (_event, _recipient, context: EventContext<RequestItem | null>, frame) =>
      membershipRequestedEmail(
        { requesterName: context.actorName ?? 'Someone', groupName: groupName(context), introduction: context.extra?.introduction ?? null, url: groupUrl(context.group, '/requests') },
        frame,
      ),
    // Still an admin (the page was read just now) and the request still waits for a decision.
    visible: (recipient, _event, context: EventContext<RequestItem | null>) => live(context) && recipient.role === 'admin' && context.extra?.status === 'pending',
  } satisfies NotificationSpec<'MembershipRequested', RequestItem | null>,

  MembershipRequestApproved: {
    category: 'membership',
    async *recipients(event, context) {
      const [membership, user] = await getMany<MembershipItem | UserItem>([groupKeys.membership(event.groupId, event.userId), keys.user(event.userId)]);
      const m = membership as MembershipItem | null;
      if (isActive(m)) yield [{ userId: m.userId, email: (user as UserItem | null)?.email ?? m.email, name: m.name, role: m.role, volume: (m as { volume?: Volume }).volume, because: `you asked to join ${groupName(context)}` }];
    },
    inApp: (_event, context) => ({ title: `You're now a member of ${groupName(context)}`, url: groupUrl(context.group) }),
    // They asked and waited: the answer is emailed whatever the volume (mute aside).
    emailAt: 'always',
    email: (_event, _recipient, context, frame) => membershipApprovedEmail({ groupName: groupName(context), url: groupUrl(context.group) }, frame),
    visible: (_recipient, _event, context) => live(context),
  } satisfies NotificationSpec<'MembershipRequestApproved'>,

  MembershipCreated: {
    category: 'membership',
    recipients: (event, context) => (event.via === 'link' || event.via === 'request' ? adminsOf(event, context) : (async function* () {})()),
    inApp: (_event, context) => ({ title: `${context.actorName ?? 'Someone'} joined ${groupName(context)}`, url: groupUrl(context.group, '#members') }),
    visible: (recipient, _event, context) => live(context) && recipient.role === 'admin',
  } satisfies NotificationSpec<'MembershipCreated'>,
};

