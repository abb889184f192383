import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { queryPage } from '../lib/db.ts';
import { nowSeconds } from '../lib/entities.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import type { NotificationItem } from './store.ts';

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

/** GET /api/notifications: newest first, 30 a page (expired ones hidden), with the unread count. */
export async function listNotifications(request: ApiRequest<'GET /api/notifications'>): Promise<ApiReply> {
  const actor = request.actor;
  const scope = `notifications:${actor.id}`;
  const [page, unread] = await Promise.all([newest(actor.id, await decodeCursor(scope, request.query.cursor)), unreadCount(actor.id)]);
  return {
    body: { items: page.items.map(view), cursor: await encodeCursor(scope, page.lastKey), unreadCount: unread.count, unreadCountCapped: unread.capped },
  };
}
