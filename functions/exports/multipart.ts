import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { createGzip, type Gzip } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { s3 } from '../lib/clients.ts';

/** S3 wants parts of at least 5 MiB (all but the last); 8 MiB keeps memory small and requests few. */
export const PART_BYTES = 8 * 1024 * 1024;
/** The smallest part S3 takes: for exports that write several objects side by side. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/**
 * A gzip stream written straight into S3 with a multipart upload, so an archive of any size costs
 * about one part of memory. Small archives end as a single PutObject. The SHA-256 and size of the
 * stored (compressed) bytes are known at the end. With `gzip: false` the bytes are stored as
 * written (the group export's CSV and HTML companions).
 */
export class GzipUpload {
  readonly bucket: string;
  readonly key: string;
  private readonly contentType: string;
  private readonly gzip: Gzip | null;
  private readonly hash = createHash('sha256');
  private chunks: Buffer[] = [];
  private pending = 0;
  private uploadId: string | undefined;
  private parts: Array<{ ETag: string; PartNumber: number }> = [];
  bytes = 0;

  private readonly partBytes: number;

  constructor(bucket: string, key: string, options: { gzip?: boolean; contentType?: string; partBytes?: number } = {}) {
    this.bucket = bucket;
    this.key = key;
    this.partBytes = options.partBytes ?? PART_BYTES;
    this.gzip = options.gzip === false ? null : createGzip();
    this.contentType = options.contentType ?? 'application/gzip';
    this.gzip?.on('data', (chunk: Buffer) => this.accept(chunk));
  }

  private accept(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.pending += chunk.length;
    this.bytes += chunk.length;
    this.hash.update(chunk);
  }

  async write(data: string | Buffer): Promise<void> {
    if (this.gzip) {
      if (!this.gzip.write(data)) await once(this.gzip, 'drain');
    } else {
      this.accept(typeof data === 'string' ? Buffer.from(data) : data);
    }
    if (this.pending >= this.partBytes) await this.sendPart();
  }

  private take(): Buffer {
    const body = Buffer.concat(this.chunks);
    this.chunks = [];
    this.pending = 0;
    return body;
  }

  private async sendPart(): Promise<void> {
    this.uploadId ??= (await s3.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, ContentType: this.contentType }))).UploadId!;
    const PartNumber = this.parts.length + 1;
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId, PartNumber, Body: this.take() }));
    this.parts.push({ ETag: ETag!, PartNumber });
  }

  /** Finishes the object; returns the stored size and SHA-256 (hex). */
  async close(): Promise<{ bytes: number; sha256: string }> {
    if (this.gzip) {
      const ended = once(this.gzip, 'end');
      this.gzip.end();
      await ended;
    }
    if (!this.uploadId) {
      await s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key, Body: this.take(), ContentType: this.contentType }));
    } else {
      if (this.pending) await this.sendPart();
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId, MultipartUpload: { Parts: this.parts } }));
    }
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  async abort(): Promise<void> {
    this.gzip?.destroy();
    if (this.uploadId) await s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId })).catch(() => undefined);
  }
}
