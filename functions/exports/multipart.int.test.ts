import { createHash, randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { useStackEnv } from '../../scripts/test-support/api.ts';

type Multipart = typeof import('./multipart.ts');
let m: Multipart;
let s3: typeof import('../lib/clients.ts')['s3'];
const bucket = 'moot-exports';
const stored = async (key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Text that compresses poorly, so the gzip stream also spans several parts. */
const noisyLine = () => `${randomBytes(600).toString('base64')}\n`;

beforeAll(async () => {
  useStackEnv();
  m = await import('./multipart.ts');
  s3 = (await import('../lib/clients.ts')).s3;
});

describe('streamed uploads', () => {
  it('stores a 12 MiB object written in lines and in large buffers as three parts, byte for byte, with its SHA-256', async () => {
    const key = `test/${randomBytes(8).toString('hex')}/plain.txt`;
    const upload = new m.ObjectUpload(bucket, key, 'text/plain');
    const written: Buffer[] = [];
    for (let size = 0; size < 12 * 2 ** 20;) {
      const piece = written.length % 50 === 49 ? randomBytes(3 * 2 ** 20) : Buffer.from(noisyLine());
      written.push(piece);
      size += piece.length;
      await upload.write(piece.length > 2 ** 20 ? piece : piece.toString());
    }
    const result = await upload.close();
    const all = Buffer.concat(written);
    const got = await stored(key);
    expect(got.equals(all)).toBe(true);
    expect(result).toEqual({ bytes: all.length, sha256: sha256(all) });
    expect(upload.partCount).toBe(3);
  });

  it('keeps a buffer sized for a small object at that size when exactly that much is written, and stores it in one request', async () => {
    const key = `test/${randomBytes(8).toString('hex')}/small.txt`;
    const upload = new m.ObjectUpload(bucket, key, 'text/plain', 1000);
    const all = randomBytes(1000);
    await upload.write(all.subarray(0, 400));
    await upload.write(all.subarray(400));
    await upload.close();
    expect(upload.bufferBytes).toBe(1000);
    expect(upload.partCount).toBe(0);
    expect((await stored(key)).equals(all)).toBe(true);
  });

  it('fails a gzip upload whose part cannot be stored with the storage error, without hanging, and aborts cleanly', async () => {
    const upload = new m.GzipUpload('no-such-bucket', `test/${randomBytes(8).toString('hex')}/lost.gz`);
    const writeAll = async () => {
      for (let i = 0; i < 20_000; i++) await upload.write(noisyLine());
      await upload.close();
    };
    await expect(writeAll()).rejects.toThrow(/bucket/i);
    await expect(upload.write('more')).rejects.toThrow(/bucket/i);
    await expect(upload.abort()).resolves.toBeUndefined();
  }, 30_000);

  it('gzips a stream larger than a part into S3 and reports the checksum of the stored bytes', async () => {
    const key = `test/${randomBytes(8).toString('hex')}/lines.ndjson.gz`;
    const upload = new m.GzipUpload(bucket, key);
    const lines: string[] = [];
    for (let i = 0; i < 14_000; i++) lines.push(noisyLine());
    for (const line of lines) await upload.write(line);
    const result = await upload.close();
    const got = await stored(key);
    expect(got.length).toBeGreaterThan(m.PART_BYTES);
    expect(result).toEqual({ bytes: got.length, sha256: sha256(got) });
    expect(gunzipSync(got).toString()).toBe(lines.join(''));
  });

  it('uploads a spooled file after it is written, and removes the spool folder', async () => {
    const folder = await m.SpooledObject.folder();
    const spool = m.SpooledObject.in(folder, 'rows.csv');
    const rows: string[] = [];
    for (let i = 0; i < 9_000; i++) rows.push(`${i},${noisyLine()}`);
    for (const row of rows) await spool.write(row);
    const key = `test/${randomBytes(8).toString('hex')}/rows.csv`;
    const result = await spool.upload(bucket, key, 'text/csv');
    await m.removeSpool(folder);
    const got = await stored(key);
    expect(got.toString()).toBe(rows.join(''));
    expect(result.sha256).toBe(sha256(got));
    const { access } = await import('node:fs/promises');
    await expect(access(folder)).rejects.toThrow();
  });

  it('grows a buffer sized for a smaller object into whole parts when more arrives', async () => {
    const key = `test/${randomBytes(8).toString('hex')}/undersized.txt`;
    const upload = new m.ObjectUpload(bucket, key, 'text/plain', 1000);
    const all = randomBytes(m.PART_BYTES * 2 + 123);
    for (let i = 0; i < all.length; i += 700_000) await upload.write(all.subarray(i, i + 700_000));
    const result = await upload.close();
    expect((await stored(key)).equals(all)).toBe(true);
    expect(result.sha256).toBe(sha256(all));
  });
});
