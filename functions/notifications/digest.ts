import { config } from '../lib/config.ts';
import { getAcross, queryPage, transact, type Key } from '../lib/db.ts';
import { keys, nowSeconds, type UserItem } from '../lib/entities.ts';
import { sendEmail, suppressionKey } from '../lib/mail.ts';
import { countMetric } from '../lib/metrics.ts';
import { claim, release } from './fan-out.ts';
import { preferencesItem } from './email-preferences.ts';
import { SENT_MARKER_TTL_SECONDS, categoryOn, notificationKeys, preferencesView, type NotificationItem, type PreferencesItem } from './store.ts';
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
/** TransactWriteItems holds at most 100 writes, BatchGetItem reads at most 100 keys. */
const CHUNK = 100;

type Op = Parameters<typeof transact>[0][number];

interface Person {
  due: DigestDue;
  prefs: PreferencesItem;
  user: UserItem | null;
  dueAt: string;
  ranAt: number;
  unread: NotificationItem[];
  sent: boolean;
  failed?: unknown;
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
 * The same job for many people at once, as the scheduler sweeps them, in steps that each cover
 * everyone: preferences and profiles are read 50 people to a BatchGet (strongly consistent, as
 * the single job reads them); each person's unread notifications are queried, 16 people at a
 * time; the sent-markers are claimed 100 to a transaction; suppressed addresses are read 100 to a
 * BatchGet; the emails go out 16 at a time; and the reschedules are written 100 to a transaction.
 * Each email, marker and reschedule is the one `sendDigest` alone would write. A person whose
 * email fails gets their marker back and is not rescheduled, so the next sweep retries them; the
 * others go ahead, and the first failure is returned.
 */
export async function sendDigests(dues: DigestDue[]): Promise<{ sent: number; failed?: unknown }> {
  const people = await load(dues);
  await pool(people, CONCURRENCY, readUnread);
  const claimed = await claimAll(people.filter((p) => p.unread.length > 0));
  const suppressed = await suppressedAddresses(claimed.flatMap((p) => (p.user ? [p.user.email] : [])));
  await pool(claimed, CONCURRENCY, (person) => send(person, suppressed));
  await reschedule(people.filter((p) => p.failed === undefined).map(rescheduleOp));
  return { sent: people.filter((p) => p.sent).length, failed: people.find((p) => p.failed !== undefined)?.failed };
}

async function readAll<T>(keyList: Key[]): Promise<Array<T | null>> {
  const found: Array<T | null> = [];
  for (let i = 0; i < keyList.length; i += CHUNK) {
    found.push(...(await getAcross<T>(keyList.slice(i, i + CHUNK).map((key) => ({ table: config.tableName, key })))));
  }
  return found;
}

async function load(dues: DigestDue[]): Promise<Person[]> {
  // One person appears once: a transaction may not write the same item twice.
  const unique = [...new Map(dues.map((due) => [`${due.pk}\u0000${due.sk}`, due])).values()];
  const found = await readAll<PreferencesItem | UserItem>(unique.flatMap((due) => [{ pk: due.pk, sk: due.sk }, keys.user(due.pk.slice('user#'.length))]));
  return unique.flatMap((due, i) => {
    const prefs = found[2 * i] as PreferencesItem | null;
    // Swept already, or the preferences changed since the sweep read them: nothing to do.
    if (!prefs || prefs.gsi2sk !== due.gsi2sk) return [];
    return [{ due, prefs, user: found[2 * i + 1] as UserItem | null, dueAt: due.gsi2sk.split('#')[0]!, ranAt: Date.now(), unread: [], sent: false }];
  });
}

async function readUnread(person: Person): Promise<void> {
  const { prefs, due, dueAt } = person;
  if (!categoryOn(prefs, 'digest')) return;
  const since = prefs.lastDigestAt ?? new Date(Date.parse(dueAt) - 8 * 86_400_000).toISOString();
  const page = await queryPage<NotificationItem>({
    KeyConditionExpression: 'pk = :pk AND sk > :since',
    FilterExpression: 'attribute_not_exists(readAt) AND expiresAt > :now',
    ExpressionAttributeValues: { ':pk': due.pk, ':since': `notification#${since}`, ':now': nowSeconds() },
    ScanIndexForward: false,
    Limit: 200,
  });
  person.unread = page.items.filter((n) => n.sk.startsWith('notification#'));
}

const markerOf = (person: Person): Op => ({
  Put: {
    TableName: config.tableName,
    Item: { ...notificationKeys.sent(person.dueAt, person.prefs.userId, 'digest'), type: 'sentMarker', at: new Date().toISOString(), expiresAt: nowSeconds() + SENT_MARKER_TTL_SECONDS },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/**
 * Claims each person's sent-marker for this due time, 100 to a transaction. A marker that exists
 * already (a retried sweep) cancels its whole transaction, so that chunk is claimed one by one,
 * and whoever was claimed before is left out.
 */
async function claimAll(people: Person[]): Promise<Person[]> {
  const claimed: Person[] = [];
  for (let i = 0; i < people.length; i += CHUNK) {
    const chunk = people.slice(i, i + CHUNK);
    // One marker alone is a plain conditional PutItem: 1 write unit, where a transaction costs 2.
    if (chunk.length > 1 && !(await transact(chunk.map(markerOf)))) {
      claimed.push(...chunk);
      continue;
    }
    const won = await pool(chunk, CONCURRENCY, (person) => claim(person.dueAt, person.prefs.userId, 'digest'));
    claimed.push(...chunk.filter((_, j) => won[j]));
  }
  return claimed;
}

async function suppressedAddresses(emails: string[]): Promise<Set<string>> {
  const found = await readAll<Key>(emails.map(suppressionKey));
  return new Set(emails.filter((_, i) => found[i] !== null));
}

async function send(person: Person, suppressed: Set<string>): Promise<void> {
  const { prefs, user, unread } = person;
  if (!user) return;
  try {
    if (suppressed.has(user.email)) {
      countMetric('EmailSuppressed');
      return;
    }
    const token = await unsubscribeToken(prefs.userId, 'digest');
    const unsubscribeUrl = `${config.appUrl}/unsubscribe?token=${token}`;
    const oneClickUrl = `${config.appUrl}/api/unsubscribe?token=${token}`;
    const rendered = digestEmail(
      { entries: unread.slice(0, DIGEST_ITEMS), more: Math.max(0, unread.length - DIGEST_ITEMS), notificationsUrl: `${config.appUrl}/notifications` },
      { why: `You're getting this because you asked for a ${prefs.digest.replaceAll('_', ' ')} digest.`, unsubscribeUrl, category: 'digest' },
    );
    const headers = { 'List-Unsubscribe': `<${oneClickUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
    person.sent = (await sendEmail({ to: user.email, ...rendered, headers }, { suppressionChecked: true })) === 'sent';
  } catch (error) {
    await release(person.dueAt, prefs.userId, 'digest');
    person.failed = error;
  }
}

/** The next digest covers what arrives from now on, whether or not this one had anything to say. */
function rescheduleOp({ prefs, due, ranAt }: Person): Op {
  const next = preferencesItem(prefs.userId, preferencesView(prefs), { ...prefs, lastDigestAt: new Date(ranAt).toISOString() }, ranAt);
  return {
    Put: {
      TableName: config.tableName,
      Item: { ...next, ...notificationKeys.preferences(prefs.userId) },
      ConditionExpression: 'gsi2sk = :swept',
      ExpressionAttributeValues: { ':swept': due.gsi2sk },
    },
  };
}

/**
 * Writes the reschedules 100 to a transaction (each is the conditional Put the single job wrote
 * alone, at the same cost). A transaction is all or nothing, so if one person changed their
 * preferences meanwhile, that chunk's reschedules are written one by one instead.
 */
async function reschedule(puts: Op[]): Promise<void> {
  for (let i = 0; i < puts.length; i += CHUNK) {
    const chunk = puts.slice(i, i + CHUNK);
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
