import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { canSeeDiscussion } from '../../shared/permissions/discussions.ts';
import { s3 } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { newId } from '../lib/crypto.ts';
import { create, get, transact } from '../lib/db.ts';
import { nowSeconds } from '../lib/entities.ts';
import { invalid, notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import type { AttachmentItem, UploadItem } from './content.ts';
import { loadThread, threadFacts, threadKeys } from './store.ts';

export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** What people may attach: images shown inline, and common documents. Nothing executable. */
export const allowedTypes = new Set([
  'image/png', 'image/jpeg', 'image/gif', 'image/webp',
  'application/pdf', 'text/plain', 'text/csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
]);

/**
 * POST /api/uploads: a presigned POST that only accepts this one key, this content type and at
 * most the declared size (≤ 25 MB). The file goes straight to storage; a comment claims it later.
 */
export async function requestUpload(request: ApiRequest<'POST /api/uploads'>): Promise<ApiReply> {
  const { filename, contentType, size } = request.body;
  if (!allowedTypes.has(contentType)) throw invalid({ contentType: 'Attach images (PNG, JPEG, GIF, WebP), PDFs, text, CSV or office documents.' });
  if (size > MAX_UPLOAD_BYTES) throw invalid({ size: 'A file can be at most 25 MB.' });
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
  await transact([create({ ...item })]);
  const post = await createPresignedPost(s3, {
    Bucket: config.uploadsBucket,
    Key: key,
    Conditions: [['content-length-range', 1, size], ['eq', '$Content-Type', contentType]],
    Fields: { 'Content-Type': contentType },
    Expires: 600,
  });
  return { status: 201, body: { uploadId, url: post.url, fields: post.fields, maxBytes: size } };
}

/** GET /api/attachments/{id}: a 5-minute download link, issued only to someone who may read the thread. */
export async function getAttachment(request: ApiRequest<'GET /api/attachments/{id}'>): Promise<ApiReply> {
  const id = request.params.id!;
  if (!/^[A-Za-z0-9_-]{22}$/.test(id)) throw notFound('No such file.');
  const attachment = await get<AttachmentItem>(threadKeys.attachment(id));
  if (!attachment) throw notFound('No such file.');
  const context = await loadThread(attachment.groupId, attachment.threadId, request.actor);
  if (!canSeeDiscussion(context.facts, context.viewer, threadFacts(context.thread))) throw notFound('No such file.');
  const inline = attachment.contentType.startsWith('image/');
  const url = await getSignedUrl(
    s3,
    new GetObjectCommand({
      Bucket: config.uploadsBucket,
      Key: attachment.key,
      ResponseContentType: attachment.contentType,
      ResponseContentDisposition: `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`,
    }),
    { expiresIn: 300 },
  );
  return { status: 302, headers: { location: url, 'cache-control': 'private, max-age=240' } };
}
