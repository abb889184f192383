import { sha256 } from '../lib/crypto.ts';
import { get, update } from '../lib/db.ts';
import { keys, nowSeconds } from '../lib/entities.ts';
import { AppError } from '../lib/errors.ts';
import { emailLimitKey } from '../lib/rate-limit.ts';

/** After an invitation email to an address, none goes to it again for this long (per group). */
export const INVITATION_COOLDOWN_SECONDS = 10 * 60;
/** Invitation emails to one address per group per UTC day: the invitation and three resends. */
export const INVITATION_MAILS_PER_DAY = 4;

interface AddressMailItem {
  count: number;
  nextAt: number;
  expiresAt: number;
}

/**
 * The counter for invitation emails to one address from one group, one item per UTC day. It is
 * keyed by the group and the address, not the invitation, so withdrawing an invitation and inviting
 * the same address again does not start a fresh cool-down, and by the address's canonical form, so
 * neither do its dots or a +tag. Both are hashed into the key, so the counter names neither group
 * nor address (it expires through TTL rather than with the group's purge). A daily item lets one
 * more email through right after midnight at most.
 */
export function addressMailKey(groupId: string, email: string, now = nowSeconds()) {
  const dayStart = now - (now % 86_400);
  return { key: keys.rate(`invitation-mail#${sha256(`${groupId}:${emailLimitKey(email)}`)}#${dayStart}`), dayEnd: dayStart + 86_400 };
}

/**
 * One conditional write, ready to join a transaction: it fails while the address is cooling down
 * or once it has had its emails for the day.
 */
export function addressMailOp(groupId: string, email: string) {
  const now = nowSeconds();
  const { key, dayEnd } = addressMailKey(groupId, email, now);
  return update(
    key,
    { add: { count: 1 }, set: { type: 'rate', nextAt: now + INVITATION_COOLDOWN_SECONDS, expiresAt: dayEnd } },
    { if: 'attribute_not_exists(#count) OR (#nextAt <= :now AND #count < :cap)', values: { ':now': now, ':cap': INVITATION_MAILS_PER_DAY } },
  );
}

/** How long until the address may be emailed again (read after its write was refused). */
export async function addressRetryAfter(groupId: string, email: string): Promise<number> {
  const now = nowSeconds();
  const { key, dayEnd } = addressMailKey(groupId, email, now);
  const item = await get<AddressMailItem>(key);
  if (!item) return 1;
  if (item.count >= INVITATION_MAILS_PER_DAY) return Math.max(1, dayEnd - now);
  return Math.max(1, item.nextAt - now);
}

/** The 429 for an address that was emailed moments ago (or too often today). */
export const addressCooling = (email: string, retryAfter: number) =>
  new AppError(
    429,
    'invitation_cooling',
    retryAfter > INVITATION_COOLDOWN_SECONDS
      ? `${email} has had as many invitation emails from this group as we send in a day. Try again tomorrow.`
      : `An invitation went to ${email} moments ago. It can be sent again in ${Math.ceil(retryAfter / 60)} minute${Math.ceil(retryAfter / 60) === 1 ? '' : 's'}.`,
    { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfter))) } },
  );
