// Account benchmark: delete-account time for a person with 1,000 comments, and the personal
// export's time and the process's peak memory for the same person. Prints figures; asserts nothing.
// (Group export and import figures join here when those are built.)
import { pathToFileURL } from 'node:url';
import { startStack } from '../local/stack.ts';

const COMMENTS = Number(process.env.BENCH_COMMENTS) || 1000;

export async function main(): Promise<void> {
  console.log('## Account: delete and personal export');
  const stack = await startStack({ port: 0, mailPort: 0, schedulerIntervalMs: 86_400_000 });
  const url = (path: string) => `${stack.appUrl}${path}`;
  const json = { 'content-type': 'application/json' };
  const mail = async () => ((await (await fetch(`${stack.mailUrl}/store`)).json()) as { emails: Array<{ destination: { to: string[] }; subject: string; body: { text: string } }> }).emails;
  const signIn = async (email: string) => {
    await fetch(url('/api/auth/email'), { method: 'POST', headers: { ...json, 'cloudfront-viewer-address': '198.18.7.1:443' }, body: JSON.stringify({ email }) });
    const text = (await mail()).filter((e) => e.destination.to.includes(email)).at(-1)!.body.text;
    const token = /#token=([A-Za-z0-9_-]{43})/.exec(text)![1];
    const response = await fetch(url('/api/auth/token'), { method: 'POST', headers: json, body: JSON.stringify({ token }) });
    return { cookie: (response.headers.get('set-cookie') ?? '').split(';')[0]!, id: ((await response.json()) as { user: { id: string } }).user.id };
  };
  const waitUntil = async (probe: () => Promise<boolean>) => {
    while (!(await probe())) await new Promise((r) => setTimeout(r, 50));
  };
  try {
    const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const dynamo = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const person = await signIn('bench-person@example.org');
    await fetch(url('/api/me'), { method: 'PATCH', headers: { ...json, cookie: person.cookie }, body: JSON.stringify({ name: 'Bench Person' }) });
    const group = (await (await fetch(url('/api/groups'), { method: 'POST', headers: { ...json, cookie: person.cookie }, body: JSON.stringify({ name: 'Bench group' }) })).json()) as { id: string };
    const thread = (await (await fetch(url(`/api/groups/${group.id}/discussions`), { method: 'POST', headers: { ...json, cookie: person.cookie }, body: JSON.stringify({ title: 'Bench thread' }) })).json()) as { id: string };
    for (let i = 0; i < COMMENTS; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, COMMENTS - i) }, (_, j) =>
        fetch(url(`/api/discussions/${thread.id}/comments`), { method: 'POST', headers: { ...json, cookie: person.cookie }, body: JSON.stringify({ body: `Comment ${i + j}` }) })));
    }
    await stack.flushStream();

    const exportStarted = performance.now();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    await fetch(url('/api/me/exports'), { method: 'POST', headers: { cookie: person.cookie } });
    await waitUntil(async () => (await mail()).some((e) => e.subject.includes('data is ready')));
    clearInterval(sampler);
    console.log(`personal export, ${COMMENTS} comments: ${(performance.now() - exportStarted).toFixed(0)} ms; process RSS ${Math.round(rssBefore / 2 ** 20)} MB before, peak ${Math.round(peak / 2 ** 20)} MB (whole local stack in one process)`);

    const started = performance.now();
    await fetch(url('/api/me'), { method: 'DELETE', headers: { cookie: person.cookie } });
    await waitUntil(async () => !(await dynamo.send(new GetItemCommand({ TableName: stack.tableName, Key: { pk: { S: `erasure#${person.id}` }, sk: { S: 'job' } }, ConsistentRead: true }))).Item);
    console.log(`delete account with ${COMMENTS} comments: ${(performance.now() - started).toFixed(0)} ms until erased (one scan of the whole table, here ~${COMMENTS + 20} items)`);
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await main();
