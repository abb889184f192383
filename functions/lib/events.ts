import { randomBytes } from 'node:crypto';
import { EventItem } from './entities.ts';

/** Everything Moot records, as a typed union of past-tense names. */
export type MootEvent =
  | { kind: 'UserSignedUp'; userId: string }
  | { kind: 'UserSignedIn'; userId: string; method: 'link' | 'code' }
  | { kind: 'UserSignedOut'; userId: string; everywhere: boolean }
  | { kind: 'UserRenamed'; userId: string };

export type EventKind = MootEvent['kind'];

/** Time-ordered and unique: the ISO instant, then 48 random bits. */
export const newEventId = () => `${new Date().toISOString()}#${randomBytes(6).toString('base64url')}`;

/** Which partition an event belongs to: a user's own history for account events. */
export function eventStream(event: MootEvent): string {
  return `user#${event.userId}`;
}

/**
 * The event item for a transaction. Callers add it to the same TransactWrite as the change,
 * so a change is never saved without its record, nor recorded without being saved.
 */
export function eventRecord(EventItem: EventWriter, event: MootEvent, meta: { actorId?: string; ip?: string }) {
  const { kind, ...data } = event;
  return EventItem.create({
    stream: eventStream(event),
    eventId: newEventId(),
    kind,
    at: new Date().toISOString(),
    actorId: meta.actorId,
    ip: meta.ip,
    data,
  }).commit();
}

/** The transaction-bound event entity (the one a `transactWrite` callback receives). */
export interface EventWriter {
  create(item: Parameters<typeof EventItem.create>[0]): { commit(): unknown };
}
