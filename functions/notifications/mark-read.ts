import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { forEachPage } from '../lib/db.ts';
import { nowSeconds } from '../lib/entities.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { notificationKeys } from './store.ts';

/** Sets readAt once; a missing notification (or someone else's id) stays missing. */
async function markOne(userId: string, id: string, at: string): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: notificationKeys.notification(userId, id),
        UpdateExpression: 'SET readAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(readAt)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** POST /api/notifications/read: `{ids}` or `{all: true}`; only ever the actor's own notifications. */
export async function markRead(request: ApiRequest<'POST /api/notifications/read'>): Promise<ApiReply> {
  const userId = request.actor.id;
  const at = new Date().toISOString();
  let marked = 0;
  if ('ids' in request.body) {
    for (const ok of await Promise.all([...new Set(request.body.ids)].map((id) => markOne(userId, id, at)))) if (ok) marked++;
  } else {
    await forEachPage<{ id: string }>(
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :n)',
        FilterExpression: 'attribute_not_exists(readAt) AND expiresAt > :now',
        ProjectionExpression: 'id',
        ExpressionAttributeValues: { ':pk': `user#${userId}`, ':n': 'notification#', ':now': nowSeconds() },
      },
      async (items) => {
        for (const ok of await Promise.all(items.map((n) => markOne(userId, n.id, at)))) if (ok) marked++;
      },
    );
  }
  return { body: { marked } };
}
