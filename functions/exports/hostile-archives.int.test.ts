import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { api, rawTable, scanTable, signIn, useStackEnv, waitFor } from '../../scripts/test-support/api.ts';
import { groupWithMembers } from '../../scripts/test-support/groups.ts';
import { FILE_CHUNK_BYTES } from '../../shared/archive/group.ts';
import type { ReadStats } from './archive-reader.ts';
import { importLimits } from './limits.ts';
import { uploadArchive } from '../../scripts/test-support/archives.ts';

// Archives an attacker would upload. Each is read by the import worker itself (its entry point,
// with the real stack behind it), so a test sees what every read of the archive held.

type Rec = Record<string, any>;
type Cookie = string;
const MB = 1024 ** 2;
const s3 = () => new S3Client({ endpoint: inject('s3Endpoint'), region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
const uploadExists = (key: string) => s3().send(new HeadObjectCommand({ Bucket: 'moot-uploads', Key: key })).then(() => true, () => false);
const newId = () => randomBytes(16).toString('base64url').slice(0, 22);

async function exportRecords(cookie: Cookie, groupId: string): Promise<Rec[]> {
  const requested = await api('POST', `/api/groups/${groupId}/exports`, { cookie });
  const ready = await waitFor(async () => {
    const status = await api('GET', `/api/exports/${requested.body.id}`, { cookie });
    return status.body.status === 'ready' ? status.body : null;
  }, 'the export');
  const gz = Buffer.from(await (await fetch(ready.links.archive)).arrayBuffer());
  return gunzipSync(gz).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
}

/** Seals edited records as a tool that edits archives on purpose would: file checksums, then the manifest. */
function seal(records: Rec[]): Buffer {
  const files = new Map<string, { hash: ReturnType<typeof createHash>; size: number }>();
  const out = records.filter((r) => r.type !== 'manifest').map((r) => {
    if (r.type === 'fileChunk') {
      const file = files.get(r.path) ?? { hash: createHash('sha256'), size: 0 };
      const bytes = Buffer.from(r.data, 'base64');
      file.hash.update(bytes);
      file.size += bytes.length;
      files.set(r.path, file);
    }
    if (r.type !== 'file') return r;
    const file = files.get(r.path);
    return { ...r, size: file?.size ?? 0, sha256: file ? file.hash.digest('hex') : createHash('sha256').digest('hex') };
  });
  const body = out.map((r) => `${JSON.stringify(r)}\n`).join('');
  const manifest: Rec = {
    ...records.at(-1), records: out.length + 1, recordsSha256: createHash('sha256').update(body).digest('hex'),
    files: out.filter((r) => r.type === 'file').map((r) => ({ path: r.path, size: r.size, sha256: r.sha256 })),
  };
  delete manifest.signature;
  return gzipSync(body + `${JSON.stringify(manifest)}\n`);
}

/** The bytes of one archived file as chunk records, in the archive's own chunk size. */
const chunksOf = (path: string, bytes: Buffer): Rec[] =>
  Array.from({ length: Math.ceil(bytes.length / FILE_CHUNK_BYTES) }, (_, index) => ({ type: 'fileChunk', path, index, data: bytes.subarray(index * FILE_CHUNK_BYTES, (index + 1) * FILE_CHUNK_BYTES).toString('base64') }));

/** Replaces the archive's one file (its attachment, chunks and file record) with these. */
function withFile(records: Rec[], attachment: Partial<Rec>, bytes: Buffer): Rec[] {
  const original = records.find((r) => r.type === 'attachment')!;
  const out: Rec[] = [];
  for (const r of records) {
    if (r.type === 'fileChunk' && r.path === original.path) continue;
    if (r.type === 'attachment' && r === original) out.push({ ...r, size: bytes.length, ...attachment });
    else if (r.type === 'file' && r.path === original.path) out.push(...chunksOf(r.path, bytes), r);
    else out.push(r);
  }
  return out;
}

/**
 * An import job for this archive, with no event: the test runs the worker's entry point itself,
 * which the stack would otherwise run for a requested import.
 */
async function importJob(importer: { userId: string }, cookie: Cookie, gz: Buffer) {
  useStackEnv();
  const uploadKey = await uploadArchive(cookie, gz);
  const importId = newId();
  const requestedAt = new Date().toISOString();
  await rawTable().send(new PutCommand({ TableName: inject('tableName'), Item: { pk: `groupimport#${importId}`, sk: 'job', gsi1pk: `imports#${importer.userId}`, gsi1sk: `${requestedAt}#${importId}`, type: 'groupImport', importId, userId: importer.userId, uploadKey, status: 'pending', requestedAt } }));
  const { importFromEvent } = await import('./group-import.ts');
  const event = { eventId: newId(), kind: 'GroupImportRequested' as const, at: requestedAt, data: { userId: importer.userId, importId } };
  return { importId, uploadKey, run: (hooks: Parameters<typeof importFromEvent>[1] = {}) => importFromEvent(event, hooks) };
}

const GUNZIP_CHUNK = 64 * 1024;

/** Memory by construction: each read held one line buffer of the line limit and gunzip chunks of 64 KB, and stopped at its limits. */
function expectBounded(reads: ReadStats[], expandedLimit = importLimits.expandedBytes) {
  expect(reads.length).toBeGreaterThan(0);
  for (const read of reads) {
    expect(read.lineBufferBytes).toBe(importLimits.lineBytes);
    expect(read.largestChunk).toBeLessThanOrEqual(GUNZIP_CHUNK);
    expect(read.longestLine).toBeLessThanOrEqual(importLimits.lineBytes);
    expect(read.expandedBytes).toBeLessThanOrEqual(expandedLimit + GUNZIP_CHUNK);
  }
}

/** Nothing of the refused archive was written: no item carries an id this import would have made, and the upload is gone. */
async function expectNothingImported(importId: string, sources: string[], uploadKey: string) {
  const derived = sources.map((old) => createHash('sha256').update(`${importId}|${old}`).digest('base64url').slice(0, 22));
  const items = await scanTable();
  expect(items.filter((i) => derived.some((id) => JSON.stringify(i).includes(id)))).toEqual([]);
  expect(items.filter((i) => i.type === 'handle' && String(i.groupId) && derived.includes(String(i.groupId)))).toEqual([]);
  expect(await uploadExists(uploadKey)).toBe(false);
}

/** A gzip stream of `total` bytes of repeated records, made of identical gzip members so it costs a few MB to build, whatever it expands to. */
function gzipBomb(header: Rec, total: number): Buffer {
  const line = `${JSON.stringify({ type: 'note', pad: 'x'.repeat(8 * 1024) })}\n`;
  const member = gzipSync(line.repeat(Math.ceil((16 * MB) / line.length)), { level: 9 });
  const expandedPerMember = Math.ceil((16 * MB) / line.length) * line.length;
  return Buffer.concat([gzipSync(`${JSON.stringify(header)}\n`), ...Array.from({ length: Math.ceil(total / expandedPerMember) }, () => member)]);
}

const pdf = Buffer.from('%PDF-1.4 minutes\n');

describe('hostile archives', () => {
  let admin: Awaited<ReturnType<typeof groupWithMembers>>['admin'];
  let records: Rec[];
  let sources: string[];

  beforeAll(async () => {
    const made = await groupWithMembers(0);
    admin = made.admin;
    const thread = (await api('POST', `/api/groups/${made.group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Minutes' } })).body;
    const upload = await api('POST', '/api/uploads', { cookie: admin.cookie, body: { filename: 'minutes.pdf', contentType: 'application/pdf', size: pdf.length } });
    const form = new FormData();
    for (const [k, v] of Object.entries(upload.body.fields as Record<string, string>)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'minutes.pdf');
    await fetch(upload.body.url, { method: 'POST', body: form });
    expect((await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Attached', attachmentIds: [upload.body.uploadId] } })).status).toBe(201);
    records = await exportRecords(admin.cookie, made.group.id);
    expect(records.filter((r) => r.type === 'file')).toHaveLength(1);
    sources = [made.group.id, thread.id.split('.')[1]!, upload.body.uploadId];
  });

  const big = (n: number) => Buffer.alloc(n, 0);
  const cases: Array<[string, () => Buffer, RegExp]> = [
    ['a file with no newlines', () => gzipSync(Buffer.alloc(3 * MB, 'a')), /Line 1: a line is longer than 2 MB/],
    ['a huge single line', () => gzipSync(`${JSON.stringify(records[0])}\n${JSON.stringify({ type: 'item', body: 'y'.repeat(3 * MB) })}\n`), /Line 2: a line is longer than 2 MB/],
    ['a truncated gzip stream', () => { const gz = seal(records); return gz.subarray(0, gz.length >> 1); }, /not a complete gzip stream/],
    ['binary garbage', () => randomBytes(256 * 1024), /not a complete gzip stream/],
    ['gzipped binary garbage', () => gzipSync(Buffer.concat([Buffer.from([0xff, 0xfe, 0x80]), randomBytes(256 * 1024)])), /Line 1 is not UTF-8 text/],
    ['deeply nested JSON', () => seal(records.map((r) => (r.type === 'item' ? { ...r, extra: JSON.parse(`${'['.repeat(2000)}${']'.repeat(2000)}`) } : r))), /nests deeper than 16 levels/],
    ['an attachment claiming image/svg+xml', () => seal(withFile(records, { contentType: 'image/svg+xml', filename: 'logo.svg' }, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'))), /"logo\.svg" is of a type Moot does not accept \(image\/svg\+xml\)/],
    ['an attachment claiming text/html', () => seal(withFile(records, { contentType: 'text/html' }, Buffer.from('<script>alert(1)</script>'))), /does not accept \(text\/html\)/],
    ['an attachment that says it is over 25 MB', () => seal(withFile(records, { size: 26 * MB }, pdf)), /is larger than 25 MB, the most an attachment may be/],
    ['an attachment whose bytes run over 25 MB while it says it is small', () => seal(withFile(records, { size: pdf.length }, big(26 * MB))), /The file .* is larger than 25 MB/],
  ];

  it.each(cases)('refuses %s with the reason in the report, in bounded memory, writing nothing and deleting the upload', async (_, build, reason) => {
    const job = await importJob(admin, admin.cookie, build());
    const reads: ReadStats[] = [];

    await job.run({ reads });

    const status = await api('GET', `/api/imports/${job.importId}`, { cookie: admin.cookie });
    expect(status.body.status).toBe('rejected');
    expect(status.body.report.problems.join(' ')).toMatch(reason);
    expectBounded(reads);
    await expectNothingImported(job.importId, sources, job.uploadKey);
  });

  it('refuses a gzip bomb once it has expanded past the limit, without reading the rest', async () => {
    // A small limit, so the bomb (a 1 GB expansion from a few MB) is stopped after 32 MB of it.
    const limit = 32 * MB;
    const gz = gzipBomb(records[0]!, 1024 * MB);
    expect(gz.length).toBeLessThan(4 * MB);
    const job = await importJob(admin, admin.cookie, gz);
    const reads: ReadStats[] = [];

    await job.run({ reads, limits: { expandedBytes: limit } });

    const status = await api('GET', `/api/imports/${job.importId}`, { cookie: admin.cookie });
    expect(status.body.status).toBe('rejected');
    expect(status.body.report.problems).toEqual(['The archive expands to more than 32 MB, the most an import reads.']);
    expectBounded(reads, limit);
    await expectNothingImported(job.importId, sources, job.uploadKey);
  });

  it('says what the default limits are: 4096 MB expanded, 2 MB a line, 25 MB a file', () => {
    expect(importLimits).toMatchObject({ expandedBytes: 4096 * MB, lineBytes: 2 * MB, fileBytes: 25 * MB });
  });

  it('imports names with unicode edge cases exactly, and serves their file as a download', async () => {
    const name = 'Ωmega 🗳️‍🌈 \u202Egnp.exe \u0301 \u0000 \uFEFF';
    // A long body of four-byte characters: gunzip's chunks end inside them.
    const body = `${'🗳️'.repeat(40_000)} end`;
    const filename = 'r\u00e9sum\u00e9 \u202Efdp.exe \ud800 \u0000.pdf';
    const edited = withFile(records, { filename }, pdf).map((r) => {
      if (r.type === 'group') return { ...r, name };
      if (r.type === 'item' && r.kind === 'comment') return { ...r, body, attachments: (r.attachments as Rec[]).map((a) => ({ ...a, filename })) };
      return r;
    });
    const job = await importJob(admin, admin.cookie, seal(edited));
    const reads: ReadStats[] = [];

    await job.run({ reads });

    const status = await api('GET', `/api/imports/${job.importId}`, { cookie: admin.cookie });
    expect(status.body.status, JSON.stringify(status.body.report)).toBe('done');
    expectBounded(reads);
    const root = status.body.report.groups[0];
    expect((await api('GET', `/api/groups/${root.id}`, { cookie: admin.cookie })).body.name).toBe(name);
    const newThread = status.body.report.ids[sources[1]!];
    const timeline = await api('GET', `/api/discussions/${root.id}.${newThread}`, { cookie: admin.cookie });
    const comment = (timeline.body.timeline.items as Rec[]).find((i) => i.kind === 'comment')!;
    expect(comment.body).toBe(body);
    const answer = await fetch(`${inject('appUrl')}${comment.attachments[0].url}`, { headers: { cookie: admin.cookie }, redirect: 'manual' });
    expect(answer.status).toBe(302);
    const file = await fetch(answer.headers.get('location')!);
    expect(file.headers.get('content-type')).toBe('application/octet-stream');
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename\*=UTF-8''r%C3%A9sum%C3%A9/);
    expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('streams an archived file of several parts into storage, whole', async () => {
    // 12 MB: three multipart parts, each sent as it fills, never the whole file at once.
    const bytes = randomBytes(12 * MB);
    const job = await importJob(admin, admin.cookie, seal(withFile(records, {}, bytes)));

    await job.run();

    const status = await api('GET', `/api/imports/${job.importId}`, { cookie: admin.cookie });
    expect(status.body.status, JSON.stringify(status.body.report)).toBe('done');
    const attachmentId = status.body.report.ids[sources[2]!];
    const answer = await fetch(`${inject('appUrl')}/api/attachments/${attachmentId}`, { headers: { cookie: admin.cookie }, redirect: 'manual' });
    const stored = Buffer.from(await (await fetch(answer.headers.get('location')!)).arrayBuffer());
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});

describe('an import that keeps failing', () => {
  it('is retried, then marked failed after its third attempt, shows as failed, and is not run again', async () => {
    const { admin, group } = await groupWithMembers(0);
    const importer = await signIn();
    const job = await importJob(importer, importer.cookie, seal(await exportRecords(admin.cookie, group.id)));
    const crash = { afterBatch: () => { throw new Error('worker crashed'); } };

    await expect(job.run(crash)).rejects.toThrow('worker crashed');
    await expect(job.run(crash)).rejects.toThrow('worker crashed');
    expect((await api('GET', `/api/imports/${job.importId}`, { cookie: importer.cookie })).body.status).toBe('pending');
    await job.run(crash);
    await job.run();

    const status = await api('GET', `/api/imports/${job.importId}`, { cookie: importer.cookie });
    expect(status.body).toMatchObject({ status: 'failed', finishedAt: expect.any(String) });
    expect((await scanTable()).find((i) => i.pk === `groupimport#${job.importId}`)).toMatchObject({ attempts: 3, status: 'failed' });
    expect((await api('GET', '/api/imports', { cookie: importer.cookie })).body.items[0]).toMatchObject({ id: job.importId, status: 'failed' });
    const newRoot = createHash('sha256').update(`${job.importId}|${group.id}`).digest('base64url').slice(0, 22);
    expect((await scanTable()).some((i) => i.type === 'handle' && i.groupId === newRoot)).toBe(false);
  });
});
