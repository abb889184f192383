import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { forEachPage, get } from '../lib/db.ts';
import { keys, type UserItem } from '../lib/entities.ts';
import type { Deliveries, RecordedEvent } from '../workers/stream-handler.ts';
import { groupKeys, type GroupItem, type MembershipItem } from './store.ts';

/** Sets fields on an existing item only; an item deleted meanwhile stays deleted. */
async function refresh(key: { pk: string; sk: string }, fields: Record<string, unknown>): Promise<void> {
  const names = Object.keys(fields);
  await db
    .send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: key,
        UpdateExpression: `SET ${names.map((n, i) => `#f${i} = :v${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
        ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, fields[n]])),
      }),
    )
    .catch((error: Error) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
}

/**
 * GroupUpdated: memberships carry the group's name, handle and privacy for "my groups"; copy the
 * group's current values (not the event's), so late or repeated deliveries converge.
 */
export async function refreshGroupCopies(event: RecordedEvent): Promise<void> {
  const changed = (event.data as { changed?: string[] }).changed ?? [];
  if (!changed.some((c) => c === 'name' || c === 'handle' || c === 'privacy')) return;
  const groupId = (event.data as { groupId: string }).groupId;
  const group = await get<GroupItem>(groupKeys.group(groupId));
  if (!group) return;
  await forEachPage<MembershipItem>(
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
      ExpressionAttributeValues: { ':pk': `group#${groupId}`, ':member': 'member#' },
      ProjectionExpression: 'pk, sk',
    },
    async (items) => {
      for (const m of items) await refresh(m, { groupName: group.name, groupHandle: group.handle, groupPrivacy: group.privacy });
    },
  );
}

/** UserRenamed: member lists show the name copied onto each membership. */
export async function refreshMemberName(event: RecordedEvent): Promise<void> {
  const userId = (event.data as { userId: string }).userId;
  const user = await get<UserItem>(keys.user(userId));
  if (!user) return;
  await forEachPage<MembershipItem>(
    {
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `memberof#${userId}` },
    },
    async (items) => {
      for (const m of items) await refresh({ pk: m.pk, sk: m.sk }, { name: user.name ?? null });
    },
  );
}

export const groupDeliveries: Deliveries = {
  GroupUpdated: [refreshGroupCopies],
  UserRenamed: [refreshMemberName],
};
