import { config } from '../lib/config.ts';
import { get, queryPage, transact } from '../lib/db.ts';
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

/**
 * The digest job (scheduler, `dueKind: 'digest'`): emails a summary of the person's unread
 * notifications since their last digest, across their groups, unless there are none; then
 * schedules the next one. Sent once per due time (a marker keyed by it), and the reschedule only
 * lands if the preferences were not changed meanwhile.
 */
export async function sendDigest(due: DigestDue): Promise<{ sent: boolean }> {
  const prefs = await get<PreferencesItem>({ pk: due.pk, sk: due.sk });
  if (!prefs || prefs.gsi2sk !== due.gsi2sk) return { sent: false };
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
        const user = await get<UserItem>(keys.user(prefs.userId));
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
        throw error;
      }
    }
  }

  // The next digest covers what arrives from now on, whether or not this one had anything to say.
  const next = preferencesItem(prefs.userId, preferencesView(prefs), { ...prefs, lastDigestAt: new Date(ranAt).toISOString() }, ranAt);
  await transact([
    {
      Put: {
        TableName: config.tableName,
        Item: { ...next, ...notificationKeys.preferences(prefs.userId) },
        ConditionExpression: 'gsi2sk = :swept',
        ExpressionAttributeValues: { ':swept': due.gsi2sk },
      },
    },
  ]);
  return { sent };
}
