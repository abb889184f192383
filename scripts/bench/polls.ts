// Polls benchmark: cast vote and get results at 10 votes and at 10,000 votes, with DynamoDB
// requests and capacity per call. Prints figures; asserts nothing.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { startStack } from '../local/stack.ts';
import { signIn, table } from './seed.ts';
import { ms, sample } from './stats.ts';

const RUNS = 200;

export async function main(): Promise<void> {
  console.log('## Polls');
  const stack = await startStack({ port: 0, mailPort: 0, schedulerIntervalMs: 86_400_000 });
  const url = (path: string) => `${stack.appUrl}${path}`;
  const json = { 'content-type': 'application/json' };
  try {
    const cookie = await signIn(stack, 'bench-polls@example.org', 2);
    const group = (await (await fetch(url('/api/groups'), { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ name: 'Poll bench' }) })).json()) as { id: string };
    const closingAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const create = async () => (await (await fetch(url('/api/polls'), { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ groupId: group.id, type: 'proposal', title: 'Bench', closingAt }) })).json()) as { id: string };
    const { putAll, client } = table(stack);
    const seedVotes = async (pollApiId: string, count: number) => {
      const pollId = pollApiId.split('.')[1]!;
      const options = ['agree', 'abstain', 'disagree', 'block'];
      await putAll(Array.from({ length: count }, (_, i) => ({ pk: `poll#${pollId}`, sk: `ballot#${randomBytes(32).toString('base64url')}`, type: 'ballot', choices: { option: options[i % 4] }, reason: null, version: 1 })));
      // The running tally matches the seeded ballots, as the vote transaction would have kept it.
      await client.send(new UpdateCommand({
        TableName: stack.tableName, Key: { pk: `poll#${pollId}`, sk: 'poll' },
        UpdateExpression: `SET tally.voters = :n, ${options.map((o) => `tally.options.#${o}.#t = :q, tally.options.#${o}.voters = :q`).join(', ')}`,
        ExpressionAttributeNames: { '#t': 'total', ...Object.fromEntries(options.map((o) => [`#${o}`, o])) }, ExpressionAttributeValues: { ':n': count, ':q': count / 4 },
      }));
    };
    const report = (label: string, s: Awaited<ReturnType<typeof sample>>) =>
      console.log(`${label}: p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, DynamoDB requests per call ${[...s.dbRequests].join('/')} (1 is the session read), ${s.capacity.toFixed(2)} capacity units`);
    for (const votes of [10, 10_000]) {
      const poll = await create();
      await seedVotes(poll.id, votes);
      const options = ['agree', 'disagree'];
      report(`PUT /api/polls/{id}/vote at ${votes} votes ×${RUNS}`, await sample(RUNS, (i) => fetch(url(`/api/polls/${poll.id}/vote`), { method: 'PUT', headers: { ...json, cookie }, body: JSON.stringify({ choices: { option: options[i % 2] } }) })));
      report(`GET /api/polls/{id} (results) at ${votes} votes ×${RUNS}`, await sample(RUNS, () => fetch(url(`/api/polls/${poll.id}`), { headers: { cookie } })));
    }
  } finally {
    await stack.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
