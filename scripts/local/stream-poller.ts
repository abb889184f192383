import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { localCredentials } from './dynamo.ts';

type StreamHandler = (event: DynamoDBStreamEvent) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;

/**
 * Reads the local table's stream and hands each batch to the same worker handler the cloud's
 * event source mapping calls. Existing shards start at LATEST; shards that appear later
 * (DynamoDB Local rolls them) start at TRIM_HORIZON so nothing in between is missed.
 */
export function startStreamPoller(endpoint: string, tableName: string, handler: StreamHandler, intervalMs = 200) {
  const dynamo = new DynamoDBClient({ endpoint, region: 'local', credentials: localCredentials });
  const streams = new DynamoDBStreamsClient({ endpoint, region: 'local', credentials: localCredentials });
  const iterators = new Map<string, string | null>();
  let stopped = false;
  let streamArn: string | undefined;
  let first = true;

  async function discover() {
    streamArn ??= (await dynamo.send(new DescribeTableCommand({ TableName: tableName }))).Table?.LatestStreamArn;
    if (!streamArn) return;
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: first ? 'LATEST' : 'TRIM_HORIZON',
        }),
      );
      iterators.set(shard.ShardId, ShardIterator ?? null);
    }
    first = false;
  }

  async function tick() {
    await discover();
    for (const [shardId, iterator] of iterators) {
      if (!iterator) continue;
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      const records = page.Records ?? [];
      if (records.length) await deliver(records);
      iterators.set(shardId, page.NextShardIterator ?? null);
    }
  }

  // Like the cloud's event source mapping: a reported failure is retried from that record on
  // (bisecting to it), a few times, then skipped with an error, so one bad record cannot stall the stream.
  async function deliver(records: _Record[], attempt = 0): Promise<void> {
    const event = {
      Records: records.map((r) => ({ ...r, dynamodb: normalizeImages(r.dynamodb), eventSource: 'aws:dynamodb', eventSourceARN: streamArn })),
    } as unknown as DynamoDBStreamEvent;
    const result = await handler(event);
    const failed = result.batchItemFailures[0]?.itemIdentifier;
    if (!failed) return;
    const from = records.findIndex((r) => r.dynamodb?.SequenceNumber === failed);
    if (attempt >= 3) {
      console.error(`stream worker: record ${failed} failed ${attempt + 1} times; skipping it`);
      if (from >= 0 && from + 1 < records.length) await deliver(records.slice(from + 1));
      return;
    }
    await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    await deliver(from >= 0 ? records.slice(from) : records, attempt + 1);
  }

  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => (stopped ? undefined : tick())).catch((error: Error) => {
      if (!stopped) console.error(`stream poller: ${error.message}`);
    });
  }, intervalMs);

  return {
    /** Waits for the current tick, then stops. */
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      dynamo.destroy();
      streams.destroy();
    },
    /** Resolves after one full poll cycle (tests use it to wait for deliveries). */
    flush: () => (running = running.then(tick)),
  };
}

/**
 * The Streams client deserializes an empty map attribute as `{}` (no type), which the Lambda
 * event (and unmarshall) would carry as `{"M":{}}`. Restore that, so local events match the cloud's.
 */
function normalizeImages<T>(change: T): T {
  if (!change) return change;
  const fix = (value: unknown): unknown => {
    if (!value || typeof value !== 'object') return value;
    const attribute = value as Record<string, unknown>;
    if (Object.keys(attribute).length === 0) return { M: {} };
    if (attribute.M) return { M: Object.fromEntries(Object.entries(attribute.M as object).map(([k, v]) => [k, fix(v)])) };
    if (attribute.L) return { L: (attribute.L as unknown[]).map(fix) };
    return attribute;
  };
  const image = (map: unknown) => (map ? Object.fromEntries(Object.entries(map as object).map(([k, v]) => [k, fix(v)])) : map);
  const c = change as Record<string, unknown>;
  return { ...c, NewImage: image(c.NewImage), OldImage: image(c.OldImage), Keys: image(c.Keys) } as T;
}
