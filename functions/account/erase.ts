import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, s3 } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { batchDelete, ConditionFailed, get, patch, put, transact, updateItem, type Key } from '../lib/db.ts';
import { keys, type UserItem } from '../lib/entities.ts';
import { logger } from '../lib/logger.ts';
import { groupKeys } from '../groups/store.ts';
import { notificationScrub, scrubPlan, type ScrubPlan, type Subject } from './scrub.ts';
import { accountKeys, blockReinvites, type ErasureItem } from './store.ts';

type Item = Record<string, unknown> & { pk: string; sk: string; type?: string };

/** Parallel scan segments: erasing is rare, and one pass over the table finds every copy. */
const SEGMENTS = Number(process.env.ERASE_SCAN_SEGMENTS) || 4;
const WRITE_CONCURRENCY = 16;

export interface EraseResult {
  deleted: number;
  scrubbed: number;
  objects: number;
  ms: number;
}

async function pool<T>(items: T[], limit: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await each(items[next++]!);
  }));
}

/**
 * Applies one update plan, guarded by the values it was computed from where they are maps (a
 * reaction added meanwhile is not lost: the item is read again and the plan recomputed).
 */
async function applyUpdate(item: Item, plan: Extract<ScrubPlan, { action: 'update' }>, subject: Subject): Promise<void> {
  let current: Item | null = item;
  let currentPlan: ScrubPlan = plan;
  for (let attempt = 0; attempt < 5 && current && currentPlan?.action === 'update'; attempt++) {
    const p: Extract<ScrubPlan, { action: 'update' }> = currentPlan;
    const guards = ['reactions', 'mentions'].filter((name) => name in p.set);
    const values: Record<string, unknown> = Object.fromEntries(guards.map((g) => [`:old_${g}`, current![g]]));
    if (p.revoke) {
      // Ending an active membership and its count happen together, once.
      const codes = await transact([
        patch({ pk: item.pk, sk: item.sk }, { set: { ...p.set, revokedAt: new Date().toISOString(), revokedBy: subject.userId }, remove: ['gsi1pk', 'gsi1sk', ...p.remove] }, { if: 'attribute_not_exists(#revokedAt)' }),
        patch(groupKeys.group(p.revoke.groupId), { add: { memberCount: -1, ...(p.revoke.admin ? { adminCount: -1 } : {}) } }),
      ]);
      if (!codes) return;
    } else {
      const set = Object.entries(p.set);
      const names: Record<string, string> = {};
      const exprValues: Record<string, unknown> = { ...values };
      const clauses: string[] = [];
      if (set.length) clauses.push(`SET ${set.map(([n, v], i) => ((names[`#s${i}`] = n), (exprValues[`:s${i}`] = v), `#s${i} = :s${i}`)).join(', ')}`);
      if (p.remove.length) clauses.push(`REMOVE ${p.remove.map((n, i) => ((names[`#r${i}`] = n), `#r${i}`)).join(', ')}`);
      const conditions = ['attribute_exists(pk)', ...guards.map((g) => ((names[`#g_${g}`] = g), `#g_${g} = :old_${g}`))];
      try {
        await db.send(new UpdateCommand({
          TableName: config.tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: clauses.join(' '),
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: Object.keys(exprValues).length ? exprValues : undefined,
        }));
        return;
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    }
    current = await get<Item>({ pk: item.pk, sk: item.sk });
    currentPlan = current ? scrubPlan(current, subject) : null;
  }
}

async function deleteObjects(bucket: string, prefix: string, keep: Set<string>): Promise<number> {
  let removed = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const doomed = (page.Contents ?? []).map((o) => o.Key!).filter((k) => !keep.has(k));
    if (doomed.length) {
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: doomed.map((Key) => ({ Key })), Quiet: true } }));
      removed += doomed.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return removed;
}

/**
 * Erases a person (the worker behind DELETE /api/me), in two passes of the same idempotent steps:
 *  1. one parallel scan finds every stored copy of the person and applies `scrubPlan`
 *     (their partition and anything keyed by their address go; shared history is re-attributed);
 *  2. notifications naming them as the actor are re-attributed, matched by the events they caused;
 *  3. their uploads not attached to shared content, and their personal exports, leave storage;
 *  4. on the final pass only, the profile goes (it holds the name and address the scan matches
 *     on), then the erasure record.
 * The first pass runs from the event, at once. The final pass is the scheduler's, 5 minutes after
 * the request: by then every event the person caused before deleting has been delivered, so a
 * notification or timeline entry a lagging worker wrote with their name is caught too. A pass cut
 * short simply runs again. Logs carry counts only, never a name, address or id of content.
 */
export async function eraseAccount(userId: string, { final = false } = {}): Promise<EraseResult | null> {
  const started = Date.now();
  const job = await get<ErasureItem>(accountKeys.erasure(userId));
  if (!job) return null;
  const profile = await get<UserItem>(keys.user(userId));
  const subject: Subject = { userId, email: profile?.email?.toLowerCase() ?? null, name: profile?.name ?? null, emailHash: job.emailHash };
  const actorEventIds = new Set<string>();
  const notifications: Item[] = [];
  const attachedKeys = new Set<string>();
  const uploadKeys: string[] = [];
  let deleted = 0;
  let scrubbed = 0;

  await Promise.all(Array.from({ length: SEGMENTS }, async (_, segment) => {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: config.tableName, Segment: segment, TotalSegments: SEGMENTS, ExclusiveStartKey: start, ConsistentRead: true }));
      const doomed: Key[] = [];
      const updates: Array<[Item, Extract<ScrubPlan, { action: 'update' }>]> = [];
      for (const item of (page.Items ?? []) as Item[]) {
        if (item.type === 'event' && item.actorId === userId) actorEventIds.add(String(item.eventId));
        if (item.type === 'notification' && item.actorName) notifications.push({ pk: item.pk, sk: item.sk, id: item.id, actorName: item.actorName, title: item.title, type: item.type });
        if (item.type === 'attachment' && item.userId === userId) attachedKeys.add(String(item.key));
        if (item.type === 'upload' && item.userId === userId) uploadKeys.push(String(item.key));
        // The profile and the erasure record go last: they are what a retry starts from.
        if (item.pk === `user#${userId}` && item.sk === 'profile') continue;
        const plan = scrubPlan(item, subject);
        if (plan?.action === 'delete') doomed.push({ pk: item.pk, sk: item.sk });
        else if (plan?.action === 'update') updates.push([item, plan]);
      }
      deleted += doomed.length;
      scrubbed += updates.length;
      await batchDelete(doomed);
      await pool(updates, WRITE_CONCURRENCY, ([item, plan]) => applyUpdate(item, plan, subject));
      start = page.LastEvaluatedKey;
    } while (start);
  }));

  const renamed = notifications.flatMap((n) => {
    const set = notificationScrub(n, actorEventIds, subject);
    return set ? [{ n, set }] : [];
  });
  await pool(renamed, WRITE_CONCURRENCY, async ({ n, set }) => {
    const names = Object.keys(set);
    await db.send(new UpdateCommand({
      TableName: config.tableName,
      Key: { pk: n.pk, sk: n.sk },
      UpdateExpression: `SET ${names.map((name, i) => `#n${i} = :v${i}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#n${i}`, name])),
      ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:v${i}`, set[name]])),
    })).catch((error: Error) => { if (error.name !== 'ConditionalCheckFailedException') throw error; });
  });
  scrubbed += renamed.length;

  // Files attached to shared threads stay with the thread; everything else of theirs goes.
  let objects = await deleteObjects(config.uploadsBucket, `uploads/${userId}/`, attachedKeys);
  for (const key of uploadKeys) if (!attachedKeys.has(key) && !key.startsWith(`uploads/${userId}/`)) objects += await deleteObjects(config.uploadsBucket, key, new Set());
  objects += await deleteObjects(config.exportsBucket, `personal/${userId}/`, new Set());

  if (!final) {
    // The final pass may have finished meanwhile and removed the record: nothing left to mark.
    await updateItem(patch(accountKeys.erasure(userId), { set: { firstPassAt: new Date().toISOString() } })).catch((error: unknown) => {
      if (!(error instanceof ConditionFailed)) throw error;
    });
    const result = { deleted, scrubbed, objects, ms: Date.now() - started };
    logger.info('Account erased, first pass', { ...result });
    return result;
  }
  if (blockReinvites()) await transact([put({ ...accountKeys.blockedEmail(job.emailHash), type: 'blockedEmail', at: job.requestedAt.slice(0, 10) })]);
  await batchDelete([keys.user(userId), accountKeys.erasure(userId)]);
  const result = { deleted: deleted + 2, scrubbed, objects, ms: Date.now() - started };
  logger.info('Account erased', { ...result });
  return result;
}
