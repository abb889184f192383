import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { EmailCategory, Volume } from '../../shared/schemas/notifications.ts';
import type { Viewer } from '../../shared/permissions/groups.ts';
import { db } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { queryPage, type Key } from '../lib/db.ts';
import type { EventKind, MootEvent } from '../lib/events.ts';
import type { GroupItem, MembershipItem } from '../groups/store.ts';
import type { VolumeSubject } from './item-volume.ts';
import type { RenderedEmail, Frame } from './templates.ts';

export type EventOf<K extends EventKind> = Extract<MootEvent, { kind: K }>;

/**
 * When an email is sent: `participation` at normal volume and up (it concerns you), `activity`
 * only at loud (every new comment), `always` at any volume but mute (the author announced it to you).
 */
export type EmailLevel = 'participation' | 'activity' | 'always';

/** Someone who may be told about an event, as read from the page of memberships that named them. */
export interface Recipient {
  userId: string;
  email: string;
  name: string | null;
  role: 'admin' | 'member';
  /** The volume chosen for this group; unset means the person's default. */
  volume?: Volume;
  /** Their account is deactivated: muted whatever any volume says. */
  suspended?: boolean;
  /** Finishes "You're getting this because …". */
  because: string;
  /** Why this person in particular, when a kind tells people for different reasons (titles differ). */
  reason?: 'mentioned' | 'replied' | 'announced';
  /** Overrides the kind's `emailAt` for this person (a mention; an announcement). */
  emailAt?: EmailLevel;
  /** Overrides the kind's category (a mention is `mentions` though the kind is about comments). */
  category?: EmailCategory;
  /** Hears of it at all only at loud volume (every new comment in their groups). */
  loudOnly?: boolean;
}

/** What the fan-out reads once per event (never once per recipient) and hands to every function below. */
export interface EventContext<Extra = unknown> {
  eventId: string;
  at: string;
  actorId: string | null;
  actorName: string | null;
  group: GroupItem | null;
  /** Volumes people chose for the event's thread or poll (by user id); they come before the group's. */
  overrides: ReadonlyMap<string, Volume>;
  extra: Extra;
}

/** How one event kind reaches people; see `kinds.ts` for how to add one. */
export interface NotificationSpec<K extends EventKind, Extra = unknown> {
  category: EmailCategory;
  /** The thread or poll the event is about, whose per-person volumes apply (one Query per event). */
  subject?(event: EventOf<K>): VolumeSubject | null;
  load?(event: EventOf<K>, context: EventContext<undefined>): Promise<Extra>;
  recipients(event: EventOf<K>, context: EventContext<Extra>): AsyncIterable<Recipient[]>;
  /** Title and link of the in-app notification; `recipient` lets a title say "mentioned you". */
  inApp(event: EventOf<K>, context: EventContext<Extra>, recipient: Recipient): { title: string; url: string };
  email?(event: EventOf<K>, recipient: Recipient, context: EventContext<Extra>, frame: Frame): RenderedEmail;
  emailAt?: EmailLevel;
  visible(recipient: Recipient, event: EventOf<K>, context: EventContext<Extra>): boolean | Promise<boolean>;
}

export const recipientFrom = (m: MembershipItem & { volume?: Volume; suspendedAt?: string }, because: string): Recipient => ({
  userId: m.userId,
  email: m.email,
  name: m.name,
  role: m.role,
  volume: m.volume,
  ...(m.suspendedAt ? { suspended: true } : {}),
  because,
});

/**
 * How much a recipient hears of this event: suspended is mute; then their volume for the thread or
 * poll, the group's, and their personal default (passed in, from their preferences).
 */
export const volumeOf = (recipient: Recipient, context: EventContext<unknown>, fallback?: Volume): Volume | undefined =>
  recipient.suspended ? 'mute' : (context.overrides.get(recipient.userId) ?? recipient.volume ?? fallback);

/** The group's active members (admins only if asked), 100 a page, one Query per page. */
export async function* membersOf(groupId: string, only?: 'admin', because?: (m: MembershipItem) => string): AsyncIterable<Recipient[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await queryPage<MembershipItem & { volume?: Volume; suspendedAt?: string }>({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
      FilterExpression: `attribute_not_exists(revokedAt)${only ? ' AND #role = :admin' : ''}`,
      ProjectionExpression: 'userId, email, #name, #role, volume, revokedAt, suspendedAt',
      ExpressionAttributeNames: { '#name': 'name', '#role': 'role' },
      ExpressionAttributeValues: { ':pk': `group#${groupId}`, ':member': 'member#', ...(only ? { ':admin': 'admin' } : {}) },
      ExclusiveStartKey: start,
      Limit: 100,
    });
    const people = page.items.map((m) => recipientFrom(m, because?.(m) ?? 'a member'));
    if (people.length) yield people;
    start = page.lastKey;
  } while (start);
}

/**
 * Many items by key: one BatchGet per 100 keys (strongly consistent, so a membership revoked a
 * moment ago is seen as revoked), retrying what DynamoDB leaves unprocessed. Keyed `pk|sk`.
 */
export async function batchRead<T>(keyList: Key[]): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  for (let i = 0; i < keyList.length; i += 100) {
    let pending: Array<Record<string, unknown>> | undefined = keyList.slice(i, i + 100) as unknown as Array<Record<string, unknown>>;
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const page = await db.send(new BatchGetCommand({ RequestItems: { [config.tableName]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of page.Responses?.[config.tableName] ?? []) found.set(`${item.pk}|${item.sk}`, item as T);
      pending = page.UnprocessedKeys?.[config.tableName]?.Keys as typeof pending;
    }
  }
  return found;
}

export const keyOf = (key: Key) => `${key.pk}|${key.sk}`;

/** The recipient as a viewer, for the shared permission functions: they were read as an active member. */
export const viewerOf = (recipient: Recipient): Viewer => ({ userId: recipient.userId, membership: { role: recipient.role }, parentMembership: null });

export const groupUrl = (group: GroupItem | null, path = '') => `${config.appUrl}/g/${group?.handle ?? ''}${path}`;
export const groupName = (context: EventContext<unknown>) => context.group?.name ?? 'a group';
export const live = (context: EventContext<unknown>) => Boolean(context.group && !context.group.archivedAt);
export const actorName = (context: EventContext<unknown>) => context.actorName ?? 'Someone';
