import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, inject, it } from 'vitest';
import { api, scanTable } from '../../scripts/test-support/api.ts';
import { groupWithMembers } from '../../scripts/test-support/groups.ts';

const s3 = () => new S3Client({ endpoint: inject('s3Endpoint'), region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
const stored = (key: string) => s3().send(new HeadObjectCommand({ Bucket: 'moot-uploads', Key: key })).then(() => true, () => false);
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

async function attach(cookie: string, threadId: string, files: Array<{ name: string; type: string; bytes: Buffer }>, extra: Record<string, unknown> = {}) {
  const ids: string[] = [];
  for (const file of files) {
    const requested = await api('POST', '/api/uploads', { cookie, body: { filename: file.name, contentType: file.type, size: file.bytes.length } });
    expect(requested.status).toBe(201);
    const form = new FormData();
    for (const [k, v] of Object.entries(requested.body.fields as Record<string, string>)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
    expect((await fetch(requested.body.url, { method: 'POST', body: form })).status).toBeLessThan(300);
    ids.push(requested.body.uploadId);
  }
  const posted = await api('POST', `/api/discussions/${threadId}/comments`, { cookie, body: { body: 'Files attached', attachmentIds: ids, ...extra } });
  expect(posted.status).toBe(201);
  return posted.body;
}

/** The download route's answer: where it sends the browser, and what that link asks storage to say. */
async function download(cookie: string, url: string) {
  const answer = await fetch(`${inject('appUrl')}${url}`, { headers: { cookie }, redirect: 'manual' });
  if (answer.status !== 302) return { status: answer.status };
  const location = new URL(answer.headers.get('location')!);
  const file = await fetch(location);
  return {
    status: answer.status,
    asked: { type: location.searchParams.get('response-content-type'), disposition: location.searchParams.get('response-content-disposition') },
    served: { type: file.headers.get('content-type'), disposition: file.headers.get('content-disposition') },
    bytes: Buffer.from(await file.arrayBuffer()),
  };
}

async function threadIn(cookie: string, groupId: string) {
  return (await api('POST', `/api/groups/${groupId}/discussions`, { cookie, body: { title: 'Papers' } })).body;
}

describe('attachment downloads', () => {
  it.each([
    ['a PNG', 'inline, as itself', { name: 'photo.png', type: 'image/png', bytes: png }, 'inline', 'image/png', true],
    ['a PDF', 'as an opaque download', { name: 'minutes.pdf', type: 'application/pdf', bytes: Buffer.from('%PDF-1.4 tiny\n') }, 'attachment', 'application/octet-stream', false],
    ['a text file holding HTML', 'as an opaque download', { name: 'page.txt', type: 'text/plain', bytes: Buffer.from('<script>alert(1)</script>') }, 'attachment', 'application/octet-stream', false],
    ['a CSV', 'as an opaque download', { name: 'budget.csv', type: 'text/csv', bytes: Buffer.from('a,b\n1,2\n') }, 'attachment', 'application/octet-stream', false],
  ])('serves %s %s, and shows it in the page only if it is a raster image', async (_, __, file, disposition, type, image) => {
    const { admin, group } = await groupWithMembers(0);
    const thread = await threadIn(admin.cookie, group.id);
    const comment = await attach(admin.cookie, thread.id, [file]);

    const got = await download(admin.cookie, comment.attachments[0].url);

    expect(comment.attachments[0].image).toBe(image);
    expect(got.status).toBe(302);
    expect(got.asked).toEqual({ type, disposition: `${disposition}; filename*=UTF-8''${encodeURIComponent(file.name)}` });
    expect(got.served!.type).toBe(type);
    expect(got.served!.disposition).toMatch(new RegExp(`^${disposition};`));
    expect(got.bytes!.equals(file.bytes)).toBe(true);
  });
});

describe('a deleted comment\u2019s files', () => {
  it.each([
    ['a comment without replies (removed)', false],
    ['a comment with a reply (left as a placeholder)', true],
  ])('are no longer served, and are deleted from storage, for %s', async (_, withReply) => {
    const { admin, group, members } = await groupWithMembers(1);
    const thread = await threadIn(admin.cookie, group.id);
    const comment = await attach(admin.cookie, thread.id, [{ name: 'a.pdf', type: 'application/pdf', bytes: Buffer.from('%PDF-1.4 a\n') }, { name: 'b.png', type: 'image/png', bytes: png }]);
    if (withReply) expect((await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: members[0]!.cookie, body: { body: 'A reply', parentId: comment.id } })).status).toBe(201);
    const ids = comment.attachments.map((a: { id: string }) => a.id);
    const objectKeys = (await scanTable()).filter((i) => i.type === 'attachment' && ids.includes(i.attachmentId)).map((i) => String(i.key));
    expect(objectKeys).toHaveLength(2);
    expect((await download(members[0]!.cookie, comment.attachments[0].url)).status).toBe(302);

    expect((await api('DELETE', `/api/comments/${comment.id}`, { cookie: admin.cookie })).status).toBe(204);

    for (const attachment of comment.attachments) {
      expect((await download(admin.cookie, attachment.url)).status).toBe(404);
      expect((await download(members[0]!.cookie, attachment.url)).status).toBe(404);
    }
    for (const key of objectKeys) expect(await stored(key)).toBe(false);
    expect((await scanTable()).filter((i) => i.type === 'attachment' && ids.includes(i.attachmentId))).toEqual([]);
    const timeline = await api('GET', `/api/discussions/${thread.id}`, { cookie: members[0]!.cookie });
    expect(JSON.stringify(timeline.body)).not.toContain(ids[0]);
  });
});
