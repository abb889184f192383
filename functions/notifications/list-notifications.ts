import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { queryPage } from '../lib/db.ts';
import { nowSeconds } from '../lib/entities.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import type { NotificationItem } from './store.ts';
import { canSeeDiscussion } from '../../shared/permissions/discussions.ts';
import { loadThread, parseThreadId, threadFacts } from '../discussions/store.ts';
import { visiblePoll } from '../polls/get-poll.ts';
import type { Actor } from '../lib/session.ts';

export const PAGE_SIZE = 30;
/** The unread count looks at the newest this many notifications: one small Query, whatever the history. */
export const UNREAD_WINDOW = 100;

const view = (n: NotificationItem) => ({ id: n.id, kind: n.eventKind, title: n.title, url: n.url, actorName: n.actorName, createdAt: n.createdAt, readAt: n.readAt ?? null });

/** Unread notifications among the newest `UNREAD_WINDOW`, counted by DynamoDB (no items returned). */
export async function unreadCount(userId: string): Promise<{ count: number; capped: boolean }> {
  const page = await db.send(new QueryCommand({
    TableName: config.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :n)',
    FilterExpression: 'attribute_not_exists(readAt) AND expiresAt > :now',
    ExpressionAttributeValues: { ':pk': `user#${userId}`, ':n': 'notification#', ':now': nowSeconds() },
    ScanIndexForward: false,
    Select: 'COUNT',
    Limit: UNREAD_WINDOW,
  }));
  return { count: page.Count ?? 0, capped: Boolean(page.LastEvaluatedKey) };
}

/** Up to a page of live notifications: expired ones (DynamoDB deletes them late) are filtered, and the page refilled. */
async function newest(userId: string, start: Record<string, unknown> | undefined) {
  const items: NotificationItem[] = [];
  let lastKey = start;
  do {
    const page = await queryPage<NotificationItem>({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :n)',
      FilterExpression: 'expiresAt > :now',
      ExpressionAttributeValues: { ':pk': `user#${userId}`, ':n': 'notification#', ':now': nowSeconds() },
      ScanIndexForward: false,
      ExclusiveStartKey: lastKey,
      Limit: PAGE_SIZE - items.length,
    });
    items.push(...page.items);
    lastKey = page.lastKey;
  } while (lastKey && items.length < PAGE_SIZE);
  return { items, lastKey };
}

/**
 * What a notification is about, from its link: a thread (`/d/<id>`) or a poll (`/polls/<id>`).
 * Anything else is about the person themself or a group they were told about at the time.
 */
function subjectOf(url: string): { kind: 'thread' | 'poll'; id: string } | null {
  const path = url.startsWith(config.appUrl) ? url.slice(config.appUrl.length) : url;
  const match = /^\/(d|polls)\/([A-Za-z0-9_.-]+)/.exec(path);
  return match ? { kind: match[1] === 'd' ? 'thread' : 'poll', id: match[2]! } : null;
}

async function canStillSee(subject: { kind: 'thread' | 'poll'; id: string }, actor: Actor): Promise<boolean> {
  try {
    if (subject.kind === 'poll') {
      await visiblePoll(subject.id, actor);
      return true;
    }
    const { groupId, threadId } = parseThreadId(subject.id);
    const context = await loadThread(groupId, threadId, actor);
    return canSeeDiscussion(context.facts, context.viewer, threadFacts(context.thread));
  } catch {
    return false;
  }
}

/**
 * A notification names what it is about (a thread's title, a poll's), so it is shown only while
 * the person may still see that: not after the thread moved to a group they are not in, or they
 * left or were removed. Each subject on the page is checked once, with the use cases' own reads.
 */
async function stillVisible(items: NotificationItem[], actor: Actor): Promise<NotificationItem[]> {
  const subjects = new Map<string, Promise<boolean>>();
  for (const item of items) {
    const subject = subjectOf(item.url);
    if (subject && !subjects.has(`${subject.kind}:${subject.id}`)) subjects.set(`${subject.kind}:${subject.id}`, canStillSee(subject, actor));
  }
  const visible = await Promise.all(items.map(async (item) => {
    const subject = subjectOf(item.url);
    return !subject || (await subjects.get(`${subject.kind}:${subject.id}`)!);
  }));
  return items.filter((_, i) => visible[i]);
}

/** GET /api/notifications: newest first, 30 a page (expired ones hidden), with the unread count. */
export async function listNotifications(request: ApiRequest<'GET /api/notifications'>): Promise<ApiReply> {
  const actor = request.actor;
  const scope = `notifications:${actor.id}`;
  const [page, unread] = await Promise.all([newest(actor.id, await decodeCursor(scope, request.query.cursor)), unreadCount(actor.id)]);
  const items = await stillVisible(page.items, actor);
  return {
    body: { items: items.map(view), cursor: await encodeCursor(scope, page.lastKey), unreadCount: unread.count, unreadCountCapped: unread.capped },
  };
}
