import { batchDelete, forEachPage, get, patch, transact } from '../lib/db.ts';
import type { DueItem } from '../workers/scheduler-handler.ts';
import { groupKeys, type GroupItem, type InvitationItem } from './store.ts';

/**
 * The scheduler's job for an archived group whose 30 days have passed: every item in the group's
 * partition, its handle, its link and invitation pointers, and its place on a parent's list go.
 * Safe to run twice: a second run finds nothing left.
 */
export async function purgeGroup(due: DueItem): Promise<void> {
  const group = await get<GroupItem>({ pk: due.pk, sk: due.sk });
  if (!group?.archivedAt) return;
  const pointers = [groupKeys.handle(group.handle), ...(group.joinTokenHash ? [groupKeys.joinToken(group.joinTokenHash)] : [])];
  if (group.parentId) {
    const parent = await get<GroupItem>(groupKeys.group(group.parentId));
    if (parent) {
      await transact([
        patch(groupKeys.group(parent.groupId), { set: { subgroups: parent.subgroups.filter((s) => s.id !== group.groupId) } }, {
          if: '#updatedAt = :seen',
          values: { ':seen': parent.updatedAt },
        }),
      ]);
    }
  }
  // The group item goes last, so an interrupted purge is found and finished by the next sweep.
  await forEachPage<{ pk: string; sk: string; type?: string; tokenHash?: string }>(
    { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': due.pk } },
    async (items) => {
      const invitationPointers = items.filter((i) => i.type === 'invitation').map((i) => groupKeys.inviteToken((i as InvitationItem).tokenHash));
      await batchDelete([...invitationPointers, ...items.filter((i) => i.sk !== 'group')]);
    },
  );
  await batchDelete([...pointers, { pk: due.pk, sk: due.sk }]);
}
