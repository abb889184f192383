import { randomBytes } from 'node:crypto';
import { create } from './db.ts';
import { keys, type EventRecordItem } from './entities.ts';
import type { DiscussionEvent } from '../discussions/events.ts';
import type { GroupEvent } from '../groups/events.ts';
import type { PollEvent } from '../polls/events.ts';
import type { NotificationEvent } from '../notifications/events.ts';
import type { AccountLifecycleEvent } from '../account/events.ts';
import type { ExportEvent } from '../exports/events.ts';

/** Account events; each capability declares its own kinds beside its use cases. */
export type AccountEvent =
  | { kind: 'UserSignedUp'; userId: string }
  | { kind: 'UserSignedIn'; userId: string; method: 'link' | 'code' | 'password' }
  | { kind: 'UserSignedOut'; userId: string; everywhere: boolean }
  | { kind: 'UserRenamed'; userId: string };

/** Everything Moot records, as a typed union of past-tense names. */
export type MootEvent = AccountEvent | GroupEvent | DiscussionEvent | PollEvent | NotificationEvent | AccountLifecycleEvent | ExportEvent;

export type EventKind = MootEvent['kind'];

/** Time-ordered and unique: the ISO instant, then 48 random bits. */
export const newEventId = () => `${new Date().toISOString()}#${randomBytes(6).toString('base64url')}`;

/**
 * Which partition an event belongs to: the group's for anything in a group (so its audit trail is
 * one Query), else the user's own history.
 */
export function eventStream(event: MootEvent): string {
  return 'groupId' in event ? `group#${event.groupId}` : `user#${event.userId}`;
}

/**
 * The event item as a transaction write. Callers add it to the same TransactWrite as the change,
 * so a change is never saved without its record, nor recorded without being saved.
 */
export function recordEvent(event: MootEvent, meta: { actorId?: string; ip?: string }) {
  const { kind, ...data } = event;
  const eventId = newEventId();
  const item: EventRecordItem = {
    ...keys.event(eventStream(event), eventId),
    type: 'event',
    eventId,
    kind,
    at: new Date().toISOString(),
    actorId: meta.actorId,
    ip: meta.ip,
    data,
  };
  return create(item as unknown as EventRecordItem & Record<string, unknown>);
}
