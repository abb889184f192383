import { emailHash } from './crypto.ts';
import { update } from './db.ts';
import { keys, nowSeconds } from './entities.ts';

export interface RateLimit {
  /** A name for the limit, e.g. `signin-email`. */
  name: string;
  limit: number;
  windowSeconds: number;
}

/**
 * One fixed-window counter as a conditional increment, ready to join a transaction: the
 * increment fails (and the transaction with it) once the window's count would pass the limit.
 * The window start is part of the key, so an old window (which DynamoDB Local never deletes)
 * is never read again.
 */
export function rateLimitCheck(rule: RateLimit, key: string, amount = 1) {
  const now = nowSeconds();
  const windowStart = now - (now % rule.windowSeconds);
  const expiresAt = windowStart + rule.windowSeconds;
  const op = update(
    keys.rate(`${rule.name}#${key}#${windowStart}`),
    { add: { count: amount }, set: { type: 'rate', expiresAt } },
    { if: 'attribute_not_exists(#count) OR #count <= :most', values: { ':most': rule.limit - amount } },
  );
  return { op, retryAfter: expiresAt - now };
}

/**
 * The one form of an address that limits count under: lower case, without its `+tag`, and without
 * the dots of its local part, so `A.Lice+x@example.org` spends alice@example.org's allowance.
 * For limit keys only: mail still goes to, and accounts still hold, the address as given.
 */
export function canonicalEmail(email: string): string {
  const address = email.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const local = address.slice(0, at).split('+')[0]!.replaceAll('.', '');
  // A local part that is all tag or dots stays as it is, rather than share one key with every other.
  return `${local || address.slice(0, at)}@${address.slice(at + 1)}`;
}

/** A limit key for an address: the hash of its canonical form, so no address sits in a key. */
export const emailLimitKey = (email: string): string => emailHash(canonicalEmail(email));
