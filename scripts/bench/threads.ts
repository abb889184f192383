// Threads benchmark: thread page, posting a comment, and timeline page 10 of a 5,000-comment thread,
// with DynamoDB requests and capacity per call. Prints figures; asserts nothing.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { pathToFileURL } from 'node:url';
import { startStack } from '../local/stack.ts';
import { signIn, table } from './seed.ts';
import { ms, sample } from './stats.ts';

const RUNS = 200;

export async function main(): Promise<void> {
  console.log('## Threads');
  const stack = await startStack({ port: 0, mailPort: 0, schedulerIntervalMs: 86_400_000 });
  const url = (path: string) => `${stack.appUrl}${path}`;
  const json = { 'content-type': 'application/json' };
  try {
    const cookie = await signIn(stack, 'bench-threads@example.org', 1);
    const group = (await (await fetch(url('/api/groups'), { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ name: 'Thread bench' }) })).json()) as { id: string };
    const start = async (title: string) => (await (await fetch(url(`/api/groups/${group.id}/discussions`), { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ title }) })).json()) as { id: string };
    const short = await start('Short thread');
    for (let i = 0; i < 20; i++) await fetch(url(`/api/discussions/${short.id}/comments`), { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ body: `Comment ${i}` }) });

    // A 5,000-comment thread, seeded straight into the table in the shape the use case writes.
    const long = await start('Long thread');
    const threadId = long.id.split('.')[1]!;
    const now = new Date().toISOString();
    const items = Array.from({ length: 5_000 }, (_, i) => ({
      pk: `discussion#${threadId}`, sk: `item#${String(i + 1).padStart(10, '0')}`, type: 'timelineItem', threadId, seq: i + 1, kind: 'comment',
      authorId: 'seed', authorName: 'Seeded Person', body: `Seeded comment number ${i + 1} with a little text to read.`, parentSeq: null, depth: 0,
      createdAt: now, version: 1, replyCount: 0, reactions: {}, mentions: {}, attachmentIds: [],
    }));
    const { putAll, client } = table(stack);
    await putAll(items);
    await client.send(new UpdateCommand({ TableName: stack.tableName, Key: { pk: `discussion#${threadId}`, sk: 'thread' }, UpdateExpression: 'SET seq = :n, commentCount = :n', ExpressionAttributeValues: { ':n': 5_000 } }));

    const report = (label: string, s: Awaited<ReturnType<typeof sample>>) =>
      console.log(`${label}: p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, DynamoDB requests per call ${[...s.dbRequests].join('/')} (1 is the session read), ${s.capacity.toFixed(2)} capacity units`);
    report(`GET /api/discussions/{id} (20 comments) ×${RUNS}`, await sample(RUNS, () => fetch(url(`/api/discussions/${short.id}`), { headers: { cookie } })));
    report(`GET /api/discussions/{id} (5,000 comments) ×${RUNS}`, await sample(RUNS, () => fetch(url(`/api/discussions/${long.id}`), { headers: { cookie } })));
    report(`GET /api/discussions/{id}/events?from=451 (page 10 of 5,000) ×${RUNS}`, await sample(RUNS, () => fetch(url(`/api/discussions/${long.id}/events?from=451`), { headers: { cookie } })));
    report(`POST /api/discussions/{id}/comments ×${RUNS}`, await sample(RUNS, (i) => fetch(url(`/api/discussions/${short.id}/comments`), { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ body: `Benchmark comment ${i}` }) })));
  } finally {
    await stack.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
