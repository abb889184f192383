import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { mentionedHandles } from '../../shared/markdown.ts';
import { s3 } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { personHandle } from '../../shared/mentions.ts';
import { create, forEachPage, getMany, remove } from '../lib/db.ts';
import { nowSeconds } from '../lib/entities.ts';
import { invalid } from '../lib/errors.ts';
import type { MembershipItem } from '../groups/store.ts';
import { threadKeys } from './store.ts';
import type { AttachmentMeta } from './views.ts';

/**
 * Which `@handle`s in a text are members of the group. Read only when the text mentions someone,
 * one Query page at a time; a handle that matches no member stays plain text.
 */
export async function resolveMentions(groupId: string, text: string): Promise<Record<string, string>> {
  const wanted = new Set(mentionedHandles(text));
  if (!wanted.size) return {};
  const found: Record<string, string> = {};
  await forEachPage<MembershipItem>(
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
      FilterExpression: 'attribute_not_exists(revokedAt)',
      ExpressionAttributeValues: { ':pk': `group#${groupId}`, ':member': 'member#' },
      ProjectionExpression: 'userId, #n',
      ExpressionAttributeNames: { '#n': 'name' },
    },
    async (items) => {
      for (const m of items) {
        const handle = personHandle(m.name);
        if (handle && wanted.has(handle) && !found[handle]) found[handle] = m.userId;
      }
    },
  );
  return found;
}

export interface UploadItem {
  pk: string;
  sk: string;
  type: 'upload';
  uploadId: string;
  userId: string;
  key: string;
  filename: string;
  contentType: string;
  size: number;
  createdAt: string;
  expiresAt: number;
}

export interface AttachmentItem {
  pk: string;
  sk: string;
  type: 'attachment';
  attachmentId: string;
  threadId: string;
  groupId: string;
  userId: string;
  key: string;
  filename: string;
  contentType: string;
  size: number;
  createdAt: string;
}

/**
 * Turns the actor's finished uploads into attachments of a thread: each must be theirs, unexpired
 * and really in storage (checked with HeadObject, which also confirms its size). Returns the
 * metadata shown with the comment and the writes that claim each upload once.
 */
export async function claimUploads(actorId: string, uploadIds: string[] | undefined, where: { threadId: string; groupId: string }) {
  const ids = [...new Set(uploadIds ?? [])];
  if (!ids.length) return { attachments: [] as AttachmentMeta[], ops: [] };
  const uploads = (await getMany<UploadItem>(ids.map((id) => threadKeys.upload(id))));
  const attachments: AttachmentMeta[] = [];
  const ops = [];
  for (const [i, upload] of uploads.entries()) {
    if (!upload || upload.userId !== actorId || upload.expiresAt <= nowSeconds()) throw invalid({ [`attachmentIds.${i}`]: 'This upload is not yours, or has expired. Upload the file again.' });
    const head = await s3.send(new HeadObjectCommand({ Bucket: config.uploadsBucket, Key: upload.key })).catch(() => null);
    if (!head || (head.ContentLength ?? 0) > upload.size) throw invalid({ [`attachmentIds.${i}`]: 'The file has not finished uploading.' });
    attachments.push({ id: upload.uploadId, filename: upload.filename, contentType: upload.contentType, size: head.ContentLength ?? upload.size });
    const attachment: AttachmentItem = {
      ...threadKeys.attachment(upload.uploadId),
      type: 'attachment',
      attachmentId: upload.uploadId,
      threadId: where.threadId,
      groupId: where.groupId,
      userId: actorId,
      key: upload.key,
      filename: upload.filename,
      contentType: upload.contentType,
      size: head.ContentLength ?? upload.size,
      createdAt: new Date().toISOString(),
    };
    ops.push(create({ ...attachment }), remove(threadKeys.upload(upload.uploadId), { if: 'attribute_exists(pk)' }));
  }
  return { attachments, ops };
}
