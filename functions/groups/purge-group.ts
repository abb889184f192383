import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { s3 } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { batchDelete, forEachPage, get, getMany, patch, transact, type Key } from '../lib/db.ts';
import type { AttachmentItem } from '../discussions/content.ts';
import { threadKeys } from '../discussions/store.ts';
import { ballotTable } from '../polls/ballot-box.ts';
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
  // Its threads (with their comments, versions, read states and files) and polls (with their
  // ballots, in both tables) go first; threads and polls moved to another group are listed there.
  await purgeNotifications(group.groupId, due.pk);
  await purgeThreads(group.groupId);
  await purgePolls(group.groupId);
  await deletePrefix(config.exportsBucket, `groups/${group.groupId}/`);
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

type Listed = Key & { gsi1pk?: string };

const partition = (pk: string) => ({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ProjectionExpression: 'pk, sk, attachmentIds' });

/** Every thread listed in the group, whole: its partition, and each attachment's item and file. */
async function purgeThreads(groupId: string): Promise<void> {
  await forEachPage<Listed>({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `threads#${groupId}` } }, async (threads) => {
    for (const thread of threads) {
      const threadId = thread.pk.slice('discussion#'.length);
      const attachmentIds = new Set<string>();
      // The thread item itself goes last, so an interrupted purge still lists it next time.
      await forEachPage<Key & { attachmentIds?: string[] }>(partition(thread.pk), async (items) => {
        for (const i of items) for (const id of i.attachmentIds ?? []) attachmentIds.add(id);
        await batchDelete(items.filter((i) => i.sk !== 'thread'));
      });
      const ids = [...attachmentIds];
      for (let i = 0; i < ids.length; i += 100) {
        const attachments = (await getMany<AttachmentItem>(ids.slice(i, i + 100).map((id) => threadKeys.attachment(id)))).filter((a): a is AttachmentItem => a !== null && a.threadId === threadId);
        if (attachments.length) await s3.send(new DeleteObjectsCommand({ Bucket: config.uploadsBucket, Delete: { Objects: attachments.map((a) => ({ Key: a.key })), Quiet: true } }));
        await batchDelete(attachments.map((a) => threadKeys.attachment(a.attachmentId)));
      }
      await batchDelete([threadKeys.thread(threadId)]);
    }
  });
}

/** Every poll listed in the group (open, draft or closed), whole, and its ballot box. */
async function purgePolls(groupId: string): Promise<void> {
  for (const state of ['open', 'closed']) {
    await forEachPage<Listed>({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': `polls#${groupId}#${state}` } }, async (polls) => {
      for (const poll of polls) {
        await forEachPage<Key>({ ...partition(poll.pk), TableName: ballotTable(), ProjectionExpression: 'pk, sk' }, (items) => batchDelete(items, ballotTable()).then(() => undefined));
        await forEachPage<Key>({ ...partition(poll.pk), ProjectionExpression: 'pk, sk' }, (items) => batchDelete(items.filter((i) => i.sk !== 'poll')).then(() => undefined));
        await batchDelete([{ pk: poll.pk, sk: 'poll' }]);
      }
    });
  }
}

/** Every object under a prefix (a group's exports). */
async function deletePrefix(bucket: string, prefix: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** What the group's members were told about it: titles of its threads and polls, kept in their own notification lists. */
async function purgeNotifications(groupId: string, groupPk: string): Promise<void> {
  await forEachPage<{ userId?: string }>(
    { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)', ExpressionAttributeValues: { ':pk': groupPk, ':member': 'member#' }, ProjectionExpression: 'userId' },
    async (members) => {
      for (const { userId } of members) {
        if (!userId) continue;
        await forEachPage<Key>(
          {
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :n)',
            FilterExpression: 'groupId = :g',
            ExpressionAttributeValues: { ':pk': `user#${userId}`, ':n': 'notification#', ':g': groupId },
            ProjectionExpression: 'pk, sk',
          },
          (items) => batchDelete(items).then(() => undefined),
        );
      }
    },
  );
}
