import { DeleteObjectsCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ATTACHMENT_SIZE_HINT, ATTACHMENT_TYPES, ATTACHMENT_TYPES_HINT, MAX_ATTACHMENT_BYTES, downloadHeaders } from '../../shared/attachments.ts';
import { canSeeDiscussion } from '../../shared/permissions/discussions.ts';
import { s3 } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { newId } from '../lib/crypto.ts';
import { create, get, getMany, remove, transact } from '../lib/db.ts';
import { nowSeconds } from '../lib/entities.ts';
import { invalid, notFound, tooManyRequests } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { logger } from '../lib/logger.ts';
import { rateLimitCheck, type RateLimit } from '../lib/rate-limit.ts';
import type { AttachmentItem, UploadItem } from './content.ts';
import { loadThread, threadFacts, threadKeys } from './store.ts';

/** Each person's daily allowance of uploads, by count and by declared bytes, spent as each is offered. */
export const uploadLimits = {
  count: { name: 'uploads', limit: 100, windowSeconds: 86_400 },
  bytes: { name: 'upload-bytes', limit: 1024 * 1024 * 1024, windowSeconds: 86_400 },
} satisfies Record<string, RateLimit>;

/**
 * POST /api/uploads: a presigned POST that only accepts this one key, this content type and at
 * most the declared size (≤ 25 MB). The file goes straight to storage; a comment claims it later.
 */
export async function requestUpload(request: ApiRequest<'POST /api/uploads'>): Promise<ApiReply> {
  const { filename, contentType, size } = request.body;
  if (!ATTACHMENT_TYPES.has(contentType)) throw invalid({ contentType: ATTACHMENT_TYPES_HINT });
  if (size > MAX_ATTACHMENT_BYTES) throw invalid({ size: ATTACHMENT_SIZE_HINT });
  const uploadId = newId();
  const safeName = filename.replace(/[^\w.\- ]+/g, '_').slice(-120);
  const key = `uploads/${request.actor.id}/${uploadId}/${safeName}`;
  const item: UploadItem = {
    ...threadKeys.upload(uploadId),
    type: 'upload',
    uploadId,
    userId: request.actor.id,
    key,
    filename,
    contentType,
    size,
    createdAt: new Date().toISOString(),
    expiresAt: nowSeconds() + 24 * 3600,
  };
  const byCount = rateLimitCheck(uploadLimits.count, request.actor.id);
  const byBytes = rateLimitCheck(uploadLimits.bytes, request.actor.id, size);
  const codes = await transact([byCount.op, byBytes.op, create({ ...item })]);
  if (codes?.[0] === 'ConditionalCheckFailed') throw tooManyRequests(byCount.retryAfter, `You can attach ${uploadLimits.count.limit} files a day. Try again tomorrow.`);
  if (codes?.[1] === 'ConditionalCheckFailed') throw tooManyRequests(byBytes.retryAfter, 'That file would pass the 1 GB of files a day allows. Attach a smaller one, or try again tomorrow.');
  if (codes) throw new Error(`Upload was not recorded: ${codes.join(',')}`);
  const post = await createPresignedPost(s3, {
    Bucket: config.uploadsBucket,
    Key: key,
    Conditions: [['content-length-range', 1, size], ['eq', '$Content-Type', contentType]],
    Fields: { 'Content-Type': contentType },
    Expires: 600,
  });
  return { status: 201, body: { uploadId, url: post.url, fields: post.fields, maxBytes: size } };
}

/**
 * GET /api/attachments/{id}: a 5-minute download link, issued only to someone who may read the
 * thread. Only raster images open inline; anything else downloads (see `downloadHeaders`).
 */
export async function getAttachment(request: ApiRequest<'GET /api/attachments/{id}'>): Promise<ApiReply> {
  const id = request.params.id!;
  if (!/^[A-Za-z0-9_-]{22}$/.test(id)) throw notFound('No such file.');
  const attachment = await get<AttachmentItem>(threadKeys.attachment(id));
  if (!attachment) throw notFound('No such file.');
  const context = await loadThread(attachment.groupId, attachment.threadId, request.actor);
  if (!canSeeDiscussion(context.facts, context.viewer, threadFacts(context.thread))) throw notFound('No such file.');
  const served = downloadHeaders(attachment.contentType, attachment.filename);
  const url = await getSignedUrl(
    s3,
    new GetObjectCommand({
      Bucket: config.uploadsBucket,
      Key: attachment.key,
      ResponseContentType: served.contentType,
      ResponseContentDisposition: served.disposition,
    }),
    { expiresIn: 300 },
  );
  return { status: 302, headers: { location: url, 'cache-control': 'private, max-age=240' } };
}

/**
 * What deleting a comment does to its files: `ops` remove their attachment items in the same
 * transaction (so the download route answers 404 from then on), and `deleteObjects`, run once that
 * has committed, deletes the stored bytes.
 */
export async function attachmentRemoval(attachmentIds: string[] | undefined) {
  const ids = [...new Set(attachmentIds ?? [])];
  const found = ids.length ? (await getMany<AttachmentItem>(ids.map((id) => threadKeys.attachment(id)))).filter((a): a is AttachmentItem => Boolean(a)) : [];
  return {
    ops: found.map((a) => remove(threadKeys.attachment(a.attachmentId))),
    deleteObjects: async () => {
      if (!found.length) return;
      await s3.send(new DeleteObjectsCommand({ Bucket: config.uploadsBucket, Delete: { Objects: found.map((a) => ({ Key: a.key })), Quiet: true } }))
        // The items are gone, so nothing serves these bytes; a leftover object is only storage.
        .catch((error: unknown) => logger.warn('Deleted comment\u2019s files not removed from storage', { attachmentIds: found.map((a) => a.attachmentId), error: String(error) }));
    },
  };
}
