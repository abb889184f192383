import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';

/**
 * What an operator with full access to a deployment's storage can read, taken straight from the
 * local services (never through the app): for tests that try to break a privacy promise.
 */

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const dynamoClient = () => new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: 'local', credentials });
const streamsClient = () => new DynamoDBStreamsClient({ endpoint: inject('dynamoEndpoint'), region: 'local', credentials });

/** The table's description and every stream DynamoDB lists for it (none when it has no stream). */
export async function streamsOf(TableName: string) {
  const dynamo = dynamoClient();
  const streams = streamsClient();
  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName }));
    const { Streams } = await streams.send(new ListStreamsCommand({ TableName }));
    return { specification: Table?.StreamSpecification, latestStreamArn: Table?.LatestStreamArn, streams: Streams ?? [] };
  } finally {
    dynamo.destroy();
    streams.destroy();
  }
}

/**
 * Every record the table's stream still holds, from the trim horizon of every shard, in shard and
 * sequence order. A shard that is still open is read until it has nothing more.
 */
export async function streamRecords(TableName: string): Promise<_Record[]> {
  const dynamo = dynamoClient();
  const streams = streamsClient();
  try {
    const StreamArn = (await dynamo.send(new DescribeTableCommand({ TableName }))).Table?.LatestStreamArn;
    if (!StreamArn) throw new Error(`${TableName} has no stream`);
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn, ExclusiveStartShardId: start }));
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    const records: _Record[] = [];
    for (const shard of shards) {
      let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const got = page.Records ?? [];
        records.push(...got);
        // An open shard always hands back a next iterator; an empty page means it is read to its end.
        iterator = got.length ? page.NextShardIterator : undefined;
      }
    }
    return records;
  } finally {
    dynamo.destroy();
    streams.destroy();
  }
}

/** Every object in every bucket of the S3 emulator, gzipped ones unpacked, as text. */
export async function allStoredObjects(): Promise<Array<{ bucket: string; key: string; text: string }>> {
  const s3 = new S3Client({
    // s3rver accepts only its own fixed key pair.
    endpoint: inject('s3Endpoint'), region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    const objects: Array<{ bucket: string; key: string; text: string }> = [];
    const { Buckets } = await s3.send(new ListBucketsCommand({}));
    for (const { Name: bucket } of Buckets ?? []) {
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket!, ContinuationToken: token }));
        for (const { Key: key } of page.Contents ?? []) {
          const got = await s3.send(new GetObjectCommand({ Bucket: bucket!, Key: key! }));
          const bytes = Buffer.from(await got.Body!.transformToByteArray());
          const plain = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
          objects.push({ bucket: bucket!, key: key!, text: plain.toString('utf8') });
        }
        token = page.NextContinuationToken;
      } while (token);
    }
    return objects;
  } finally {
    s3.destroy();
  }
}

/** Everything the stack's handlers have logged so far, one entry per line. */
export const logLines = (): string[] => readFileSync(inject('logFile'), 'utf8').split('\n').filter(Boolean);

/** Every message the SES emulator holds, whole. */
export async function allEmails(): Promise<unknown[]> {
  const store = (await (await fetch(`${inject('mailUrl')}/store`)).json()) as { emails: unknown[] };
  return store.emails;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function fromBase32(text: string): Buffer {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    buffer = (buffer << 5) | BASE32.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bytes.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return Buffer.from(bytes);
}

/** Digests are compared on their first 12 bytes (a rev is 12), which covers every spelling and any longer cut. */
const PREFIX = 12;

/**
 * The values to look for (ballot keys in hex, revs in base64url, receipts in base32), as the hex
 * of their first bytes, so one lookup per digest finds it however the value is spelled.
 */
export function byteTargets(values: string[]): Set<string> {
  return new Set(
    values.map((v) => {
      const bytes = /^[0-9a-f]+$/.test(v) && v.length % 2 === 0 ? Buffer.from(v, 'hex') : /^[A-Z2-7]{32}$/.test(v) ? fromBase32(v) : Buffer.from(v, 'base64url');
      if (bytes.length < PREFIX) throw new Error(`${v} is too short to look for`);
      return bytes.subarray(0, PREFIX).toString('hex');
    }),
  );
}

/**
 * Hashes each message the ways an operator would, SHA-256 and HMAC-SHA256 under each key (the
 * secret as text, as the bytes its base64url names, and an empty key), and looks each digest up
 * in `targets` (from `byteTargets`). Returns how many digests were tried and which ones hit, and how.
 */
export function matchDigests(messages: string[], secrets: Record<string, string>, targets: Set<string>): { tried: number; hits: string[] } {
  const keys: Array<[string, string | Buffer]> = [['an empty key', '']];
  for (const [name, secret] of Object.entries(secrets)) {
    if (secret) keys.push([name, secret], [`${name} (bytes)`, Buffer.from(secret, 'base64url')]);
  }
  let tried = 0;
  const hits: string[] = [];
  const look = (digest: Buffer, how: string) => {
    tried++;
    if (targets.has(digest.subarray(0, PREFIX).toString('hex'))) hits.push(`${how} = ${digest.toString('hex')}`);
  };
  for (const message of messages) {
    look(createHash('sha256').update(message).digest(), `SHA-256(${message})`);
    for (const [name, key] of keys) look(createHmac('sha256', key).update(message).digest(), `HMAC(${name}, ${message})`);
  }
  return { tried, hits };
}

/**
 * The messages a curious operator would hash for one voter in one poll: the voter's identifiers
 * and the poll's ids joined every likely way.
 */
export function linkageMessages(voter: string[], poll: string[]): string[] {
  const out = new Set<string>();
  const separators = ['|', '#', ':', '.', '', '/', ','];
  const prefixes = ['', 'ballot', 'vote', 'voter', 'receipt', 'anonymous'];
  for (const v of voter) {
    out.add(v);
    for (const p of poll) {
      for (const s of separators) {
        for (const prefix of prefixes) {
          const head = prefix ? `${prefix}${s}` : '';
          out.add(`${head}${p}${s}${v}`);
          out.add(`${head}${v}${s}${p}`);
        }
      }
    }
  }
  return [...out];
}
