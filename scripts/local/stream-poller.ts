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

  async function deliver(records: _Record[]) {
    const event = {
      Records: records.map((r) => ({ ...r, eventSource: 'aws:dynamodb', eventSourceARN: streamArn })),
    } as unknown as DynamoDBStreamEvent;
    const result = await handler(event);
    if (result.batchItemFailures.length) console.error(`stream worker reported ${result.batchItemFailures.length} failed record(s)`);
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
