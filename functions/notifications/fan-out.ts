import type { Volume } from '../../shared/schemas/notifications.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../lib/clients.ts';
import { batchPut, getMany, remove, transact } from '../lib/db.ts';
import { config } from '../lib/config.ts';
import { keys, nowSeconds, type UserItem } from '../lib/entities.ts';
import type { EventKind, MootEvent } from '../lib/events.ts';
import { logger } from '../lib/logger.ts';
import { sendEmail } from '../lib/mail.ts';
import type { RecordedEvent } from '../workers/stream-handler.ts';
import { groupKeys, type GroupItem } from '../groups/store.ts';
import { notificationKinds } from './kinds.ts';
import { overridesOf } from './item-volume.ts';
import { volumeOf, type EmailLevel, type EventContext, type NotificationSpec, type Recipient } from './spec.ts';
import {
  NOTIFICATION_TTL_SECONDS,
  SENT_MARKER_TTL_SECONDS,
  categoryOn,
  notificationKeys,
  preferencesOf,
  type NotificationItem,
  type PreferencesItem,
  type SentMarkerItem,
} from './store.ts';
import { unsubscribeToken } from './unsubscribe-token.ts';

/** How many emails one fan-out sends at once; the rate limit in `mail.ts` spaces them. */
const SEND_CONCURRENCY = 8;

export interface FanOutResult {
  recipients: number;
  notified: number;
  emailed: number;
  skippedEmails: number;
}

const effectiveVolume = (recipient: Recipient, context: EventContext<unknown>, prefs: PreferencesItem | undefined): Volume =>
  volumeOf(recipient, context, prefs?.defaultVolume) ?? 'normal';

function wantsEmail(volume: Volume, level: EmailLevel | undefined): boolean {
  if (!level || volume === 'mute') return false;
  return level === 'always' || volume === 'loud' || (volume === 'normal' && level === 'participation');
}

/** Claims the (event, recipient, channel) marker; false when someone already did (a replayed batch). */
export async function claim(eventId: string, userId: string, channel: 'email' | 'digest'): Promise<boolean> {
  const marker: SentMarkerItem = { ...notificationKeys.sent(eventId, userId, channel), type: 'sentMarker', at: new Date().toISOString(), expiresAt: nowSeconds() + SENT_MARKER_TTL_SECONDS };
  // A single conditional PutItem (1 write unit), not a one-item transaction (2).
  try {
    await db.send(new PutCommand({ TableName: config.tableName, Item: marker, ConditionExpression: 'attribute_not_exists(pk)' }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** A send that failed before SES took it gives the marker back, so the retried batch sends it. */
export const release = (eventId: string, userId: string, channel: 'email' | 'digest') => transact([remove(notificationKeys.sent(eventId, userId, channel))]);

async function loadContext(recorded: RecordedEvent): Promise<Omit<EventContext<undefined>, 'overrides'>> {
  const groupId = (recorded.data as { groupId?: string }).groupId;
  const found = await getMany<GroupItem | UserItem>([
    ...(groupId ? [groupKeys.group(groupId)] : []),
    ...(recorded.actorId ? [keys.user(recorded.actorId)] : []),
  ]);
  const group = groupId ? (found[0] as GroupItem | null) : null;
  const actor = recorded.actorId ? (found.at(-1) as UserItem | null) : null;
  return {
    eventId: recorded.eventId,
    at: recorded.at,
    actorId: recorded.actorId ?? null,
    actorName: actor?.name ?? null,
    group,
    extra: undefined,
  };
}

async function pool<T>(items: T[], limit: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await each(items[next++]!);
  }));
}

/**
 * Delivers one recorded event to everyone its kind names: one in-app notification each (written
 * 25 to a BatchWrite, skipping any already written) and, where their volume, preferences and the
 * address allow, one email each. Exactly once: an email is sent only by whoever first writes its
 * (event, recipient, channel) marker, so a replayed batch or a crashed worker never sends twice.
 * Memory stays bounded: recipients arrive a page at a time and each page is finished before the next.
 */
export async function fanOut(recorded: RecordedEvent): Promise<FanOutResult> {
  const spec = notificationKinds[recorded.kind] as NotificationSpec<EventKind, unknown> | undefined;
  const result: FanOutResult = { recipients: 0, notified: 0, emailed: 0, skippedEmails: 0 };
  if (!spec) return result;
  const event = { kind: recorded.kind, ...recorded.data } as MootEvent;
  // Every volume set on the event's thread or poll, read once (one Query), before anyone is named.
  const subject = spec.subject?.(event) ?? null;
  const [loaded, overrides] = await Promise.all([loadContext(recorded), subject ? overridesOf(subject) : new Map<string, Volume>()]);
  const base: EventContext<undefined> = { ...loaded, overrides };
  const context: EventContext<unknown> = { ...base, extra: spec.load ? await spec.load(event, base) : undefined };
  const expiresAt = Math.floor(Date.parse(recorded.at) / 1000) + NOTIFICATION_TTL_SECONDS;

  for await (const page of spec.recipients(event, context)) {
    const candidates = page.filter((r) => r.userId !== recorded.actorId);
    if (!candidates.length) continue;
    result.recipients += candidates.length;
    const prefs = await preferencesOf(candidates.map((r) => r.userId));
    const audible: Recipient[] = [];
    for (const r of candidates) {
      const volume = effectiveVolume(r, context, prefs.get(r.userId));
      if (volume === 'mute' || (r.loudOnly && volume !== 'loud')) continue;
      if (await spec.visible(r, event, context)) audible.push(r);
    }

    // In-app: one item per person, keyed by the event, never overwritten (it may have been read).
    const existing = await getMany<NotificationItem>(audible.map((r) => notificationKeys.notification(r.userId, recorded.eventId)));
    const fresh = audible.filter((_, i) => !existing[i]);
    await batchPut(
      fresh.map((r): NotificationItem & Record<string, unknown> => ({
        ...notificationKeys.notification(r.userId, recorded.eventId),
        type: 'notification',
        id: recorded.eventId,
        eventKind: recorded.kind,
        category: r.category ?? spec.category,
        ...spec.inApp(event, context, r),
        actorName: context.actorName,
        groupId: context.group?.groupId ?? null,
        groupName: context.group?.name ?? null,
        createdAt: recorded.at,
        expiresAt,
      })),
    );
    result.notified += fresh.length;

    // Email: those whose volume asks for it, with the category on.
    const emailable = spec.email
      ? audible.filter((r) => wantsEmail(effectiveVolume(r, context, prefs.get(r.userId)), r.emailAt ?? spec.emailAt) && categoryOn(prefs.get(r.userId) ?? null, r.category ?? spec.category))
      : [];
    await pool(emailable, SEND_CONCURRENCY, async (r) => {
      if (!(await claim(recorded.eventId, r.userId, 'email'))) return void result.skippedEmails++;
      try {
        const category = r.category ?? spec.category;
        // People click the page (which explains, then unsubscribes); mail clients POST to the API (RFC 8058).
        const token = await unsubscribeToken(r.userId, category);
        const unsubscribeUrl = `${config.appUrl}/unsubscribe?token=${token}`;
        const oneClickUrl = `${config.appUrl}/api/unsubscribe?token=${token}`;
        const rendered = spec.email!(event, r, context, { why: `You're getting this because you're ${r.because}.`, unsubscribeUrl, category });
        const outcome = await sendEmail({
          to: r.email,
          ...rendered,
          headers: { 'List-Unsubscribe': `<${oneClickUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        });
        if (outcome === 'sent') result.emailed++;
        else result.skippedEmails++;
      } catch (error) {
        await release(recorded.eventId, r.userId, 'email');
        throw error;
      }
    });
  }
  logger.debug('Fan-out', { kind: recorded.kind, eventId: recorded.eventId, ...result });
  return result;
}
