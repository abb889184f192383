import { config } from '../lib/config.ts';
import { getAcross, queryPage, transact } from '../lib/db.ts';
import { keys, nowSeconds, type UserItem } from '../lib/entities.ts';
import { sendEmail } from '../lib/mail.ts';
import { claim, release } from './fan-out.ts';
import { preferencesItem } from './email-preferences.ts';
import { categoryOn, notificationKeys, preferencesView, type NotificationItem, type PreferencesItem } from './store.ts';
import { digestEmail } from './templates.ts';
import { unsubscribeToken } from './unsubscribe-token.ts';

/** At most this many items are listed; the rest are counted. */
const DIGEST_ITEMS = 20;

export interface DigestDue {
  pk: string;
  sk: string;
  dueKind: string;
  gsi2sk: string;
}

/** How many people's digests are worked on at once; SES's send rate still paces the emails. */
const CONCURRENCY = 16;
/** TransactWriteItems holds at most 100 writes. */
const TRANSACTION_LIMIT = 100;

interface Loaded {
  due: DigestDue;
  prefs: PreferencesItem;
  user: UserItem | null;
}

/** Outcome of one person's digest before the reschedule: the Put that reschedules, if any. */
interface Worked {
  sent: boolean;
  reschedule: Parameters<typeof transact>[0][number] | null;
  error?: unknown;
}

/**
 * The digest job (scheduler, `dueKind: 'digest'`): emails a summary of the person's unread
 * notifications since their last digest, across their groups, unless there are none; then
 * schedules the next one. Sent once per due time (a marker keyed by it), and the reschedule only
 * lands if the preferences were not changed meanwhile.
 */
export async function sendDigest(due: DigestDue): Promise<{ sent: boolean }> {
  const { sent, failed } = await sendDigests([due]);
  if (failed) throw failed;
  return { sent: sent > 0 };
}

/**
 * The same job for many people at once, as the scheduler sweeps them: preferences and profiles
 * are read 50 people to a BatchGet (strongly consistent, as the single job reads them), the
 * per-person work (query, claim, email) runs `CONCURRENCY` people at a time, and the reschedules
 * are written up to 100 to a transaction. Each email, marker and reschedule is what `sendDigest`
 * alone would write. A person whose email fails gets their marker back and is not rescheduled, so
 * the next sweep retries them; the others go ahead, and the first failure is returned.
 */
export async function sendDigests(dues: DigestDue[]): Promise<{ sent: number; failed?: unknown }> {
  const loaded = await load(dues);
  const worked = await pool(loaded, CONCURRENCY, work);
  await reschedule(worked.flatMap((w) => (w.reschedule ? [w.reschedule] : [])));
  return { sent: worked.filter((w) => w.sent).length, failed: worked.find((w) => w.error !== undefined)?.error };
}

async function load(dues: DigestDue[]): Promise<Loaded[]> {
  // One person appears once: a transaction may not write the same item twice.
  dues = [...new Map(dues.map((due) => [`${due.pk}\u0000${due.sk}`, due])).values()];
  const requests = dues.flatMap((due) => [
    { table: config.tableName, key: { pk: due.pk, sk: due.sk } },
    { table: config.tableName, key: keys.user(due.pk.slice('user#'.length)) },
  ]);
  const found: Array<PreferencesItem | UserItem | null> = [];
  for (let i = 0; i < requests.length; i += 100) found.push(...(await getAcross<PreferencesItem | UserItem>(requests.slice(i, i + 100))));
  return dues.flatMap((due, i) => {
    const prefs = found[2 * i] as PreferencesItem | null;
    // Swept already, or the preferences changed since the sweep read them: nothing to do.
    if (!prefs || prefs.gsi2sk !== due.gsi2sk) return [];
    return [{ due, prefs, user: found[2 * i + 1] as UserItem | null }];
  });
}

async function work({ due, prefs, user }: Loaded): Promise<Worked> {
  const ranAt = Date.now();
  const dueAt = due.gsi2sk.split('#')[0]!;
  const since = prefs.lastDigestAt ?? new Date(Date.parse(dueAt) - 8 * 86_400_000).toISOString();
  let sent = false;

  if (categoryOn(prefs, 'digest')) {
    const page = await queryPage<NotificationItem>({
      KeyConditionExpression: 'pk = :pk AND sk > :since',
      FilterExpression: 'attribute_not_exists(readAt) AND expiresAt > :now',
      ExpressionAttributeValues: { ':pk': due.pk, ':since': `notification#${since}`, ':now': nowSeconds() },
      ScanIndexForward: false,
      Limit: 200,
    });
    const unread = page.items.filter((n) => n.sk.startsWith('notification#'));
    if (unread.length && (await claim(dueAt, prefs.userId, 'digest'))) {
      try {
        if (user) {
          const token = await unsubscribeToken(prefs.userId, 'digest');
          const unsubscribeUrl = `${config.appUrl}/unsubscribe?token=${token}`;
          const oneClickUrl = `${config.appUrl}/api/unsubscribe?token=${token}`;
          const rendered = digestEmail(
            { entries: unread.slice(0, DIGEST_ITEMS), more: Math.max(0, unread.length - DIGEST_ITEMS), notificationsUrl: `${config.appUrl}/notifications` },
            { why: `You're getting this because you asked for a ${prefs.digest.replaceAll('_', ' ')} digest.`, unsubscribeUrl, category: 'digest' },
          );
          sent = (await sendEmail({ to: user.email, ...rendered, headers: { 'List-Unsubscribe': `<${oneClickUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } })) === 'sent';
        }
      } catch (error) {
        await release(dueAt, prefs.userId, 'digest');
        return { sent: false, reschedule: null, error };
      }
    }
  }

  // The next digest covers what arrives from now on, whether or not this one had anything to say.
  const next = preferencesItem(prefs.userId, preferencesView(prefs), { ...prefs, lastDigestAt: new Date(ranAt).toISOString() }, ranAt);
  return {
    sent,
    reschedule: {
      Put: {
        TableName: config.tableName,
        Item: { ...next, ...notificationKeys.preferences(prefs.userId) },
        ConditionExpression: 'gsi2sk = :swept',
        ExpressionAttributeValues: { ':swept': due.gsi2sk },
      },
    },
  };
}

/**
 * Writes the reschedules 100 to a transaction (each is the conditional Put the single job wrote
 * alone, at the same cost). A transaction is all or nothing, so if one person changed their
 * preferences meanwhile, that chunk's reschedules are written one by one instead.
 */
async function reschedule(puts: Parameters<typeof transact>[0]): Promise<void> {
  for (let i = 0; i < puts.length; i += TRANSACTION_LIMIT) {
    const chunk = puts.slice(i, i + TRANSACTION_LIMIT);
    if (!(await transact(chunk))) continue;
    if (chunk.length > 1) await pool(chunk, CONCURRENCY, (put) => transact([put]));
  }
}

/** Maps `items` through `fn` with at most `limit` running at once, keeping the order. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
