import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { s3 } from '../lib/clients.ts';

/** The smallest part S3 takes (all but the last part): the one buffer an upload holds. */
export const PART_BYTES = 5 * 1024 * 1024;

/**
 * An object written straight into S3 with a multipart upload, through one reusable part buffer:
 * strings are encoded into it in place, each full buffer is sent as a part, and the next write
 * waits for that, so an object of any size costs one part of memory and makes no garbage per
 * write. Small objects end as a single PutObject. The SHA-256 and size of the stored bytes are
 * known at the end.
 */
export class ObjectUpload {
  readonly bucket: string;
  readonly key: string;
  private readonly contentType: string;
  private readonly hash = createHash('sha256');
  private part: Buffer;
  private filled = 0;
  private uploadId: string | undefined;
  private parts: Array<{ ETag: string; PartNumber: number }> = [];
  bytes = 0;

  /** `expectedBytes`, when known, sizes the buffer for an object smaller than a part. */
  constructor(bucket: string, key: string, contentType: string, expectedBytes = PART_BYTES) {
    this.bucket = bucket;
    this.key = key;
    this.contentType = contentType;
    this.part = Buffer.allocUnsafe(Math.max(1, Math.min(PART_BYTES, expectedBytes)));
  }

  /** The part buffer's size: a whole part, or less for an object known to be smaller. */
  get bufferBytes(): number {
    return this.part.length;
  }

  /** Parts sent so far (none for an object that ends as one PutObject). */
  get partCount(): number {
    return this.parts.length;
  }

  async write(data: string | Uint8Array): Promise<void> {
    if (typeof data === 'string') {
      const length = Buffer.byteLength(data);
      if (length && this.filled === this.part.length) await this.makeRoom();
      // Most writes are lines far smaller than a part: encode them in place.
      if (length <= this.part.length - this.filled) {
        this.filled += this.part.write(data, this.filled);
        return;
      }
      data = Buffer.from(data);
    }
    for (let offset = 0; offset < data.length;) {
      if (this.filled === this.part.length) await this.makeRoom();
      const n = Math.min(data.length - offset, this.part.length - this.filled);
      this.part.set(data.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
    }
  }

  /**
   * Called when the buffer is full and more bytes are coming: a whole part is sent; a buffer
   * sized for a smaller object grows to a whole part (S3 takes no smaller part but the last).
   */
  private async makeRoom(): Promise<void> {
    if (this.part.length === PART_BYTES) return this.sendPart();
    const grown = Buffer.allocUnsafe(PART_BYTES);
    this.part.copy(grown);
    this.part = grown;
  }

  private filledBytes(): Buffer {
    const body = this.part.subarray(0, this.filled);
    this.hash.update(body);
    this.bytes += body.length;
    this.filled = 0;
    return body;
  }

  private async sendPart(): Promise<void> {
    this.uploadId ??= (await s3.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, ContentType: this.contentType }))).UploadId!;
    const PartNumber = this.parts.length + 1;
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId, PartNumber, Body: this.filledBytes() }));
    this.parts.push({ ETag: ETag!, PartNumber });
  }

  /** Finishes the object; returns the stored size and SHA-256 (hex). */
  async close(): Promise<{ bytes: number; sha256: string }> {
    if (!this.uploadId) {
      await s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: this.filledBytes(), ContentType: this.contentType }));
    } else {
      if (this.filled) await this.sendPart();
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId, MultipartUpload: { Parts: this.parts } }));
    }
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  async abort(): Promise<void> {
    if (this.uploadId) await s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId })).catch(() => undefined);
  }
}

/**
 * A gzip stream written into an {@link ObjectUpload}. One loop moves compressed chunks into the
 * upload; while it waits for a part to be sent, gzip's buffers fill and `write` waits for them
 * to drain, so memory stays at one part plus gzip's window. A failed part fails the next `write`
 * or `close` with its own error.
 */
export class GzipUpload {
  private readonly upload: ObjectUpload;
  private readonly gzip = createGzip();
  private readonly pump: Promise<void>;
  private failure: unknown = null;

  constructor(bucket: string, key: string, contentType = 'application/gzip') {
    this.upload = new ObjectUpload(bucket, key, contentType);
    // Errors reach the caller through `failure`; a stream error with no listener would end the process.
    this.gzip.on('error', (error) => (this.failure ??= error));
    this.pump = this.move();
    this.pump.catch(() => undefined);
  }

  private async move(): Promise<void> {
    try {
      // The stream stays open if the loop throws, so a waiting `write` is released by the race below.
      for await (const chunk of this.gzip.iterator({ destroyOnReturn: false })) await this.upload.write(chunk as Buffer);
    } catch (error) {
      this.failure ??= error;
      throw error;
    }
  }

  get key(): string {
    return this.upload.key;
  }

  async write(data: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.gzip.write(data)) {
      await Promise.race([once(this.gzip, 'drain'), this.pump]).catch(async (error: unknown) => {
        await this.pump.catch(() => undefined);
        throw this.failure ?? error;
      });
    }
    if (this.failure) throw this.failure;
  }

  /** Finishes the object; returns the stored (compressed) size and SHA-256 (hex). */
  async close(): Promise<{ bytes: number; sha256: string }> {
    if (this.failure) throw this.failure;
    this.gzip.end();
    await this.pump;
    return this.upload.close();
  }

  /** Stops the stream, lets a part in flight finish, then aborts the multipart upload. */
  async abort(): Promise<void> {
    this.gzip.destroy();
    await this.pump.catch(() => undefined);
    await this.upload.abort();
  }
}

/**
 * Text written to a file in the function's temporary storage, for objects that are built side by
 * side with another (the group export's CSV and HTML companions): each is uploaded afterwards,
 * one at a time, so only one part buffer is ever in memory.
 */
export class SpooledObject {
  private readonly file: WriteStream;
  readonly path: string;
  private failure: unknown = null;

  private constructor(path: string) {
    this.path = path;
    this.file = createWriteStream(path);
    // A full or failing disk fails the next write; a stream error with no listener would end the process.
    this.file.on('error', (error) => (this.failure ??= error));
  }

  /** A folder for one job's spooled files; remove it with {@link removeSpool}. */
  static folder(): Promise<string> {
    return mkdtemp(join(tmpdir(), 'moot-'));
  }

  static in(folder: string, name: string): SpooledObject {
    return new SpooledObject(join(folder, name));
  }

  async write(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.file.write(text)) await once(this.file, 'drain');
  }

  /** Closes the file and streams it into the bucket. */
  async upload(bucket: string, key: string, contentType: string): Promise<{ bytes: number; sha256: string }> {
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve, reject) => this.file.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const file = await open(this.path);
    let upload: ObjectUpload | undefined;
    // One reused read buffer: `write` has copied it by the time it resolves.
    const chunk = Buffer.allocUnsafe(256 * 1024);
    try {
      upload = new ObjectUpload(bucket, key, contentType, (await file.stat()).size);
      for (let n; (n = (await file.read(chunk, 0, chunk.length, null)).bytesRead) > 0;) await upload.write(chunk.subarray(0, n));
      return await upload.close();
    } catch (error) {
      await upload?.abort();
      throw error;
    } finally {
      await file.close();
    }
  }

  close(): void {
    this.file.destroy();
  }
}

export const removeSpool = (folder: string): Promise<void> => rm(folder, { recursive: true, force: true });
