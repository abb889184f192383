import type { Key } from './db.ts';
import { tableSchema } from './table-schema.ts';

/**
 * Every item type and its key, in one place. Keys are built only here, from the single-table
 * declaration in `table-schema.ts`; each item also carries `type` so a raw scan is readable.
 */
const _keyNames: ['pk', 'sk'] = [tableSchema.partitionKey, tableSchema.sortKey];
void _keyNames;

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Attributes that place an item (keys, index keys), schedule it (`dueKind`, the TTL) or hold a
 * secret's hash. No archive carries them, and no import takes them from one.
 */
export const INTERNAL_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'dueKind', 'expiresAt', 'sessionHash', 'tokenHash', 'joinTokenHash'] as const;

/** A copy of `item` without the named attributes. */
export function without(item: object, names: readonly string[]): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...item };
  for (const name of names) delete rest[name];
  return rest;
}

export const keys = {
  user: (userId: string): Key => ({ pk: `user#${userId}`, sk: 'profile' }),
  userEmail: (emailHash: string): Key => ({ pk: `email#${emailHash}`, sk: 'account' }),
  session: (userId: string, sessionHash: string): Key => ({ pk: `user#${userId}`, sk: `session#${sessionHash}` }),
  sessionsOf: (userId: string) => ({ pk: `user#${userId}`, prefix: 'session#' }),
  event: (stream: string, eventId: string): Key => ({ pk: stream, sk: `event#${eventId}` }),
  rate: (bucket: string): Key => ({ pk: `rate#${bucket}`, sk: 'rate' }),
  signInRequest: (tokenHash: string): Key => ({ pk: `signin#${tokenHash}`, sk: 'signin' }),
  signInCode: (emailHash: string): Key => ({ pk: `signincode#${emailHash}`, sk: 'code' }),
};

export interface UserItem extends Key {
  type: 'user';
  userId: string;
  email: string;
  name?: string;
  createdAt: string;
  updatedAt: string;
  /** Set while the person has deactivated their account; signing in again clears it. */
  deactivatedAt?: string;
  /** Set when deletion was asked for; the erase worker removes the item soon after. */
  deletedAt?: string;
}

/** Makes an email unique across accounts: one item per address, keyed by its hash. */
export interface UserEmailItem extends Key {
  type: 'userEmail';
  userId: string;
}

/**
 * A signed-in device. It lives in its user's partition (so "sign out everywhere" is one Query)
 * and carries a copy of the user's name and email, so resolving a request's actor is one read.
 */
export interface SessionItem extends Key {
  type: 'session';
  userId: string;
  sessionHash: string;
  email: string;
  name?: string;
  ip: string;
  userAgent?: string;
  /** How it was opened (absent on sessions older than passwords: those were all email sign-ins). */
  method?: 'link' | 'code' | 'invitation' | 'password';
  createdAt: string;
  lastSeenAt: string;
  expiresAt: number;
}

/**
 * The record of every change: one item per event, written in the same transaction as the
 * change itself. The table's stream carries these to the workers (notifications, email, audit).
 */
export interface EventRecordItem extends Key {
  type: 'event';
  eventId: string;
  kind: string;
  actorId?: string;
  at: string;
  ip?: string;
  data: Record<string, unknown>;
}

/** One emailed sign-in: the link's token hash keys it; it can be used once, before it expires. */
export interface SignInRequestItem extends Key {
  type: 'signInRequest';
  email: string;
  ip: string;
  createdAt: string;
  usedAt?: string;
  expiresAt: number;
}

/** The code sent with the newest sign-in request for an address; a new request replaces it. */
export interface SignInCodeItem extends Key {
  type: 'signInCode';
  tokenHash: string;
  codeHash: string;
  attempts: number;
  expiresAt: number;
}
