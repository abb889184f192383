// Busy-thread benchmark: `npm run bench -- busy-threads`. Many people comment on one thread at
// once, at 1 to 100 writers; prints p50 and p99 latency per level, how p99 grows against the
// number of writers (at most linear is the target), errors, and whether the numbers given out
// were consecutive. The floor beside it is the same concurrency of the two raw DynamoDB writes a
// comment costs (the counter update and the item put), measured in the same run. Asserts nothing.
import { createHash, randomBytes } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { pathToFileURL } from 'node:url';
import { startStack } from '../local/stack.ts';
import { signIn, table } from './seed.ts';
import { ms, percentile } from './stats.ts';

const LEVELS = [1, 10, 25, 50, 100];
/** Requests per level: rounds of `writers` at once until about this many have been sent. */
const REQUESTS = 200;

export async function main(): Promise<void> {
  console.log('## Busy threads');
  const stack = await startStack({ port: 0, mailPort: 0, schedulerIntervalMs: 86_400_000 });
  const url = (path: string) => `${stack.appUrl}${path}`;
  const json = { 'content-type': 'application/json', 'x-moot-origin-verify': stack.originSecret };
  try {
    const admin = await signIn(stack, `bench-busy-${randomBytes(3).toString('hex')}@example.org`, 2);
    const group = (await (await fetch(url('/api/groups'), { method: 'POST', headers: { ...json, cookie: admin }, body: JSON.stringify({ name: 'Busy bench' }) })).json()) as { id: string; handle: string; name: string };
    const cookies = await seedMembers(stack, group, Math.max(...LEVELS));
    const { client } = table(stack);

    // Warm up the handlers, the JIT and DynamoDB Local before measuring, so 1 writer is a fair base.
    const warmUp = (await (await fetch(url(`/api/groups/${group.id}/discussions`), { method: 'POST', headers: { ...json, cookie: admin }, body: JSON.stringify({ title: 'Warm-up' }) })).json()) as { id: string };
    for (let i = 0; i < 50; i++) await (await fetch(url(`/api/discussions/${warmUp.id}/comments`), { method: 'POST', headers: { ...json, cookie: cookies[i % cookies.length]! }, body: JSON.stringify({ body: `Warm-up ${i}` }) })).arrayBuffer();

    let base: { moot: number; floor: number } | undefined;
    for (const writers of LEVELS) {
      // Each level starts on an idle stack: the notifications of the comments before it are delivered first.
      await stack.flushStream();
      const thread = (await (await fetch(url(`/api/groups/${group.id}/discussions`), { method: 'POST', headers: { ...json, cookie: admin }, body: JSON.stringify({ title: `${writers} writers` }) })).json()) as { id: string };
      const rounds = Math.max(2, Math.ceil(REQUESTS / writers));
      const latencies: number[] = [];
      const numbers: number[] = [];
      let errors = 0;
      for (let round = 0; round < rounds; round++) {
        await Promise.all(
          cookies.slice(0, writers).map(async (cookie, i) => {
            const started = performance.now();
            const response = await fetch(url(`/api/discussions/${thread.id}/comments`), { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ body: `Round ${round}, writer ${i}` }) });
            const body = (await response.json()) as { seq?: number };
            latencies.push(performance.now() - started);
            if (response.status >= 500 || !response.ok) errors++;
            if (body.seq) numbers.push(body.seq);
          }),
        );
      }
      numbers.sort((a, b) => a - b);
      const consecutive = numbers.every((n, i) => n === i + 1);

      // The floor: the same writers at once, each doing the two writes a comment costs, straight to DynamoDB.
      const counterKey = { pk: `bench#${randomBytes(6).toString('hex')}`, sk: 'counter' };
      const floor: number[] = [];
      for (let round = 0; round < rounds; round++) {
        await Promise.all(
          Array.from({ length: writers }, async () => {
            const started = performance.now();
            const { Attributes } = await client.send(new UpdateCommand({ TableName: stack.tableName, Key: counterKey, UpdateExpression: 'ADD #seq :one', ExpressionAttributeNames: { '#seq': 'seq' }, ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'UPDATED_NEW' }));
            await client.send(new PutCommand({ TableName: stack.tableName, Item: { pk: counterKey.pk, sk: `item#${String(Attributes?.seq).padStart(10, '0')}`, body: 'x'.repeat(40) }, ConditionExpression: 'attribute_not_exists(pk)' }));
            floor.push(performance.now() - started);
          }),
        );
      }

      const p99 = percentile(latencies, 99);
      const floorP99 = percentile(floor, 99);
      base ??= { moot: p99, floor: floorP99 };
      console.log(
        [
          `${writers} writer${writers === 1 ? '' : 's'} × ${rounds} rounds: p50 ${ms(percentile(latencies, 50))}, p99 ${ms(p99)}`,
          `p99 ×${(p99 / base.moot).toFixed(1)} of 1 writer (linear would be ×${writers}; ${((p99 / base.moot) / writers).toFixed(2)} of linear)`,
          `${errors} errors, ${numbers.length} saved, numbers ${consecutive ? `consecutive 1–${numbers.length}` : 'NOT consecutive'}`,
          `raw DynamoDB update + put p99 ${ms(floorP99)} (×${(floorP99 / base.floor).toFixed(1)}; Moot ${(p99 / floorP99).toFixed(1)}× the floor)`,
        ].join('  '),
      );
    }
  } finally {
    await stack.stop();
  }
}

/** Members with sessions, written straight to the table in the shapes the use cases write. */
async function seedMembers(stack: Awaited<ReturnType<typeof startStack>>, group: { id: string; handle: string; name: string }, count: number): Promise<string[]> {
  const now = new Date().toISOString();
  const people = Array.from({ length: count }, () => ({ userId: randomBytes(16).toString('base64url'), sessionId: randomBytes(32).toString('base64url') }));
  const items = people.flatMap(({ userId, sessionId }, i) => {
    const email = `busy-${userId.toLowerCase()}@example.org`;
    const sessionHash = createHash('sha256').update(sessionId).digest('base64url');
    return [
      { pk: `user#${userId}`, sk: 'profile', type: 'user', userId, email, name: `Writer ${i}`, createdAt: now, updatedAt: now },
      { pk: `user#${userId}`, sk: `session#${sessionHash}`, type: 'session', userId, sessionHash, email, name: `Writer ${i}`, ip: '198.18.0.0/24', createdAt: now, lastSeenAt: now, expiresAt: Math.floor(Date.now() / 1000) + 86_400 },
      { pk: `group#${group.id}`, sk: `member#${userId}`, gsi1pk: `memberof#${userId}`, gsi1sk: `group#${group.id}`, type: 'membership', groupId: group.id, userId, role: 'member', title: null, name: `Writer ${i}`, email, joinedAt: now, via: 'link', groupName: group.name, groupHandle: group.handle, groupPrivacy: 'closed', parentId: null },
    ];
  });
  const { putAll, client } = table(stack);
  await putAll(items);
  await client.send(new UpdateCommand({ TableName: stack.tableName, Key: { pk: `group#${group.id}`, sk: 'group' }, UpdateExpression: 'ADD memberCount :n', ExpressionAttributeValues: { ':n': count } }));
  return people.map(({ userId, sessionId }) => `moot_session=${userId}.${sessionId}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
