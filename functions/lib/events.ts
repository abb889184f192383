import { randomBytes } from 'node:crypto';
import { create } from './db.ts';
import { keys, type EventRecordItem } from './entities.ts';

/** Everything Moot records, as a typed union of past-tense names. */
export type MootEvent =
  | { kind: 'UserSignedUp'; userId: string }
  | { kind: 'UserSignedIn'; userId: string; method: 'link' | 'code' }
  | { kind: 'UserSignedOut'; userId: string; everywhere: boolean }
  | { kind: 'UserRenamed'; userId: string }
  | { kind: 'GroupCreated'; groupId: string; parentId: string | null }
  | { kind: 'GroupUpdated'; groupId: string; changed: string[] }
  | { kind: 'GroupArchived'; groupId: string }
  | { kind: 'JoinLinkReset'; groupId: string }
  | { kind: 'MembershipCreated'; groupId: string; userId: string; via: 'creator' | 'invitation' | 'link' | 'request' | 'approval' }
  | { kind: 'MembershipRoleChanged'; groupId: string; userId: string; role: 'admin' | 'member'; title: string | null }
  | { kind: 'MembershipRevoked'; groupId: string; userId: string; reason: 'left' | 'removed' }
  | { kind: 'InvitationsSent'; groupId: string; invitationIds: string[] }
  | { kind: 'InvitationResent'; groupId: string; invitationId: string }
  | { kind: 'InvitationRevoked'; groupId: string; invitationId: string }
  | { kind: 'MembershipRequested'; groupId: string; userId: string }
  | { kind: 'MembershipRequestApproved'; groupId: string; userId: string }
  | { kind: 'MembershipRequestIgnored'; groupId: string; userId: string };

export type EventKind = MootEvent['kind'];

/** Time-ordered and unique: the ISO instant, then 48 random bits. */
export const newEventId = () => `${new Date().toISOString()}#${randomBytes(6).toString('base64url')}`;

/** Which partition an event belongs to: the group's for group events, else the user's own history. */
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
