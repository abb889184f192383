import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { db } from './clients.ts';
import { config } from './config.ts';

/**
 * A thin, typed layer over the DocumentClient. Items are plain objects whose keys come from
 * `keys.ts`; every rule is a condition written next to the write it guards. (ElectroDB was the
 * first choice, but it alone is ~220 KB minified of a 300 KB Lambda budget and ~15 ms of import.)
 */
export interface Key {
  pk: string;
  sk: string;
}

export interface Condition {
  /** A DynamoDB condition expression; attribute names go through `#name` placeholders. */
  if: string;
  values?: Record<string, unknown>;
}

export interface Changes {
  set?: Record<string, unknown>;
  add?: Record<string, number>;
  remove?: string[];
}

type Op = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

const TableName = () => config.tableName;

/** `#name` placeholders for every attribute named in an expression, so reserved words are safe. */
function namesIn(...expressions: Array<string | undefined>): Record<string, string> | undefined {
  const names: Record<string, string> = {};
  for (const expression of expressions) {
    for (const match of expression?.matchAll(/#([A-Za-z_][A-Za-z0-9_]*)/g) ?? []) names[`#${match[1]}`] = match[1]!;
  }
  return Object.keys(names).length ? names : undefined;
}

function withValues(values: Record<string, unknown>) {
  return Object.keys(values).length ? values : undefined;
}

/** SET/ADD/REMOVE from a plain description; values become `:s_<name>` / `:a_<name>`. */
function updateExpression(changes: Changes): { expression: string; values: Record<string, unknown> } {
  const values: Record<string, unknown> = {};
  const clauses: string[] = [];
  const set = Object.entries(changes.set ?? {}).filter(([, v]) => v !== undefined);
  if (set.length) {
    clauses.push(`SET ${set.map(([name, value]) => ((values[`:s_${name}`] = value), `#${name} = :s_${name}`)).join(', ')}`);
  }
  const add = Object.entries(changes.add ?? {});
  if (add.length) clauses.push(`ADD ${add.map(([name, value]) => ((values[`:a_${name}`] = value), `#${name} :a_${name}`)).join(', ')}`);
  if (changes.remove?.length) clauses.push(`REMOVE ${changes.remove.map((name) => `#${name}`).join(', ')}`);
  return { expression: clauses.join(' '), values };
}

export const put = (item: Key & Record<string, unknown>, condition?: Condition): Op => ({
  Put: {
    TableName: TableName(),
    Item: item,
    ConditionExpression: condition?.if,
    ExpressionAttributeNames: namesIn(condition?.if),
    ExpressionAttributeValues: condition?.values && withValues(condition.values),
  },
});

/** A put that fails if the item exists already. */
export const create = (item: Key & Record<string, unknown>): Op => put(item, { if: 'attribute_not_exists(pk)' });

export const update = (key: Key, changes: Changes, condition?: Condition): Op => {
  const { expression, values } = updateExpression(changes);
  return {
    Update: {
      TableName: TableName(),
      Key: key,
      UpdateExpression: expression,
      ConditionExpression: condition?.if,
      ExpressionAttributeNames: namesIn(expression, condition?.if),
      ExpressionAttributeValues: withValues({ ...values, ...condition?.values }),
    },
  };
};

/** An update of an item that must exist: it never creates a partial item. */
export const patch = (key: Key, changes: Changes, condition?: Condition): Op =>
  update(key, changes, { if: `attribute_exists(pk)${condition ? ` AND (${condition.if})` : ''}`, values: condition?.values });

export const remove = (key: Key, condition?: Condition): Op => ({
  Delete: {
    TableName: TableName(),
    Key: key,
    ConditionExpression: condition?.if,
    ExpressionAttributeNames: namesIn(condition?.if),
    ExpressionAttributeValues: condition?.values && withValues(condition.values),
  },
});

export const check = (key: Key, condition: Condition): Op => ({
  ConditionCheck: {
    TableName: TableName(),
    Key: key,
    ConditionExpression: condition.if,
    ExpressionAttributeNames: namesIn(condition.if),
    ExpressionAttributeValues: condition.values && withValues(condition.values),
  },
});

/** The same write aimed at another table of the deployment (the anonymous ballot table). */
export function inTable(op: Op, tableName: string): Op {
  const [kind, body] = Object.entries(op)[0] as [keyof Op, Record<string, unknown>];
  return { [kind]: { ...body, TableName: tableName } } as Op;
}

/** Why each item of a cancelled transaction failed, in the order given ('None' for those that did not). */
export type CancellationCodes = string[];

/**
 * Runs one TransactWriteItems. Returns `null` when it committed, or the per-item cancellation codes
 * when a condition failed. A bare conflict with another transaction says nothing about the rules,
 * so it is retried a few times with jitter.
 */
export async function transact(ops: Op[]): Promise<CancellationCodes | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: ops }));
      return null;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) && (error as Error).name !== 'TransactionCanceledException') throw error;
      const codes = ((error as TransactionCanceledException).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
      const onlyConflicts = codes.every((c) => c === 'None' || c === 'TransactionConflict');
      if (!onlyConflicts || attempt >= 4) return codes;
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 40 * (attempt + 1)));
    }
  }
}

export const failed = (codes: CancellationCodes | null, index: number): boolean =>
  codes !== null && codes[index] === 'ConditionalCheckFailed';

/** One item by key, strongly consistent (rules read what they guard). */
export async function get<T>(key: Key): Promise<T | null> {
  const { Item } = await db.send(new GetCommand({ TableName: TableName(), Key: key, ConsistentRead: true }));
  return (Item as T | undefined) ?? null;
}

/** Several items in one round trip; the answer keeps the order of `keyList`, with nulls for misses. */
export async function getMany<T>(keyList: Key[]): Promise<Array<T | null>> {
  if (!keyList.length) return [];
  const { Responses } = await db.send(
    new BatchGetCommand({ RequestItems: { [TableName()]: { Keys: keyList, ConsistentRead: true } } }),
  );
  const found = new Map((Responses?.[TableName()] ?? []).map((item) => [`${item.pk}\u0000${item.sk}`, item]));
  return keyList.map((k) => (found.get(`${k.pk}\u0000${k.sk}`) as T | undefined) ?? null);
}

/**
 * Items from several tables in one round trip (BatchGetItem spans tables); the answer keeps the
 * order of `requests`, with nulls for misses.
 */
export async function getAcross<T>(requests: Array<{ table: string; key: Key }>): Promise<Array<T | null>> {
  if (!requests.length) return [];
  const byTable: Record<string, { Keys: Key[]; ConsistentRead: true }> = {};
  for (const { table, key } of requests) (byTable[table] ??= { Keys: [], ConsistentRead: true }).Keys.push(key);
  const found = new Map<string, unknown>();
  let pending: typeof byTable | undefined = byTable;
  for (let attempt = 0; pending && Object.keys(pending).length; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
    const { Responses, UnprocessedKeys } = await db.send(new BatchGetCommand({ RequestItems: pending }));
    for (const [table, items] of Object.entries(Responses ?? {})) for (const item of items) found.set(`${table}\u0000${item.pk}\u0000${item.sk}`, item);
    pending = UnprocessedKeys as typeof byTable | undefined;
  }
  return requests.map(({ table, key }) => (found.get(`${table}\u0000${key.pk}\u0000${key.sk}`) as T | undefined) ?? null);
}

export class ConditionFailed extends Error {}

/** A single conditional update returning the new item; throws `ConditionFailed` when the rule says no. */
export async function updateItem<T>(op: Op): Promise<T> {
  const input = op.Update!;
  try {
    const { Attributes } = await db.send(new UpdateCommand({ ...input, ReturnValues: 'ALL_NEW' } as never));
    return Attributes as T;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') throw new ConditionFailed();
    throw error;
  }
}

/** One page of a Query on the table or an index (or, naming it, on the anonymous ballot table). */
export async function queryPage<T>(input: Omit<QueryCommandInput, 'TableName'> & { TableName?: string }): Promise<{ items: T[]; lastKey?: Record<string, unknown> }> {
  const page = await db.send(new QueryCommand({ TableName: TableName(), ...input }));
  return { items: (page.Items ?? []) as T[], lastKey: page.LastEvaluatedKey };
}

/** Every item of a partition with a sort-key prefix (small collections only: a user's sessions). */
export async function queryAll<T>(pk: string, skPrefix: string, projection?: string[]): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await queryPage<T>({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
      ConsistentRead: true,
      ExclusiveStartKey: start,
      ...(projection ? { ProjectionExpression: projection.map((p) => `#${p}`).join(', '), ExpressionAttributeNames: Object.fromEntries(projection.map((p) => [`#${p}`, p])) } : {}),
    });
    items.push(...page.items);
    start = page.lastKey;
  } while (start);
  return items;
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Key } };

/** BatchWriteItem in groups of 25, retrying whatever DynamoDB leaves unprocessed, with backoff. */
async function batchWrite(requests: WriteRequest[], table = TableName()): Promise<number> {
  let sent = 0;
  for (let i = 0; i < requests.length; i += 25) {
    let pending: WriteRequest[] | undefined = requests.slice(i, i + 25);
    for (let attempt = 0; pending?.length; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const result = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      sent++;
      pending = result.UnprocessedItems?.[table] as WriteRequest[] | undefined;
    }
  }
  return sent;
}

/** Puts many items (no conditions: BatchWriteItem has none), in the main table unless named. Returns the requests made. */
export const batchPut = (items: Array<Key & Record<string, unknown>>, table?: string): Promise<number> =>
  batchWrite(items.map((Item) => ({ PutRequest: { Item } })), table);

/** Deletes many items by key, in the main table unless named. Returns the requests made. */
export const batchDelete = (keyList: Key[], table?: string): Promise<number> =>
  batchWrite(keyList.map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } })), table);

/** Calls `each` with every page of a Query, so large collections never sit in memory whole. */
export async function forEachPage<T>(input: Omit<QueryCommandInput, 'TableName'> & { TableName?: string }, each: (items: T[]) => Promise<void>): Promise<void> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await queryPage<T>({ ...input, ExclusiveStartKey: start });
    await each(page.items);
    start = page.lastKey;
  } while (start);
}
