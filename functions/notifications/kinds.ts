import type { EmailCategory, Volume } from '../../shared/schemas/notifications.ts';
import { config } from '../lib/config.ts';
import { get, getMany, queryPage } from '../lib/db.ts';
import { keys, type UserItem } from '../lib/entities.ts';
import type { EventKind, MootEvent } from '../lib/events.ts';
import { groupKeys, isActive, type GroupItem, type MembershipItem, type RequestItem } from '../groups/store.ts';
import { membershipRequestedEmail, type Frame, type RenderedEmail } from './templates.ts';

export type EventOf<K extends EventKind> = Extract<MootEvent, { kind: K }>;

/** Someone who may be told about an event, as read from the page of memberships that named them. */
export interface Recipient {
  userId: string;
  email: string;
  name: string | null;
  role: 'admin' | 'member';
  /** The volume chosen for this group; unset means the person's default. */
  volume?: Volume;
  /** Finishes "You're getting this because …". */
  because: string;
}

/** What the fan-out reads once per event (never once per recipient) and hands to every function below. */
export interface EventContext<Extra = unknown> {
  eventId: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  group: GroupItem | null;
  extra: Extra;
}

/**
 * How one event kind reaches people. To add a kind (DiscussionStarted, CommentCreated, PollCreated,
 * PollClosingSoon, PollClosed, OutcomeCreated, OutcomeReviewDue…):
 *
 * 1. declare the event in your capability's `events.ts` and record it in the use case's transaction;
 * 2. add an entry here, keyed by the event kind (the compiler checks the key and the event's fields):
 *    - `recipients` yields PAGES of people, each from one Query (e.g. `membersOf(groupId)`, or a
 *      thread's participants); never one read per person. Leave out anyone who may not see the item;
 *    - `load` (optional) reads what the templates need once per event (the thread, the poll);
 *    - `inApp` gives the notification's title and link; `email` (optional) a template from
 *      `templates.ts` (escape everything; user content through `renderMarkdown`);
 *    - `emailAt`: `participation` emails at normal volume (it concerns you: a mention, a reply, a
 *      request you must decide); `activity` only at loud (every new comment);
 *    - `visible` is asked again for each recipient just before sending: return false when the
 *      person can no longer see the item (left the group, thread made private);
 * 3. add a template snapshot test in `templates.test.ts`, and an integration test that the right
 *    people get one notification and one email.
 * The fan-out (`fan-out.ts`) does the rest: volumes, categories, suppression, exactly-once, rate.
 */
export interface NotificationSpec<K extends EventKind, Extra = unknown> {
  category: EmailCategory;
  load?(event: EventOf<K>, context: EventContext<undefined>): Promise<Extra>;
  recipients(event: EventOf<K>, context: EventContext<Extra>): AsyncIterable<Recipient[]>;
  inApp(event: EventOf<K>, context: EventContext<Extra>): { title: string; url: string };
  email?(event: EventOf<K>, recipient: Recipient, context: EventContext<Extra>, frame: Frame): RenderedEmail;
  emailAt?: 'participation' | 'activity';
  visible(recipient: Recipient, event: EventOf<K>, context: EventContext<Extra>): boolean | Promise<boolean>;
}

/** The group's active members (admins only if asked), 100 a page, one Query per page. */
export async function* membersOf(groupId: string, only?: 'admin', because?: (m: MembershipItem) => string): AsyncIterable<Recipient[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await queryPage<MembershipItem & { volume?: Volume }>({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
      FilterExpression: `attribute_not_exists(revokedAt)${only ? ' AND #role = :admin' : ''}`,
      ProjectionExpression: 'userId, email, #name, #role, volume, revokedAt',
      ExpressionAttributeNames: { '#name': 'name', '#role': 'role' },
      ExpressionAttributeValues: { ':pk': `group#${groupId}`, ':member': 'member#', ...(only ? { ':admin': 'admin' } : {}) },
      ExclusiveStartKey: start,
      Limit: 100,
    });
    const people = page.items.map((m) => ({ userId: m.userId, email: m.email, name: m.name, role: m.role, volume: m.volume, because: because?.(m) ?? 'a member' }));
    if (people.length) yield people;
    start = page.lastKey;
  } while (start);
}

const groupUrl = (group: GroupItem | null, path = '') => `${config.appUrl}/g/${group?.handle ?? ''}${path}`;
const groupName = (context: EventContext<unknown>) => context.group?.name ?? 'a group';
const live = (context: EventContext<unknown>) => Boolean(context.group && !context.group.archivedAt);

const adminsOf = (event: { groupId: string }, context: EventContext<unknown>) =>
  membersOf(event.groupId, 'admin', () => `an admin of ${groupName(context)}`);

/** The typed registry: which event kinds notify whom, and how. */
export const notificationKinds: { [K in EventKind]?: NotificationSpec<K, any> } = {
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
    // The approval email is still sent by the use case itself (its test reads the mailbox at once);
    // the template is here, ready for when that moves onto the stream.
    visible: (_recipient, _event, context) => live(context),
  } satisfies NotificationSpec<'MembershipRequestApproved'>,

  MembershipCreated: {
    category: 'membership',
    recipients: (event, context) => (event.via === 'link' || event.via === 'request' ? adminsOf(event, context) : (async function* () {})()),
    inApp: (_event, context) => ({ title: `${context.actorName ?? 'Someone'} joined ${groupName(context)}`, url: groupUrl(context.group, '/members') }),
    visible: (recipient, _event, context) => live(context) && recipient.role === 'admin',
  } satisfies NotificationSpec<'MembershipCreated'>,
};

