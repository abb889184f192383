import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { S3Client } from '@aws-sdk/client-s3';
import { config } from './config.ts';

/** DynamoDB requests and consumed capacity of one invocation. */
export interface DbUsage {
  requests: number;
  capacityUnits: number;
  operations: string[];
}

const usageStore = new AsyncLocalStorage<DbUsage>();

/**
 * Runs `fn` while counting its DynamoDB usage. Nested calls share the outermost counter, so the
 * local server (which wraps each request) sees what the handler inside it used.
 */
export async function withDbUsage<T>(fn: () => Promise<T>): Promise<{ result: T; usage: DbUsage }> {
  const existing = usageStore.getStore();
  if (existing) return { result: await fn(), usage: existing };
  const usage: DbUsage = { requests: 0, capacityUnits: 0, operations: [] };
  const result = await usageStore.run(usage, fn);
  return { result, usage };
}

const local = config.dynamoEndpoint
  ? { endpoint: config.dynamoEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
  : {};

const dynamo = new DynamoDBClient({ region: config.region, ...local });

// Every request asks for its consumed capacity and is counted, so benchmarks and logs can
// report round trips and capacity per API call without touching use-case code.
dynamo.middlewareStack.add(
  (next, context) => async (args) => {
    const input = args.input as Record<string, unknown>;
    if (!('ReturnConsumedCapacity' in input)) input.ReturnConsumedCapacity = 'TOTAL';
    const result = await next(args);
    const usage = usageStore.getStore();
    if (usage) {
      usage.requests += 1;
      usage.operations.push(context.commandName ?? 'unknown');
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
        usage.capacityUnits += (c as { CapacityUnits?: number }).CapacityUnits ?? 0;
      }
    }
    return result;
  },
  { step: 'initialize', name: 'mootDbUsage' },
);

export const db = DynamoDBDocumentClient.from(dynamo, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});

export const ses = new SESv2Client({
  region: config.sesRegion,
  ...(config.sesEndpoint
    ? { endpoint: config.sesEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
    : {}),
});

// WHEN_REQUIRED: without it streamed uploads are stored corrupted and presigned PUTs fail on real S3.
export const s3 = new S3Client({
  region: config.region,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
  ...(config.s3Endpoint
    ? // s3rver accepts only its own fixed key pair.
      { endpoint: config.s3Endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }
    : {}),
});
