import type { ItemVolume, Volume } from '../../shared/schemas/notifications.ts';
import { check, forEachPage, put, remove, transact, type Key } from '../lib/db.ts';
import { recordEvent } from '../lib/events.ts';
import type { Actor } from '../lib/session.ts';
import type { ItemVolumeItem } from '../discussions/store.ts';
import { groupKeys } from '../groups/store.ts';

/**
 * A member's volume for one thread or poll sits in that item's own partition (`volume#<userId>`),
 * so the fan-out reads every override of an item with one Query per event, never one per person.
 * It comes before the group's volume, which comes before the personal default.
 */
export type VolumeSubject = { type: 'discussion' | 'poll'; id: string };

const partition = (subject: VolumeSubject) => `${subject.type}#${subject.id}`;

/** Every override of one thread or poll, by user id: one Query (a page holds thousands). */
export async function overridesOf(subject: VolumeSubject): Promise<Map<string, Volume>> {
  const found = new Map<string, Volume>();
  await forEachPage<Pick<ItemVolumeItem, 'userId' | 'volume'>>(
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :volume)',
      ProjectionExpression: 'userId, volume',
      ExpressionAttributeValues: { ':pk': partition(subject), ':volume': 'volume#' },
      ConsistentRead: true,
    },
    async (items) => {
      for (const item of items) found.set(item.userId, item.volume);
    },
  );
  return found;
}

/**
 * Writes (or, for `group`, removes) the actor's override in one transaction with the event, on
 * condition that the item is still there and the actor still an active member of its group.
 * Returns false when a condition failed.
 */
export async function writeItemVolume(
  subject: VolumeSubject,
  keys: { item: Key; volume: Key },
  groupId: string,
  volume: ItemVolume,
  actor: Actor,
  ip: string | undefined,
): Promise<boolean> {
  const override: ItemVolumeItem | null = volume === 'group' ? null : { ...keys.volume, type: 'itemVolume', userId: actor.id, volume, updatedAt: new Date().toISOString() };
  const codes = await transact([
    override ? put(override as ItemVolumeItem & Record<string, unknown>) : remove(keys.volume),
    check(keys.item, { if: 'attribute_exists(pk)' }),
    check(groupKeys.membership(groupId, actor.id), { if: 'attribute_exists(pk) AND attribute_not_exists(#revokedAt)' }),
    recordEvent({ kind: 'ItemVolumeChanged', groupId, subject, userId: actor.id, volume: override?.volume ?? null }, { actorId: actor.id, ip }),
  ]);
  return codes === null;
}
