import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { s3 } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { INTERNAL_ATTRIBUTES } from '../lib/entities.ts';
import { sizeInWords, type ImportLimits } from './limits.ts';

/** An archive that fails a check: the import is refused with this reason, before anything is written. */
export class Rejected extends Error {}

export type ArchiveRecord = Record<string, any>;

/** Bytes gunzip hands over at a time: the only other buffer a read holds besides the line. */
const GUNZIP_CHUNK = 64 * 1024;

/** What one read of an archive held and saw, for the import's log and for tests. */
export interface ReadStats {
  /** The line buffer's size, fixed when the read starts: `lineBytes`. */
  lineBufferBytes: number;
  /** The most bytes gunzip handed over at once. */
  largestChunk: number;
  /** The longest line read, in bytes. */
  longestLine: number;
  expandedBytes: number;
  lines: number;
}

/** How deeply a parsed value nests, counted without recursion, and only up to `limit + 1`. */
function depthOver(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(v)) if (child && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * The lines of a gzip NDJSON stream, parsed, one at a time, in bounded memory: one line buffer of
 * `lineBytes`, allocated once, and gunzip's chunks. A longer line, more expanded bytes than
 * `expandedBytes`, bytes that are not UTF-8, a record that is not a JSON object or nests too
 * deeply, a damaged gzip stream or a cut-off last line is a rejection that says which.
 */
export async function* archiveLines(body: Readable, limits: ImportLimits, stats: ReadStats = newStats()): AsyncGenerator<{ n: number; text: string; record: ArchiveRecord }> {
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
  const piped = pipeline(body, gunzip).catch(() => undefined);
  const line = Buffer.allocUnsafe(limits.lineBytes);
  stats.lineBufferBytes = line.length;
  // `fatal`: bytes that are not UTF-8 are refused rather than silently replaced, so a line's text
  // is exactly its bytes (the manifest's checksum is of the bytes); `ignoreBOM` keeps a leading BOM.
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let filled = 0;
  let n = 0;
  const parse = (length: number) => {
    n++;
    stats.lines = n;
    stats.longestLine = Math.max(stats.longestLine, length);
    let text: string;
    try {
      text = utf8.decode(line.subarray(0, length));
    } catch {
      throw new Rejected(`Line ${n} is not UTF-8 text: this is not a Moot archive, or it is damaged.`);
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      throw new Rejected(`Line ${n} is not a JSON record: the archive is damaged or truncated.`);
    }
    if (!record || typeof record !== 'object' || Array.isArray(record)) throw new Rejected(`Line ${n} is not a JSON record: the archive is damaged or truncated.`);
    if (depthOver(record, limits.depth)) throw new Rejected(`Line ${n} nests deeper than ${limits.depth} levels: no Moot record does.`);
    // Keys and index attributes decide where an item is listed and what the scheduler runs, so a
    // crafted archive must not set them: each record's own are derived again on import.
    for (const name of [...INTERNAL_ATTRIBUTES, 'ip']) delete (record as ArchiveRecord)[name];
    return { n, text, record: record as ArchiveRecord };
  };
  try {
    try {
      for await (const chunk of gunzip) {
        const bytes = chunk as Buffer;
        stats.largestChunk = Math.max(stats.largestChunk, bytes.length);
        stats.expandedBytes += bytes.length;
        if (stats.expandedBytes > limits.expandedBytes) throw new Rejected(`The archive expands to more than ${sizeInWords(limits.expandedBytes)}, the most an import reads.`);
        for (let offset = 0; offset < bytes.length;) {
          const at = bytes.indexOf(10, offset);
          const end = at < 0 ? bytes.length : at;
          if (filled + end - offset > line.length) throw new Rejected(`Line ${n + 1}: a line is longer than ${sizeInWords(line.length)}, which no Moot record is.`);
          bytes.copy(line, filled, offset, end);
          filled += end - offset;
          offset = end;
          if (at < 0) break;
          offset++;
          const length = filled;
          filled = 0;
          yield parse(length);
        }
      }
    } catch (error) {
      if (error instanceof Rejected) throw error;
      throw new Rejected('The archive is not a complete gzip stream: it is truncated or damaged.');
    }
    await piped;
    if (filled) throw new Rejected(`Line ${n + 1} is cut off: the archive is truncated.`);
  } finally {
    // Stopped early (refused, or the caller stopped): let go of the download too.
    gunzip.destroy();
    body.destroy();
  }
}

export const newStats = (): ReadStats => ({ lineBufferBytes: 0, largestChunk: 0, longestLine: 0, expandedBytes: 0, lines: 0 });

/**
 * An uploaded archive, read from the uploads bucket as often as the import needs. Every read after
 * the first is pinned to the object the first one read (If-Match on its ETag), so the archive
 * that was checked is the one that is written, even if its key is uploaded to again meanwhile.
 */
export class UploadedArchive {
  private etag: string | undefined;
  reads: ReadStats[] = [];

  readonly uploadKey: string;
  readonly limits: ImportLimits;

  constructor(uploadKey: string, limits: ImportLimits) {
    this.uploadKey = uploadKey;
    this.limits = limits;
  }

  async *lines(): AsyncGenerator<{ n: number; text: string; record: ArchiveRecord }> {
    const got = await s3.send(new GetObjectCommand({ Bucket: config.uploadsBucket, Key: this.uploadKey, IfMatch: this.etag })).catch((error: unknown) => {
      if (this.etag) throw error;
      return null;
    });
    if (!got?.Body) throw new Rejected('The uploaded archive is gone. Upload it again.');
    this.etag ??= got.ETag;
    const stats = newStats();
    this.reads.push(stats);
    yield* archiveLines(got.Body as Readable, this.limits, stats);
  }
}
