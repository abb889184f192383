import { RateCounter, nowSeconds } from './entities.ts';
import type { TxEntities } from './transact.ts';

export interface RateLimit {
  /** A name for the limit, e.g. `signin-email`. */
  name: string;
  limit: number;
  windowSeconds: number;
}

/**
 * One fixed-window counter as a conditional increment, ready to join a transaction:
 * the increment fails (and the transaction with it) once the window's count reaches the limit.
 * Expired counters are ignored on read because DynamoDB Local never deletes them.
 */
export function rateLimitCheck(rule: RateLimit, key: string) {
  const now = nowSeconds();
  const windowStart = now - (now % rule.windowSeconds);
  const expiresAt = windowStart + rule.windowSeconds;
  const commit = (counter: TxEntities<{ RateCounter: typeof RateCounter }>['RateCounter']) =>
    counter
      .update({ bucket: `${rule.name}#${key}#${windowStart}` })
      .add({ count: 1 })
      .set({ expiresAt })
      .where(({ count }, { notExists, lt }) => `${notExists(count)} OR ${lt(count, rule.limit)}`)
      .commit();
  return { commit, retryAfter: expiresAt - now };
}
