import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { PERSONAL_FORMAT, PERSONAL_VERSION } from '../../shared/archive/personal.ts';
import { s3 } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { newId } from '../lib/crypto.ts';
import { create, get, patch, queryAll, transact, updateItem } from '../lib/db.ts';
import { INTERNAL_ATTRIBUTES, keys, without, type EventRecordItem, type SessionItem, type UserItem } from '../lib/entities.ts';
import { tooManyRequests } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { logger } from '../lib/logger.ts';
import { brandedHtml, emailButton, escapeHtml, sendEmail } from '../lib/mail.ts';
import { attemptJob } from '../lib/job-attempts.ts';
import { rateLimitCheck } from '../lib/rate-limit.ts';
import type { RecordedEvent } from '../workers/stream-handler.ts';
import { notificationKeys, preferencesView, type PreferencesItem } from '../notifications/store.ts';
import { GzipUpload } from '../exports/multipart.ts';
import { ownContent } from './footprint.ts';
import { deviceOf, membershipsOf } from './my-data.ts';
import { accountKeys, type PersonalExportItem } from './store.ts';

/** The emailed link lasts as long as SigV4 allows, 7 days; the bucket's lifecycle rule deletes the archive after that. */
export const LINK_SECONDS = 7 * 24 * 60 * 60;
/** Files are carried as base64 chunks of this many raw bytes, so one line stays about 1 MB. */
const FILE_CHUNK_BYTES = 768 * 1024;

const exportLimit = { name: 'personal-export', limit: 5, windowSeconds: 24 * 60 * 60 };

/** POST /api/me/exports: records the request with its event; the worker builds the archive and emails the link. */
export async function requestPersonalExport(request: ApiRequest<'POST /api/me/exports'>): Promise<ApiReply> {
  const actor = request.actor;
  const exportId = newId();
  const limit = rateLimitCheck(exportLimit, actor.id);
  const item: PersonalExportItem = { ...accountKeys.personalExport(actor.id, exportId), type: 'personalExport', exportId, userId: actor.id, status: 'pending', requestedAt: new Date().toISOString() };
  const codes = await transact([limit.op, create({ ...item }), recordEvent({ kind: 'PersonalExportRequested', userId: actor.id, exportId }, { actorId: actor.id, ip: request.ip })]);
  if (codes?.[0] === 'ConditionalCheckFailed') throw tooManyRequests(limit.retryAfter, 'You asked for 5 archives today already. Try again tomorrow.');
  if (codes) throw new Error(`Export request was not recorded: ${codes.join(',')}`);
  return { status: 202, body: { message: 'We are building your archive and will email you a download link.', exportId } };
}

/** What a personal archive has no business carrying: keys, index attributes, hashes. */
const clean = (item: object): Record<string, unknown> => without(item, INTERNAL_ATTRIBUTES);

/**
 * Builds the personal archive (PersonalExportRequested): one gzip NDJSON object, written record by
 * record into a multipart upload, so it never sits in memory whole; then emails a 7-day link.
 * Runs again harmlessly: a finished export is left alone; after three failed attempts it is
 * marked failed.
 */
export async function buildPersonalExport(event: RecordedEvent): Promise<void> {
  const { userId, exportId } = event.data as { userId: string; exportId: string };
  const record = await get<PersonalExportItem>(accountKeys.personalExport(userId, exportId));
  const user = await get<UserItem>(keys.user(userId));
  if (!record || record.status !== 'pending' || !user || user.deletedAt) return;
  await attemptJob(accountKeys.personalExport(userId, exportId), 'personal export', () => writePersonalExport(userId, exportId, user));
}

async function writePersonalExport(userId: string, exportId: string, user: UserItem): Promise<void> {
  const started = Date.now();
  const objectKey = `personal/${userId}/${exportId}/moot-personal-export.ndjson.gz`;
  const out = new GzipUpload(config.exportsBucket, objectKey);
  let records = 0;
  const line = async (value: Record<string, unknown>) => {
    records++;
    await out.write(`${JSON.stringify(value)}\n`);
  };
  try {
    await line({ format: PERSONAL_FORMAT, version: PERSONAL_VERSION, exportedAt: new Date().toISOString(), userId });
    await line({ ...clean(user), type: 'profile' });
    const memberships = await membershipsOf(userId);
    for (const m of memberships) await line({ ...clean(m), type: 'membership' });
    for (const s of await queryAll<SessionItem>(`user#${userId}`, 'session#')) {
      await line({ type: 'session', ip: s.ip, device: deviceOf(s.userAgent), userAgent: s.userAgent ?? null, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt });
    }
    for (const e of await queryAll<EventRecordItem>(`user#${userId}`, 'event#')) await line({ ...clean(e), type: 'accountEvent' });
    await line({ type: 'emailPreferences', ...preferencesView(await get<PreferencesItem>(notificationKeys.preferences(userId))) });
    for await (const content of ownContent(userId, memberships)) {
      const { item, ...extra } = content;
      await line({ ...extra, ...clean(item), type: content.type });
    }
    const files: Array<{ path: string; size: number; sha256: string; contentType: string | null }> = [];
    let token: string | undefined;
    do {
      const listing = await s3.send(new ListObjectsV2Command({ Bucket: config.uploadsBucket, Prefix: `uploads/${userId}/`, ContinuationToken: token }));
      for (const object of listing.Contents ?? []) {
        const got = await s3.send(new GetObjectCommand({ Bucket: config.uploadsBucket, Key: object.Key! }));
        const path = object.Key!.slice(`uploads/${userId}/`.length);
        const hash = createHash('sha256');
        let size = 0;
        let index = 0;
        let buffered: Buffer[] = [];
        let bufferedBytes = 0;
        const flush = async () => {
          if (!bufferedBytes) return;
          await line({ type: 'fileChunk', path, index: index++, data: Buffer.concat(buffered).toString('base64') });
          buffered = [];
          bufferedBytes = 0;
        };
        for await (const chunk of got.Body as Readable) {
          hash.update(chunk as Buffer);
          size += (chunk as Buffer).length;
          buffered.push(chunk as Buffer);
          bufferedBytes += (chunk as Buffer).length;
          if (bufferedBytes >= FILE_CHUNK_BYTES) await flush();
        }
        await flush();
        const file = { path, size, sha256: hash.digest('hex'), contentType: got.ContentType ?? null };
        files.push(file);
        await line({ type: 'file', ...file, chunks: index });
      }
      token = listing.IsTruncated ? listing.NextContinuationToken : undefined;
    } while (token);
    await line({ type: 'manifest', records: records + 1, files });
    const stored = await out.close();
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: config.exportsBucket, Key: objectKey, ResponseContentDisposition: 'attachment; filename="moot-personal-export.ndjson.gz"' }), { expiresIn: LINK_SECONDS });
    await updateItem(patch(accountKeys.personalExport(userId, exportId), { set: { status: 'ready', objectKey, bytes: stored.bytes, records, finishedAt: new Date().toISOString() } }));
    await sendEmail(personalExportEmail(user.email, url));
    logger.info('Personal export built', { records, bytes: stored.bytes, ms: Date.now() - started });
  } catch (error) {
    await out.abort();
    throw error;
  }
}

export function personalExportEmail(to: string, url: string) {
  const brand = config.brandName;
  return {
    to,
    subject: `Your ${brand} data is ready to download`,
    text: [`Your ${brand} archive is ready:`, url, '', 'The link works for 7 days; after that the archive is deleted.', 'If you did not ask for it, sign in and sign out everywhere.'].join('\n'),
    html: brandedHtml(
      `Your ${brand} data`,
      `<h1 style="font-size:20px">Your ${escapeHtml(brand)} archive is ready</h1>
${emailButton(url, 'Download your data')}
<p>The link works for 7 days; after that the archive is deleted.</p>
<p style="color:#555555">If you did not ask for it, sign in and sign out everywhere.</p>`,
    ),
  };
}
